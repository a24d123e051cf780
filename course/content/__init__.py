"""Read the course from modules/ into frozen dataclasses, validate it, render it once.

`check_course(path)` returns every problem (file, field, message); `load_course(path)`
returns a Course or raises ContentError carrying those problems. The package's parts:
model (the dataclasses), markdown, fields, lessons, quizzes, checks (does a quiz measure?).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from course.content import checks
from course.content.lessons import LessonReader, _ParsedLesson
from course.content.model import (
    DEFAULT_PASS_MARK,
    KNOWLEDGE_CHECK_FILE,
    KNOWLEDGE_CHECK_SLUG,
    MODULE_FIELDS,
    QUESTION_TYPES,
    RESERVED_MODULE_SLUGS,
    Choice,
    ContentError,
    Course,
    EmergencyPage,
    Lesson,
    Module,
    Problem,
    Question,
    Quiz,
    Source,
)
from course.content.quizzes import QuizReader

__all__ = [
    "DEFAULT_PASS_MARK",
    "KNOWLEDGE_CHECK_FILE",
    "KNOWLEDGE_CHECK_SLUG",
    "QUESTION_TYPES",
    "Choice",
    "ContentError",
    "Course",
    "EmergencyPage",
    "Lesson",
    "Module",
    "Problem",
    "Question",
    "Quiz",
    "Source",
    "check_course",
    "load_course",
]


class _Loader(LessonReader, QuizReader):
    """Reads a whole content tree, collecting every problem."""

    def build_module(self, number: int, slug: str, folder: Path, parsed: list[_ParsedLesson], known) -> Module:
        meta_path = folder / "module.yaml"
        meta: Any = {}
        if not meta_path.exists():
            self.problem(meta_path, "file", "is missing (title and summary of the module)")
        else:
            meta = self.read_yaml(meta_path) or {}
            if not isinstance(meta, dict):
                self.problem(meta_path, "file", "must be a mapping with title and summary")
                meta = {}
            self.unknown_fields(meta_path, meta, MODULE_FIELDS)
        title = self.text_field(meta_path, meta, "title", "") if meta_path.exists() else slug
        summary = self.text_field(meta_path, meta, "summary", "", required=False)
        lessons = tuple(self.build_lesson(lesson, known) for lesson in parsed)
        quiz = self.build_quiz(folder / "quiz.yaml", slug, {lesson.slug for lesson in lessons})
        always_open = meta.get("always_open", False) if isinstance(meta, dict) else False
        if not isinstance(always_open, bool):
            self.problem(meta_path, "always_open", "must be true or false")
            always_open = False
        return Module(slug, number, title, summary, lessons, quiz, always_open)

    def load(self) -> Course:
        if not self.root.is_dir():
            self.problem(self.root, "folder", "does not exist")
            return Course((), None, "")
        module_dirs = self.numbered_children(self.root, "")
        if not module_dirs:
            self.problem(self.root, "modules", "no module folders (NN-slug/) found")
        for _, module_slug, folder in module_dirs:
            if module_slug in RESERVED_MODULE_SLUGS:
                self.problem(folder, "slug", f"'{module_slug}' is reserved by the app; choose another name")
        parsed: dict[str, list[_ParsedLesson]] = {}
        for _, module_slug, folder in module_dirs:
            parsed[module_slug] = [
                lesson
                for number, slug, path in self.module_files(folder)
                if (lesson := self.parse_lesson(path, module_slug, number, slug)) is not None
            ]
        known = {(lesson.module_slug, lesson.slug) for lessons in parsed.values() for lesson in lessons}
        modules = [
            self.build_module(number, slug, folder, parsed[slug], known) for number, slug, folder in module_dirs
        ]
        emergency = self.build_emergency(modules)
        knowledge_check = self.build_knowledge_check(modules)
        quizzes = [(folder / "quiz.yaml", module.quiz) for (_, _, folder), module in zip(module_dirs, modules)]
        if knowledge_check is not None:
            quizzes.append((self.root / KNOWLEDGE_CHECK_FILE, knowledge_check))
        self.repeated_prompts(quizzes)
        course = Course(tuple(modules), emergency, _tree_version(self.root), knowledge_check)
        if course.lesson_count and course.average_grade > self.max_average_grade:
            self.problem(
                self.root, "reading level",
                f"the course's average Flesch–Kincaid grade {course.average_grade:.1f} is above "
                f"the limit of {self.max_average_grade:g}",
            )
        return course


    def build_knowledge_check(self, modules: list[Module]) -> Quiz | None:
        """Read the knowledge check's own bank, if the tree has one; its questions name lessons as MODULE/LESSON."""
        path = self.root / KNOWLEDGE_CHECK_FILE
        if not path.exists():
            return None
        lessons = {f"{module.slug}/{lesson.slug}" for module in modules for lesson in module.lessons}
        bank = self.build_quiz(path, KNOWLEDGE_CHECK_SLUG, lessons)
        return bank if bank.questions else None

    def repeated_prompts(self, quizzes: list[tuple[Path, Quiz]]) -> None:
        """Report a question whose prompt nearly repeats another quiz's (the later one is named)."""
        located = [(path, index, question) for path, quiz in quizzes for index, question in enumerate(quiz.questions)]
        for i, j, share in checks.similar_prompts([(str(path), question) for path, _, question in located]):
            (path_i, index_i, question_i), (path_j, index_j, question_j) = located[i], located[j]
            shown_i = path_i.name if path_i.parent == self.root else f"{path_i.parent.name}/{path_i.name}"
            self.problem(
                path_j, f"questions[{index_j}] ({question_j.id}).prompt",
                f"nearly repeats {shown_i} questions[{index_i}] ({question_i.id}) "
                f"({share:.0%} of their words are shared): ask something new, or drop one",
            )


def _tree_version(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def check_course(root: str | Path, max_grade: float = 8.0, max_average_grade: float = 7.0) -> tuple[Course, list[Problem]]:
    """Read the tree at root; return what could be built and every problem found."""
    loader = _Loader(Path(root).resolve(), max_grade, max_average_grade)
    course = loader.load()
    return course, loader.problems


def load_course(root: str | Path, max_grade: float = 8.0, max_average_grade: float = 7.0) -> Course:
    """Return the course at root, or raise ContentError listing every problem."""
    course, problems = check_course(root, max_grade, max_average_grade)
    if problems:
        raise ContentError(problems)
    return course

