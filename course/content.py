"""Read the course from modules/ into frozen dataclasses, validate it, render it once.

`check_course(path)` returns every problem (file, field, message); `load_course(path)`
returns a Course or raises ContentError carrying those problems.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.container import container_plugin

from course import readability

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
NUMBERED_NAME = re.compile(rf"^(\d+)-({SLUG})$")
ID_PATTERN = re.compile(rf"^{SLUG}$")
RESERVED_LESSON_SLUGS = {"quiz", "handout"}
RESERVED_MODULE_SLUGS = {"certificate"}
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
        return next((choice for choice in self.choices if choice.id == choice_id), None)

    @cached_property
    def display_choices(self) -> tuple[Choice, ...]:
        """Return the choices as shown: a put-in-order question never shows the answer."""
        if self.type != "order":
            return self.choices
        shuffled = list(self.choices)
        random.Random(self.id).shuffle(shuffled)  # the same order for every learner
        if shuffled == list(self.choices):
            shuffled = shuffled[1:] + shuffled[:1]
        return tuple(shuffled)


@dataclass(frozen=True)
class Quiz:
    module_slug: str
    pass_mark: int
    questions: tuple[Question, ...]  # the pool
    version: str
    # Questions asked per attempt, drawn from the pool (critical ones always); None: all of them.
    draw: int | None = None

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


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

    @property
    def minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)

    @property
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

    def module(self, slug: str) -> Module | None:
        return next((module for module in self.modules if module.slug == slug), None)

    @property
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


# --- Markdown ------------------------------------------------------------------------


def _callout_renderer(kind: str, label: str):
    def render(self, tokens, idx, options, env):
        if tokens[idx].nesting == 1:
            return (
                f'<div class="callout callout-{kind}" role="note">'
                f'<p class="callout-label">{label}</p>\n'
            )
        return "</div>\n"

    return render


def _markdown() -> MarkdownIt:
    # html=True only so raw HTML shows up as tokens the validator can reject;
    # the renderer below never emits it.
    md = MarkdownIt("commonmark", {"html": True})
    for kind, label in CALLOUTS.items():
        md.use(container_plugin, name=kind, render=_callout_renderer(kind, label))
    md.add_render_rule("html_block", lambda *args: "")
    md.add_render_rule("html_inline", lambda *args: "")
    return md


_MD = _markdown()


def _lesson_url(module_slug: str, lesson_slug: str) -> str:
    return f"/learn/{module_slug}/{lesson_slug}"


# --- the loader ----------------------------------------------------------------------


@dataclass
class _ParsedLesson:
    path: Path
    module_slug: str
    slug: str
    number: int
    meta: dict
    tokens: list[Token]
    body_line: int  # file line of the body's first line, for messages


@dataclass
class _Loader:
    root: Path
    max_grade: float
    max_average_grade: float
    problems: list[Problem] = field(default_factory=list)

    def problem(self, path: Path, where: str, message: str) -> None:
        try:
            name = str(path.relative_to(self.root)) if path != self.root else self.root.name
        except ValueError:
            name = str(path)
        self.problems.append(Problem(name, where, message))

    # files

    def read_yaml(self, path: Path, text: str | None = None, first_line: int = 1) -> Any:
        try:
            raw = path.read_text(encoding="utf-8") if text is None else text
            return yaml.safe_load(raw)
        except UnicodeDecodeError:
            self.problem(path, "file", "is not UTF-8 text")
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f"line {mark.line + first_line}" if mark is not None else "yaml"
            reason = getattr(error, "problem", None) or str(error)
            self.problem(path, line, f"YAML syntax error: {reason}")
        return None

    def read_front_matter(self, path: Path) -> tuple[dict | None, str, int]:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problem(path, "file", "is not UTF-8 text")
            return None, "", 1
        lines = text.splitlines(keepends=True)
        if not lines or lines[0].strip() != "---":
            self.problem(path, "front matter", "must start the file, between two '---' lines")
            return None, text, 1
        for index, line in enumerate(lines[1:], start=1):
            if line.strip() == "---":
                meta = self.read_yaml(path, "".join(lines[1:index]), first_line=2)
                if meta is None:
                    return None, "", index + 2
                if not isinstance(meta, dict):
                    self.problem(path, "front matter", "must be a mapping of fields (title: ..., sources: ...)")
                    return None, "", index + 2
                return meta, "".join(lines[index + 1 :]), index + 2
        self.problem(path, "front matter", "has no closing '---' line")
        return None, "", 1

    # fields

    def text_field(self, path: Path, data: dict, key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(path, f"{where}{key}", "is missing")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"{where}{key}", "must be non-empty text")
            return ""
        return " ".join(value.split())

    def unknown_fields(self, path: Path, data: dict, allowed: set[str], where: str = "") -> None:
        for key in sorted(set(data) - allowed, key=str):
            self.problem(path, f"{where}{key}", f"is not a known field (known: {', '.join(sorted(allowed))})")

    def sources(self, path: Path, meta: dict) -> tuple[Source, ...]:
        raw = meta.get("sources")
        if not raw:
            self.problem(path, "sources", "is missing: list at least one source (title and https URL)")
            return ()
        if not isinstance(raw, list):
            self.problem(path, "sources", "must be a list of {title, url}")
            return ()
        sources = []
        for index, item in enumerate(raw):
            where = f"sources[{index}]"
            if not isinstance(item, dict):
                self.problem(path, where, "must have a title and a url")
                continue
            title = self.text_field(path, item, "title", f"{where}.")
            url = self.text_field(path, item, "url", f"{where}.")
            if url and not url.startswith("https://"):
                self.problem(path, f"{where}.url", "must be an https:// address")
            if title and url:
                sources.append(Source(title, url))
        return tuple(sources)

    def language(self, path: Path, where: str, text: str) -> None:
        for term in readability.stigmatising_terms(text):
            self.problem(
                path,
                where,
                f'uses "{term}": use person-first language, or put the word in quotation marks '
                "when the lesson teaches the language itself",
            )

    # Markdown

    def parse_markdown(self, path: Path, body: str, body_line: int, allow_lesson_links: bool) -> list[Token]:
        tokens = _MD.parse(body)
        for token in tokens:
            line = f"line {token.map[0] + body_line}" if token.map else "body"
            if token.type == "html_block":
                self.problem(path, line, "raw HTML is not allowed; use Markdown")
            elif token.type == "heading_open" and token.tag == "h1":
                self.problem(path, line, "use ## or ### headings; the title comes from the front matter")
            elif token.type == "inline":
                for child in token.children or []:
                    if child.type == "html_inline":
                        self.problem(path, line, f"raw HTML is not allowed ({child.content}); use Markdown")
                    if child.type == "link_open":
                        href = str(child.attrs.get("href", ""))
                        if href.startswith("lesson:") and not allow_lesson_links:
                            self.problem(path, line, f"links to lessons are not allowed here ({href})")
                        elif not href.startswith(("lesson:", "https://", "/", "#", "tel:", "mailto:")):
                            self.problem(path, line, f"link {href!r} must be https://, /path, tel: or lesson:")
                if token.content.lstrip().startswith(":::"):
                    self.problem(
                        path, line, f"unknown or unclosed callout {token.content.split()[0:2]}; "
                        f"kinds are {', '.join(CALLOUTS)}"
                    )
        return tokens

    def render(self, path: Path, tokens: list[Token], known_lessons: set[tuple[str, str]], body_line: int = 1) -> Markup:
        for token in tokens:
            for child in token.children or []:
                href = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
                if not href.startswith("lesson:"):
                    continue
                match = LESSON_LINK.match(href)
                if not match or (match.group(1), match.group(2)) not in known_lessons:
                    self.problem(path, f"line {(token.map or [0])[0] + body_line}", f"broken lesson link {href!r}")
                    continue
                child.attrs["href"] = _lesson_url(match.group(1), match.group(2))
        return Markup(_MD.renderer.render(tokens, _MD.options, {}))

    def reading_level(self, path: Path, tokens: list[Token]) -> float:
        text = readability.plain_text(tokens)
        grade = readability.reading_grade(text) if text else 0.0
        if grade > self.max_grade:
            self.problem(
                path, "reading level",
                f"Flesch–Kincaid grade {grade:.1f} is above the limit of {self.max_grade:g}: "
                "use shorter sentences and everyday words",
            )
        self.language(path, "body", text)
        return grade

    # lessons and modules

    def parse_lesson(self, path: Path, module_slug: str, number: int, slug: str) -> _ParsedLesson | None:
        meta, body, body_line = self.read_front_matter(path)
        if meta is None:
            return None
        tokens = self.parse_markdown(path, body, body_line, allow_lesson_links=True)
        return _ParsedLesson(path, module_slug, slug, number, meta, tokens, body_line)

    def build_lesson(self, parsed: _ParsedLesson, known: set[tuple[str, str]]) -> Lesson:
        path, meta = parsed.path, parsed.meta
        self.unknown_fields(path, meta, LESSON_FIELDS)
        title = self.text_field(path, meta, "title", "")
        summary = self.text_field(path, meta, "summary", "", required=False)
        minutes = meta.get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 15:
            self.problem(path, "minutes", "must be a whole number of minutes from 1 to 15")
            minutes = 0
        self.language(path, "title", title)
        self.language(path, "summary", summary)
        return Lesson(
            module_slug=parsed.module_slug,
            slug=parsed.slug,
            number=parsed.number,
            title=title,
            minutes=minutes,
            summary=summary,
            sources=self.sources(path, meta),
            html=self.render(path, parsed.tokens, known, parsed.body_line),
            reading_grade=self.reading_level(path, parsed.tokens),
        )

    def numbered_children(self, folder: Path, suffix: str) -> list[tuple[int, str, Path]]:
        """Return (number, slug, path) of folder's numbered entries, reporting duplicates."""
        found: list[tuple[int, str, Path]] = []
        for path in sorted(folder.iterdir()):
            name = path.name[: -len(suffix)] if suffix and path.name.endswith(suffix) else path.name
            match = NUMBERED_NAME.match(name)
            if match and (path.is_dir() if not suffix else path.is_file() and path.name.endswith(suffix)):
                found.append((int(match.group(1)), match.group(2), path))
        found.sort(key=lambda item: (item[0], item[1]))
        for (number_a, slug_a, _), (number_b, slug_b, path_b) in zip(found, found[1:]):
            if number_a == number_b:
                self.problem(path_b, "name", f"has the same number {number_b} as '{slug_a}': order is ambiguous")
        seen: set[str] = set()
        for _, slug, path in found:
            if slug in seen:
                self.problem(path, "slug", f"'{slug}' is used twice")
            seen.add(slug)
        return found

    def module_files(self, folder: Path) -> list[tuple[int, str, Path]]:
        lessons = self.numbered_children(folder, ".md")
        lesson_paths = {path for _, _, path in lessons}
        for path in sorted(folder.iterdir()):
            if path.name in ("module.yaml", "quiz.yaml") or path in lesson_paths or path.name.startswith("."):
                continue
            self.problem(path, "name", "is not module.yaml, quiz.yaml or a lesson named NN-slug.md")
        for _, slug, path in lessons:
            if slug in RESERVED_LESSON_SLUGS:
                self.problem(path, "slug", f"'{slug}' is reserved by the app; choose another name")
        if not lessons:
            self.problem(folder, "lessons", "a module needs at least one lesson (NN-slug.md)")
        return lessons

    # quizzes

    def build_quiz(self, path: Path, module_slug: str, lesson_slugs: set[str]) -> Quiz:
        empty = Quiz(module_slug, DEFAULT_PASS_MARK, (), "")
        if not path.exists():
            self.problem(path, "file", "is missing: every module ends with a quiz")
            return empty
        raw_bytes = path.read_bytes()
        data = self.read_yaml(path)
        if data is None:
            return empty
        if not isinstance(data, dict):
            self.problem(path, "file", "must be a mapping with pass_mark and questions")
            return empty
        self.unknown_fields(path, data, QUIZ_FIELDS)
        pass_mark = data.get("pass_mark", DEFAULT_PASS_MARK)
        if not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 1 <= pass_mark <= 100:
            self.problem(path, "pass_mark", "must be a whole-number percentage from 1 to 100")
            pass_mark = DEFAULT_PASS_MARK
        raw_questions = data.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            self.problem(path, "questions", "must be a list of at least one question")
            raw_questions = []
        questions: list[Question] = []
        seen_ids: set[str] = set()
        for index, raw in enumerate(raw_questions):
            question = self.build_question(path, index, raw, lesson_slugs, seen_ids)
            if question is not None:
                questions.append(question)
        version = hashlib.sha256(raw_bytes).hexdigest()[:16]
        draw = data.get("draw")
        critical = sum(question.critical for question in questions)
        if draw is not None:
            if not isinstance(draw, int) or isinstance(draw, bool) or not 1 <= draw <= len(questions):
                self.problem(path, "draw", f"must be a whole number from 1 to the pool's size ({len(questions)})")
                draw = None
            elif draw < critical:
                self.problem(path, "draw", f"must be at least the number of critical questions ({critical})")
                draw = None
        return Quiz(module_slug, pass_mark, tuple(questions), version, draw)

    def build_question(
        self, path: Path, index: int, raw: Any, lesson_slugs: set[str], seen_ids: set[str]
    ) -> Question | None:
        where = f"questions[{index}]"
        if not isinstance(raw, dict):
            self.problem(path, where, "must be a mapping (id, type, prompt, choices ...)")
            return None
        question_id = raw.get("id")
        if isinstance(question_id, str) and question_id:
            where = f"questions[{index}] ({question_id})"
        self.unknown_fields(path, raw, QUESTION_FIELDS, f"{where}.")
        if not isinstance(question_id, str) or not ID_PATTERN.match(question_id):
            self.problem(path, f"{where}.id", "is missing or not made of lowercase letters, digits and hyphens")
            question_id = ""
        elif question_id in seen_ids:
            self.problem(path, f"{where}.id", f"'{question_id}' is used by another question in this quiz")
        seen_ids.add(question_id)
        kind = raw.get("type")
        if kind not in QUESTION_TYPES:
            self.problem(path, f"{where}.type", f"must be one of {', '.join(QUESTION_TYPES)}")
            return None
        prompt = self.text_field(path, raw, "prompt", f"{where}.")
        self.language(path, f"{where}.prompt", prompt)
        lesson = raw.get("lesson")
        if lesson not in lesson_slugs:
            self.problem(path, f"{where}.lesson", f"must name a lesson of this module (one of {', '.join(sorted(lesson_slugs))})")
            lesson = ""
        flags = {}
        for flag in ("critical", "emergency_steps", "refresher"):
            value = raw.get(flag, False)
            if not isinstance(value, bool):
                self.problem(path, f"{where}.{flag}", "must be true or false")
                value = False
            flags[flag] = value
        if flags["emergency_steps"] and kind != "order":
            self.problem(path, f"{where}.emergency_steps", "only a put-in-order question can hold the emergency steps")
        choices = self.build_choices(path, where, kind, raw.get("choices"))
        return Question(
            question_id, kind, prompt, choices, str(lesson), flags["critical"], flags["emergency_steps"], flags["refresher"]
        )

    def build_choices(self, path: Path, where: str, kind: str, raw: Any) -> tuple[Choice, ...]:
        if not isinstance(raw, list) or len(raw) < 2:
            self.problem(path, f"{where}.choices", "must be a list of at least two choices")
            return ()
        choices: list[Choice] = []
        for index, item in enumerate(raw):
            here = f"{where}.choices[{index}]"
            if not isinstance(item, dict):
                self.problem(path, here, "must be a mapping (id, text, explanation ...)")
                continue
            self.unknown_fields(path, item, CHOICE_FIELDS, f"{here}.")
            choice_id = item.get("id")
            if kind == "true_false" and isinstance(choice_id, bool):
                choice_id = str(choice_id).lower()  # an unquoted `true` in YAML
            if not isinstance(choice_id, str) or not ID_PATTERN.match(choice_id):
                self.problem(path, f"{here}.id", "is missing or not made of lowercase letters, digits and hyphens")
                choice_id = f"choice-{index}"
            text = self.text_field(path, item, "text", f"{here}.", required=kind != "true_false")
            if kind == "true_false" and not text:
                text = choice_id.capitalize()
            explanation = self.text_field(path, item, "explanation", f"{here}.")
            correct = item.get("correct")
            if kind == "order":
                if correct is not None:
                    self.problem(path, f"{here}.correct", "is not used in put-in-order: list the choices in the right order")
                correct = True
            elif not isinstance(correct, bool):
                self.problem(path, f"{here}.correct", "must be true or false")
                correct = False
            self.language(path, f"{here}.text", text)
            self.language(path, f"{here}.explanation", explanation)
            choices.append(Choice(choice_id, text, correct, explanation))
        ids = [choice.id for choice in choices]
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            self.problem(path, f"{where}.choices", f"choice id '{duplicate}' is used twice")
        right = sum(choice.correct for choice in choices)
        if kind == "single" and right != 1:
            self.problem(path, f"{where}.choices", f"a single-choice question needs exactly one right answer, not {right}")
        if kind == "multiple" and right < 1:
            self.problem(path, f"{where}.choices", "a select-all question needs at least one right answer")
        if kind == "true_false":
            if sorted(ids) != ["false", "true"]:
                self.problem(path, f"{where}.choices", "a true/false question has exactly the choices 'true' and 'false'")
            elif right != 1:
                self.problem(path, f"{where}.choices", "exactly one of 'true' and 'false' must be right")
        return tuple(choices)

    # the whole course

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

    def build_emergency(self, modules: list[Module]) -> EmergencyPage | None:
        path = self.root / "emergency.md"
        step_questions = [q for m in modules for q in m.quiz.questions if q.emergency_steps]
        if len(step_questions) > 1:
            self.problem(path, "emergency_steps", "more than one quiz question is marked emergency_steps")
        if not path.exists():
            if step_questions:
                self.problem(path, "file", "is missing, but a quiz question holds the emergency steps")
            return None
        meta, body, body_line = self.read_front_matter(path)
        if meta is None:
            return None
        self.unknown_fields(path, meta, EMERGENCY_FIELDS)
        tokens = self.parse_markdown(path, body, body_line, allow_lesson_links=False)
        steps = tuple(
            " ".join(tokens[i + 1].content.split())
            for i, token in enumerate(tokens)
            if token.type == "heading_open" and token.tag == "h2"
        )
        if step_questions:
            expected = tuple(choice.text for choice in step_questions[0].choices)
            if steps != expected:
                self.problem(
                    path, "steps",
                    "the ## headings must be exactly the steps of the emergency_steps question, in order: "
                    + " | ".join(expected),
                )
        page = EmergencyPage(
            title=self.text_field(path, meta, "title", ""),
            html=self.render(path, tokens, set()),
            steps=steps,
            sources=self.sources(path, meta),
        )
        self.reading_level(path, tokens)
        return page

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
        course = Course(tuple(modules), emergency, _tree_version(self.root))
        if course.lesson_count and course.average_grade > self.max_average_grade:
            self.problem(
                self.root, "reading level",
                f"the course's average Flesch–Kincaid grade {course.average_grade:.1f} is above "
                f"the limit of {self.max_average_grade:g}",
            )
        return course


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

