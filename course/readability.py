"""Reading level and language checks for lesson text (no Flask, no request)."""

from __future__ import annotations

import re
import sys

import textstat
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Labels that stigmatise (NIDA "Words Matter"). Allowed only inside quotation
# marks, where a lesson teaches the language itself.
STIGMATISING_TERMS = (
    r"addicts?",
    r"junkies?",
    r"junkie",
    r"abusers?",
    r"drug abuse",
    r"substance abuse",
    r"clean",
    r"dirty",
    r"habits?",
    r"drug users?",
    r"replacement therapy",
    r"dope ?fiends?",
)
_STIGMA_RE = re.compile(r"\b(" + "|".join(STIGMATISING_TERMS) + r")\b", re.IGNORECASE)
# Straight single quotes are left out: they are mostly apostrophes ("don't").
_QUOTED_RE = re.compile(r"\"[^\"\n]*\"|“[^”]*”|‘[^’]*’")

_SENTENCE_END = (".", "!", "?", ":", ";")


def plain_text(tokens: list[Token]) -> str:
    """Return the readable text of parsed Markdown, one sentence per block.

    Headings and list items rarely end with a full stop; without one the
    formula would read a whole list as one long sentence.
    """
    blocks: list[str] = []
    for token in tokens:
        if token.type != "inline":
            continue
        text = "".join(child.content for child in token.children or [] if child.type in ("text", "code_inline"))
        text = " ".join(text.split())
        if not text:
            continue
        if not text.endswith(_SENTENCE_END):
            text += "."
        blocks.append(text)
    return "\n".join(blocks)


def reading_grade(text: str) -> float:
    """Return the Flesch–Kincaid grade of plain text."""
    return float(textstat.flesch_kincaid_grade(text))


def stigmatising_terms(text: str) -> list[str]:
    """Return the stigmatising labels used in text outside quotation marks."""
    unquoted = _QUOTED_RE.sub(" ", text)
    return sorted({match.group(0).lower() for match in _STIGMA_RE.finditer(unquoted)})


def markdown_grade(markdown: str) -> float:
    """Return the Flesch–Kincaid grade of a Markdown document's text."""
    return reading_grade(plain_text(MarkdownIt("commonmark").parse(markdown)))


if __name__ == "__main__":  # python course/readability.py FILE.md ...: a quick look while writing
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as handle:
            body = handle.read().split("\n---\n", 1)[-1]
        print(f"{path}: grade {markdown_grade(body):.1f}  flagged words: {stigmatising_terms(body) or 'none'}")
