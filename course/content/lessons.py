"""Lessons and the emergency page: Markdown checked, lesson links resolved, reading level measured."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token
from markupsafe import Markup

from course import readability
from course.content.fields import FieldReader
from course.content.markdown import MD, lesson_url
from course.content.model import (
    CALLOUTS,
    EMERGENCY_FIELDS,
    LESSON_FIELDS,
    LESSON_LINK,
    NUMBERED_NAME,
    RESERVED_LESSON_SLUGS,
    EmergencyPage,
    Lesson,
    Module,
)


@dataclass
class _ParsedLesson:
    path: Path
    module_slug: str
    slug: str
    number: int
    meta: dict
    tokens: list[Token]
    body_line: int  # file line of the body's first line, for messages




class LessonReader(FieldReader):
    """Reads lessons, module folders and the emergency page."""

    def parse_markdown(self, path: Path, body: str, body_line: int, allow_lesson_links: bool) -> list[Token]:
        tokens = MD.parse(body)
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
                child.attrs["href"] = lesson_url(match.group(1), match.group(2))
        return Markup(MD.renderer.render(tokens, MD.options, {}))

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
