"""The course is written in our own words: no long run of words copied from the fact sheet or the seeds."""

import re
from pathlib import Path

import pytest

from course.config import PROJECT_ROOT
from course.content import load_course

SHARED = PROJECT_ROOT.parent / "shared"
RUN = 10  # words in a row; shorter shared runs are names, titles and set phrases


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", re.sub(r"https?://\S+", " ", text.lower()))


def runs(text: str) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + RUN]) for i in range(len(found) - RUN + 1)}


@pytest.mark.skipif(not (SHARED / "content" / "FACTS.md").exists(), reason="../shared is not beside the project")
def test_no_lesson_or_question_copies_a_source():
    sources = [SHARED / "content" / "FACTS.md", *sorted((SHARED / "seeds").glob("*"))]
    copied_from = set().union(*(runs(path.read_text(errors="ignore")) for path in sources))
    course = load_course(PROJECT_ROOT / "modules")
    texts = {f"{m.slug}/{lesson.slug}": re.sub(r"<[^>]+>", " ", lesson.html) for m in course.modules for lesson in m.lessons}
    quizzes = [(module.slug, module.quiz) for module in course.modules] + [("knowledge-check", course.knowledge_check)]
    for slug, quiz in quizzes:
        for question in quiz.questions:
            parts = [question.prompt] + [f"{c.text} {c.explanation}" for c in question.choices]
            texts[f"{slug}/quiz/{question.id}"] = " ".join(parts)
    copied = {where: [" ".join(run) for run in runs(text) & copied_from] for where, text in texts.items()}
    assert {where: found for where, found in copied.items() if found} == {}
