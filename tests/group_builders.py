"""Builders for the group tests: groups, memberships, lesson progress and quiz attempts
written straight to the database, dated in the past where a test needs it."""

from __future__ import annotations

import html
import re
import secrets
from datetime import timedelta

from functools import cache

from werkzeug.security import generate_password_hash

from course import grading, groups
from course.content import Question
from course.extensions import db
from course.models import Group, LessonProgress, Membership, Role, User, utcnow
from tests.conftest import PASSWORD

# The fixture content (tests/content): module slug -> lesson slugs.
FIRST, SAFE = "first-steps", "staying-safe"


def course(app):
    return app.extensions["lantern_course"]


@cache
def _password_hash() -> str:
    # Hashing is slow on purpose; tests that build many accounts share one hash of PASSWORD.
    return generate_password_hash(PASSWORD)


def quick_user(app, role: str = Role.LEARNER, name: str = "Learner", email: str | None = None, active: bool = True) -> User:
    """Create an account that logs in with PASSWORD; returns a detached User."""
    with app.app_context():
        user = User(
            email=email or f"{secrets.token_hex(6)}@example.org",
            display_name=name,
            role=role,
            active=active,
            password_hash=_password_hash(),
        )
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def make_group(app, facilitator: User, name: str = "Tuesday family group", archived: bool = False) -> Group:
    """Create a group led by the facilitator, with a fresh code; returns a detached Group."""
    with app.app_context():
        leader = db.session.get(User, facilitator.id)
        group = groups.create_group(leader, name)
        if archived:
            groups.archive_group(group)
        db.session.refresh(group)
        db.session.expunge(group)
        return group


def add_member(app, group: Group, user: User, share_email: bool = False, joined_days_ago: float = 0) -> None:
    with app.app_context():
        db.session.add(
            Membership(
                group_id=group.id,
                user_id=user.id,
                share_email=share_email,
                joined_at=utcnow() - timedelta(days=joined_days_ago),
            )
        )
        db.session.commit()


def set_last_seen(app, user: User, days_ago: float | None) -> None:
    with app.app_context():
        db.session.get(User, user.id).last_seen_at = None if days_ago is None else utcnow() - timedelta(days=days_ago)
        db.session.commit()


def finish_lessons(app, user: User, module_slug: str, count: int | None = None, days_ago: float = 0) -> None:
    """Record the first `count` lessons of a module (all by default) as opened and completed."""
    with app.app_context():
        when = utcnow() - timedelta(days=days_ago)
        for lesson in course(app).module(module_slug).lessons[:count]:
            db.session.add(
                LessonProgress(
                    user_id=user.id, module_slug=module_slug, lesson_slug=lesson.slug, started_at=when, completed_at=when
                )
            )
        db.session.commit()


def wrong_answer(question: Question) -> tuple[str, ...]:
    if question.type == "order":
        return tuple(reversed(question.correct_answer))
    return (next(choice.id for choice in question.choices if not choice.correct),)


def take_quiz(app, user: User, module_slug: str, wrong: tuple[str, ...] = (), days_ago: float = 0):
    """Record an attempt that gets the questions named in `wrong` wrong and every other one right."""
    with app.app_context():
        quiz = course(app).module(module_slug).quiz
        answers = {q.id: wrong_answer(q) if q.id in wrong else q.correct_answer for q in quiz.questions}
        attempt = grading.record_attempt(user.id, quiz, grading.grade(quiz, answers), secrets.token_urlsafe(24))
        attempt.submitted_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()
        return attempt.id


def pass_module(app, user: User, module_slug: str, days_ago: float = 0) -> None:
    finish_lessons(app, user, module_slug, days_ago=days_ago)
    take_quiz(app, user, module_slug, days_ago=days_ago)


def text_of(page: str) -> str:
    """Return a page's visible words in <main>, tags dropped and spaces collapsed, to assert what a user reads."""
    main = page[page.index("<main") : page.index("</main>")]
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())
    return re.sub(r" ([,.;:!?])", r"\1", words)  # "<strong>name</strong>, led by" reads "name, led by"
