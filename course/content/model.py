"""The course as the app sees it: frozen dataclasses, and the problems the checker reports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
NUMBERED_NAME = re.compile(rf"^(\d+)-({SLUG})$")
ID_PATTERN = re.compile(rf"^{SLUG}$")
RESERVED_LESSON_SLUGS = {"quiz", "handout"}
# The knowledge check (before, after and months after the course) has its own bank, not a module's quiz.
KNOWLEDGE_CHECK_FILE = "knowledge-check.yaml"
KNOWLEDGE_CHECK_SLUG = "knowledge-check"
RESERVED_MODULE_SLUGS = {
    "certificate", KNOWLEDGE_CHECK_SLUG, "review", "refresher", "response-certificate", "reminders",
}
LESSON_LINK = re.compile(rf"^lesson:({SLUG})/({SLUG})$")

QUESTION_TYPES = {
    "single": "Choose one answer",
    "multiple": "Select all that apply",
    "true_false": "True or false",
    "order": "Put in order",
}
CALLOUTS = {"key": "Key point", "try": "Try this", "safety": "Safety"}
LESSON_FIELDS = {"title", "minutes", "summary", "sources"}
EMERGENCY_FIELDS = {"title", "sources"}
MODULE_FIELDS = {"title", "summary", "always_open"}
QUIZ_FIELDS = {"pass_mark", "draw", "questions"}
QUESTION_FIELDS = {"id", "type", "prompt", "lesson", "critical", "emergency_steps", "refresher", "choices"}
CHOICE_FIELDS = {"id", "text", "correct", "explanation"}
DEFAULT_PASS_MARK = 80


# --- the course as the app sees it -------------------------------------------------


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Lesson:
    module_slug: str
    slug: str
    number: int
    title: str
    minutes: int
    summary: str
    sources: tuple[Source, ...]
    html: Markup
    reading_grade: float


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    choices: tuple[Choice, ...]
    lesson_slug: str
    critical: bool = False
    emergency_steps: bool = False
    # Part of the short refresher of this module (critical questions always are).
    refresher: bool = False

    @property
    def type_label(self) -> str:
        return QUESTION_TYPES[self.type]

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return tuple(choice.id for choice in self.choices)

    @property
    def correct_answer(self) -> tuple[str, ...]:
        """Return the right answer: the ids in order for `order`, else the correct ids."""
        if self.type == "order":
            return self.choice_ids
        return tuple(choice.id for choice in self.choices if choice.correct)

    def choice(self, choice_id: str) -> Choice | None:
        return self._choices_by_id.get(choice_id)

    @cached_property
    def _choices_by_id(self) -> dict[str, Choice]:
        return {choice.id: choice for choice in self.choices}


@dataclass(frozen=True)
class Quiz:
    module_slug: str
    pass_mark: int
    questions: tuple[Question, ...]  # the pool
    version: str
    # Questions asked per attempt, drawn from the pool (critical ones always); None: all of them.
    draw: int | None = None

    def question(self, question_id: str) -> Question | None:
        return self._questions_by_id.get(question_id)

    # Looked up for every question of every attempt shown or graded; the pool never changes once loaded.
    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}


@dataclass(frozen=True)
class Module:
    slug: str
    number: int
    title: str
    summary: str
    lessons: tuple[Lesson, ...]
    quiz: Quiz
    # Open from the first visit whatever the sequence says (life-saving content).
    always_open: bool = False

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    # Worked out on first use and kept (the course never changes while it is served).
    @cached_property
    def minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)

    @cached_property
    def sources(self) -> tuple[Source, ...]:
        """Return every source of the module's lessons, once each, in first-use order."""
        return tuple(dict.fromkeys(source for lesson in self.lessons for source in lesson.sources))


@dataclass(frozen=True)
class EmergencyPage:
    title: str
    html: Markup
    steps: tuple[str, ...]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Course:
    modules: tuple[Module, ...]
    emergency: EmergencyPage | None
    version: str
    # The knowledge check's own question bank (modules/knowledge-check.yaml); None when the tree has none.
    knowledge_check: Quiz | None = None

    def module(self, slug: str) -> Module | None:
        return self._modules_by_slug.get(slug)

    def module_before(self, module: Module) -> Module | None:
        """Return the module that comes before this one (None for the first)."""
        return self._previous_modules.get(module.slug)

    # Worked out on first use and kept: the rules ask on every page, and the course never changes.
    @cached_property
    def _modules_by_slug(self) -> dict[str, Module]:
        return {module.slug: module for module in self.modules}

    @cached_property
    def _previous_modules(self) -> dict[str, Module]:
        return {module.slug: previous for previous, module in zip(self.modules, self.modules[1:])}

    @cached_property
    def lesson_keys(self) -> frozenset[tuple[str, str]]:
        """Return every lesson as (module slug, lesson slug)."""
        return frozenset((module.slug, lesson.slug) for module in self.modules for lesson in module.lessons)

    @cached_property
    def always_open_modules(self) -> tuple[Module, ...]:
        """Return the modules open from the first visit (the overdose basics), in course order."""
        return tuple(module for module in self.modules if module.always_open)

    @cached_property
    def lesson_count(self) -> int:
        return sum(len(module.lessons) for module in self.modules)

    @property
    def average_grade(self) -> float:
        grades = [lesson.reading_grade for module in self.modules for lesson in module.lessons]
        return sum(grades) / len(grades) if grades else 0.0


# --- problems ------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class ContentError(Exception):
    """The content tree has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the course content:\n" + "\n".join(map(str, problems)))

