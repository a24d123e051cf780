"""What this app loaded at start-up and what pages share: the course, and how dates read."""

from __future__ import annotations

from flask import current_app

from course.content import Course


def get_course() -> Course:
    """Return the loaded course of the current app (raises the content error when it did not load)."""
    course = current_app.extensions["lantern_course"]
    if course is None:
        raise current_app.extensions["lantern_content_error"]
    return course


def long_date(value) -> str:
    """Format a date as 'November 23, 2026'."""
    return f"{value:%B} {value.day}, {value.year}" if value else ""
