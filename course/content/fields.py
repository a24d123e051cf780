"""Reading files and fields, with every problem named by file and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from course import readability
from course.content.model import Problem, Source
from course.content.source_hosts import refused_host_reason


@dataclass
class FieldReader:
    """Collects problems while reading YAML, front matter, text fields and sources."""

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
            if url and (refused := refused_host_reason(url)):
                self.problem(path, f"{where}.url", refused)
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
