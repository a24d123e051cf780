"""The content engine: loading, rendering once, and naming every problem with its file and field."""

import shutil
from pathlib import Path

import pytest

from course.config import PROJECT_ROOT
from course.content import ContentError, check_course, load_course
from tests.conftest import FIXTURE_CONTENT

SHIPPED = PROJECT_ROOT / "modules"


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the valid fixture course, for a test to break."""
    root = tmp_path / "modules"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def problems_of(root: Path) -> list[str]:
    return [str(problem) for problem in check_course(root)[1]]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_fixture_course_loads_in_order_with_rendered_html():
    course = load_course(FIXTURE_CONTENT)
    assert [m.slug for m in course.modules] == ["first-steps", "staying-safe"]
    first = course.modules[0]
    assert [lesson.slug for lesson in first.lessons] == ["hello", "second"]
    assert first.lessons[0].title == "Hello"
    assert "<h2>What this lesson says</h2>" in first.lessons[0].html
    assert '<div class="callout callout-key" role="note"><p class="callout-label">Key point</p>' in first.lessons[0].html
    # A lesson link becomes the lesson's URL.
    assert 'href="/learn/first-steps/hello"' in first.lessons[1].html
    assert course.emergency is not None
    assert course.emergency.steps == ("Check them", "Call 911", "Give naloxone")


def test_question_types_and_defaults_are_read():
    quiz = load_course(FIXTURE_CONTENT).module("staying-safe").quiz
    assert quiz.pass_mark == 80  # the default
    order = quiz.question("response-order")
    assert order.type == "order" and order.critical and order.emergency_steps
    assert order.correct_answer == ("check", "call", "naloxone")
    assert quiz.draw == 3 and len(quiz.questions) == 5
    true_false = quiz.question("safe-unsure")
    assert [c.text for c in true_false.choices] == ["True", "False"]


def test_the_shipped_course_passes_the_checker():
    course, problems = check_course(SHIPPED)
    assert [str(p) for p in problems] == []
    slugs = [module.slug for module in course.modules]
    assert slugs[:3] == ["understanding-opioid-use-disorder", "recognising-the-signs", "overdose-and-naloxone"]
    assert {"getting-and-staying-in-treatment", "hard-times"} <= set(slugs)
    for module in course.modules:
        assert 3 <= len(module.lessons) <= 6, module.slug
        assert len(module.quiz.questions) >= 12, module.slug
        for lesson in module.lessons:
            assert lesson.sources, lesson.slug
            assert lesson.reading_grade <= 6, lesson.slug
            assert "What to remember" in lesson.html, lesson.slug
    assert course.average_grade <= 7
    types = {q.type for m in course.modules for q in m.quiz.questions}
    assert types == {"single", "multiple", "true_false", "order"}


def test_shipped_emergency_page_matches_the_naloxone_quiz_and_lesson():
    course = load_course(SHIPPED)
    module = course.module("overdose-and-naloxone")
    steps = next(q for q in module.quiz.questions if q.emergency_steps)
    assert steps.critical
    assert course.emergency.steps == tuple(choice.text for choice in steps.choices)
    lesson_html = module.lesson("the-response-steps").html
    positions = [lesson_html.index(step) for step in course.emergency.steps]
    assert positions == sorted(positions)


def test_content_error_lists_every_problem(tree):
    (tree / "01-first-steps" / "module.yaml").unlink()
    edit(tree / "02-staying-safe" / "01-steps.md", "Act fast.", "Act <b>fast</b>.")
    with pytest.raises(ContentError) as caught:
        load_course(tree)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith("01-first-steps/module.yaml: file: is missing") for m in messages)
    assert any(m.startswith("02-staying-safe/01-steps.md: line") and "raw HTML" in m for m in messages)


# One broken tree for each kind of problem: (file to edit, old text, new text, expected message).
BROKEN = [
    ("01-first-steps/quiz.yaml", "id: what-helps", "id: health-problem", "01-first-steps/quiz.yaml: questions[1] (health-problem).id: 'health-problem' is used by another question"),
    ("01-first-steps/quiz.yaml", "  - id: what-helps\n", "  - \n", "01-first-steps/quiz.yaml: questions[1].id: is missing"),
    ("01-first-steps/quiz.yaml", "        text: A health problem that can be treated.\n        correct: true", "        text: A health problem that can be treated.\n        correct: false", "questions[0] (health-problem).choices: a single-choice question needs exactly one right answer, not 0"),
    ("01-first-steps/quiz.yaml", "        explanation: Shame keeps people from asking for help.\n", "", "questions[1] (what-helps).choices[1].explanation: is missing"),
    ("01-first-steps/quiz.yaml", "lesson: second", "lesson: no-such-lesson", "questions[2] (call-911).lesson: must name a lesson of this module"),
    ("01-first-steps/quiz.yaml", "type: multiple", "type: essay", "questions[1] (what-helps).type: must be one of single, multiple, true_false, order"),
    ("01-first-steps/quiz.yaml", '      - id: "false"\n        correct: false', '      - id: "maybe"\n        correct: false', "questions[2] (call-911).choices: a true/false question has exactly the choices 'true' and 'false'"),
    ("01-first-steps/quiz.yaml", "pass_mark: 60", "pass_mark: 160", "01-first-steps/quiz.yaml: pass_mark: must be a whole-number percentage from 1 to 100"),
    ("01-first-steps/02-second.md", "(lesson:first-steps/hello)", "(lesson:first-steps/goodbye)", "01-first-steps/02-second.md: line 9: broken lesson link 'lesson:first-steps/goodbye'"),
    ("01-first-steps/02-second.md", "sources:\n  - title: \"CDC: Stop overdose\"\n    url: https://www.cdc.gov/stop-overdose/response/index.html\n", "", "01-first-steps/02-second.md: sources: is missing"),
    ("01-first-steps/02-second.md", "url: https://www.cdc.gov", "url: http://www.cdc.gov", "01-first-steps/02-second.md: sources[0].url: must be an https:// address"),
    ("01-first-steps/02-second.md", "minutes: 4", "minutes: soon", "01-first-steps/02-second.md: minutes: must be a whole number of minutes from 1 to 15"),
    ("01-first-steps/02-second.md", "title: The second lesson\n", "", "01-first-steps/02-second.md: title: is missing"),
    ("01-first-steps/01-hello.md", "It is short and kind.", "It is short and kind. <div>hidden</div>", "01-first-steps/01-hello.md: line 10: raw HTML is not allowed (<div>); use Markdown"),
    ("01-first-steps/01-hello.md", "## What this lesson says", "# What this lesson says", "01-first-steps/01-hello.md: line 12: use ## or ### headings"),
    ("01-first-steps/01-hello.md", "::: key", "::: tip", "unknown or unclosed callout"),
    ("01-first-steps/01-hello.md", "It is a health problem.", "He is an addict.", "01-first-steps/01-hello.md: body: uses \"addict\": use person-first language"),
    ("01-first-steps/quiz.yaml", "text: Shame", "text: Calling him a junkie", "questions[1] (what-helps).choices[1].text: uses \"junkie\""),
    ("01-first-steps/01-hello.md", "title: Hello\n", "title: Hello\nauthor: me\n", "01-first-steps/01-hello.md: author: is not a known field"),
    ("emergency.md", "## Call 911", "## Phone for help", "emergency.md: steps: the ## headings must be exactly the steps of the emergency_steps question"),
    ("01-first-steps/quiz.yaml", "questions:\n  - id: health-problem", "questions:\n  - id: health-problem\n    prompt: [unclosed", "01-first-steps/quiz.yaml: line 5: YAML syntax error"),
    ("01-first-steps/01-hello.md", "minutes: 3\n", "minutes: [3\n", "01-first-steps/01-hello.md: line 4: YAML syntax error"),
    # Quizzes that do not measure understanding.
    ("02-staying-safe/quiz.yaml", "draw: 3", "draw: 4", "02-staying-safe/quiz.yaml: draw: the pool of 5 questions is smaller than 1.5 × draw (4)"),
    ("02-staying-safe/quiz.yaml", "      - id: hungry\n        text: Asking for food\n        correct: false\n", "      - id: hungry\n        text: Asking for food\n        correct: true\n", "02-staying-safe/quiz.yaml: questions[3] (signs).choices: this select-all question has 1 wrong option: keep at least 2 real wrong options"),
    ("02-staying-safe/quiz.yaml", "prompt: Who should call 911?", "prompt: If a person will not wake up, who should call 911?", "02-staying-safe/quiz.yaml: questions[4] (who-calls).prompt: nearly repeats 01-first-steps/quiz.yaml questions[2] (call-911) (100% of their words are shared)"),
    ("01-first-steps/quiz.yaml", "text: A health problem that can be treated.", "text: A long-term health problem of the brain that can be treated well.", "01-first-steps/quiz.yaml: questions: the blind strategy “longest, \"true\", every box” scores 67% over the pool, at or above the pass mark of 60%"),
    ("01-first-steps/01-hello.md", "url: https://nida.nih.gov/drug-topics/addiction-science/words-matter-preferred-language-talking-about-addiction", "url: https://www.scribd.com/document/123/words-matter", "01-first-steps/01-hello.md: sources[0].url: www.scribd.com is a copy host, not the publisher's own page"),
    ("emergency.md", "url: https://www.cdc.gov/stop-overdose/response/index.html", "url: https://www.rehabs.com/overdose", "emergency.md: sources[0].url: www.rehabs.com is a commercial treatment provider or rehab marketing site"),
]


@pytest.mark.parametrize("file, old, new, expected", BROKEN, ids=[case[3][:60] for case in BROKEN])
def test_each_kind_of_problem_is_named_with_file_and_field(tree, file, old, new, expected):
    edit(tree / file, old, new)
    problems = problems_of(tree)
    assert any(expected in problem for problem in problems), problems


def test_a_lesson_above_the_reading_level_is_flagged(tree):
    hard = (
        "Pharmacological interventions notwithstanding, comprehensive multidisciplinary "
        "rehabilitation necessitates individualized therapeutic considerations regarding "
        "comorbid psychiatric manifestations and socioeconomic determinants.\n"
    )
    edit(tree / "01-first-steps" / "01-hello.md", "This is the first lesson. It is short and kind.", hard)
    problems = problems_of(tree)
    assert any(p.startswith("01-first-steps/01-hello.md: reading level: Flesch–Kincaid grade") for p in problems)
    _, strict = check_course(tree, max_grade=20, max_average_grade=2)
    assert [str(p) for p in strict] == [
        "modules: reading level: the course's average Flesch–Kincaid grade "
        f"{check_course(tree)[0].average_grade:.1f} is above the limit of 2"
    ]


def test_quoted_labels_are_allowed_when_teaching_language(tree):
    edit(tree / "01-first-steps" / "01-hello.md", "It is a health problem.", 'Say "person with a substance use disorder", not "addict".')
    assert problems_of(tree) == []


def test_ordering_and_naming_problems(tree):
    (tree / "01-first-steps" / "02-second.md").rename(tree / "01-first-steps" / "01-second.md")
    (tree / "01-first-steps" / "notes.txt").write_text("scratch")
    (tree / "02-staying-safe" / "quiz.yaml").unlink()
    problems = problems_of(tree)
    assert any("01-first-steps/01-second.md: name: has the same number 1" in p for p in problems)
    assert "01-first-steps/notes.txt: name: is not module.yaml, quiz.yaml or a lesson named NN-slug.md" in problems
    assert "02-staying-safe/quiz.yaml: file: is missing: every module ends with a quiz" in problems


def test_a_reserved_lesson_slug_is_refused(tree):
    (tree / "01-first-steps" / "02-second.md").rename(tree / "01-first-steps" / "02-quiz.md")
    edit(tree / "01-first-steps" / "quiz.yaml", "lesson: second", "lesson: hello")
    assert "01-first-steps/02-quiz.md: slug: 'quiz' is reserved by the app; choose another name" in problems_of(tree)


def test_raw_html_never_reaches_the_page(tree):
    edit(tree / "01-first-steps" / "01-hello.md", "It is short and kind.", "It is short and kind.\n\n<script>alert(1)</script>")
    course, problems = check_course(tree)
    assert problems
    assert "<script>" not in course.modules[0].lessons[0].html


def test_content_check_command_exit_codes(runner, tree):
    result = runner.invoke(args=["content", "check", str(tree)])
    assert result.exit_code == 0, result.output
    assert "OK: 2 modules, 3 lessons, 8 questions" in result.output
    assert "staying-safe quiz, blind strategies over the whole pool: pool 5, draw 3, pass mark 80%" in result.output
    assert "63.3%    3.2 of 5  always the first choice (file order)" in result.output
    edit(tree / "01-first-steps" / "quiz.yaml", "pass_mark: 60", "pass_mark: 60\nquestions: [\n")
    result = runner.invoke(args=["content", "check", str(tree)])
    assert result.exit_code == 1
    assert "01-first-steps/quiz.yaml: line" in result.output and "YAML syntax error" in result.output


def test_content_check_defaults_to_the_configured_tree(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "2 modules" in result.output


def test_content_check_command_passes_on_the_shipped_tree(runner):
    result = runner.invoke(args=["content", "check", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    modules = len(check_course(SHIPPED)[0].modules)
    assert f"OK: {modules} modules" in result.output


def question_yaml(question_id: str, kind: str = "true_false", answer: str = "true") -> str:
    """Return a quiz.yaml question for the staying-safe module (true/false by default)."""
    other = "false" if answer == "true" else "true"
    return (
        f"  - id: {question_id}\n    type: {kind}\n    lesson: steps\n"
        f"    prompt: Statement number {question_id} about staying safe with naloxone.\n    choices:\n"
        f'      - id: "{answer}"\n        correct: true\n        explanation: That is right.\n'
        f'      - id: "{other}"\n        correct: false\n        explanation: That is not right.\n'
    )


def test_a_big_pool_must_say_how_many_questions_are_drawn(tree):
    quiz = tree / "02-staying-safe" / "quiz.yaml"
    extra = "".join(question_yaml(f"extra-{n}", answer="true" if n % 2 else "false") for n in range(6))
    quiz.write_text(quiz.read_text().replace("draw: 3", "") + extra)
    assert "02-staying-safe/quiz.yaml: draw: is required when the pool has more than 10 questions (it has 11): " \
        "say how many are asked per attempt" in problems_of(tree)
    quiz.write_text("draw: 7\n" + quiz.read_text())
    assert not [p for p in problems_of(tree) if ": draw:" in p]


def test_true_false_answers_must_be_balanced(tree):
    quiz = tree / "02-staying-safe" / "quiz.yaml"
    original = quiz.read_text()
    # With safe-unsure, 4 true/false questions: 3 true and 1 false is more than 2/3 true.
    quiz.write_text(original + question_yaml("tf-a") + question_yaml("tf-b") + question_yaml("tf-c", answer="false"))
    assert "02-staying-safe/quiz.yaml: questions: 3 of 4 true/false questions are true and 1 false: " \
        "balance them (neither answer in more than 2/3)" in problems_of(tree)
    quiz.write_text(original + question_yaml("tf-a") + question_yaml("tf-b", answer="false") + question_yaml("tf-c", answer="false"))
    assert not [p for p in problems_of(tree) if "true/false questions are" in p]


def test_blind_strategy_scores_are_expected_values_over_the_pool():
    from course.content.checks import strategy_scores

    first = load_course(FIXTURE_CONTENT).module("first-steps").quiz
    scores = {score.strategy: score for score in strategy_scores(first)}
    # "true" on call-911 (right), a guess at the other two: 1 of 4 choices, 1 of 15 sets of boxes.
    assert scores['every true/false "true"'].expected_right == pytest.approx(1 + 1 / 4 + 1 / 15)
    assert scores["always the last choice (file order)"].expected_right == 0
    assert max(score.percent for score in scores.values()) < first.pass_mark


@pytest.mark.parametrize(
    "url, refused",
    [
        ("https://www.scribd.com/doc/1", True),
        ("https://fr.scribd.com/doc/1", True),
        ("https://vdocuments.mx/x.html", True),
        ("https://analyzingfreak.blogspot.com/2019/x.html", True),
        ("https://www.rehabs.com/x", True),
        ("https://c.coek.info/pdf-x.html", True),
        ("https://www.nreppadmin.net/ViewIntervention.aspx?id=1", True),
        ("https://www.samhsa.gov/find-help/helplines/national-helpline", False),
        ("https://www.recoveryanswers.org/resource/x", False),
        ("https://notscribd.example.org/x", False),
    ],
)
def test_refused_source_hosts(url, refused):
    from course.content.source_hosts import refused_host_reason

    assert (refused_host_reason(url) is not None) == refused


def test_a_select_all_question_with_every_option_right_is_refused(tree):
    quiz = tree / "02-staying-safe" / "quiz.yaml"
    edit(quiz, "        text: Laughing\n        correct: false", "        text: Laughing\n        correct: true")
    edit(quiz, "        text: Asking for food\n        correct: false", "        text: Asking for food\n        correct: true")
    assert "02-staying-safe/quiz.yaml: questions[3] (signs).choices: every option of this select-all question is " \
        "right: “tick every box” would pass it; keep at least 2 wrong options" in problems_of(tree)
