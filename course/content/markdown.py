"""Markdown for lessons: CommonMark with callout containers; raw HTML is parsed (to be refused) but never rendered."""

from __future__ import annotations

from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

from course.content.model import CALLOUTS

def callout_renderer(kind: str, label: str):
    def render(self, tokens, idx, options, env):
        if tokens[idx].nesting == 1:
            return (
                f'<div class="callout callout-{kind}" role="note">'
                f'<p class="callout-label">{label}</p>\n'
            )
        return "</div>\n"

    return render


def markdown_parser() -> MarkdownIt:
    # html=True only so raw HTML shows up as tokens the validator can reject;
    # the renderer below never emits it.
    md = MarkdownIt("commonmark", {"html": True})
    for kind, label in CALLOUTS.items():
        md.use(container_plugin, name=kind, render=callout_renderer(kind, label))
    md.add_render_rule("html_block", lambda *args: "")
    md.add_render_rule("html_inline", lambda *args: "")
    return md


MD = markdown_parser()


def lesson_url(module_slug: str, lesson_slug: str) -> str:
    return f"/learn/{module_slug}/{lesson_slug}"

