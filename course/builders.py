"""Builders for users, groups, lesson progress and quiz attempts written straight to the database.

One set, shared by the tests (tests/conftest.py, tests/group_builders.py), the demo
(course/demo*.py) and the benchmarks (bench/). Nothing here runs on a request.

Transactions: the builders only flush; the caller (a test fixture, the demo command, a
benchmark) commits once. The one exception is `make_group`, which goes through
`groups.create_group` and so commits, as a real facilitator's new group does.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from course import grading, groups, quiz_layouts
from course.content import Module, Question
from course.extensions import db
from course.models import Group, LessonProgress, Membership, QuizAttempt, QuizLayout, Role, User, utcnow

Answers = dict[str, tuple[str, ...]]


def ago(days: float):
    """Return the moment `days` days before now (naive UTC, as the models store it)."""
    return utcnow() - timedelta(days=days)


def make_user(
    email: str,
    display_name: str,
    role: str = Role.LEARNER,
    *,
    password: str | None = None,
    password_hash: str | None = None,
    active: bool = True,
    created_days_ago: float = 0,
) -> User:
    """Add an account; give `password` to hash it, or a ready `password_hash` to share one slow hash among many."""
    if (password is None) == (password_hash is None):
        raise ValueError("Give make_user a password or a password_hash, not both.")
    user = User(
        email=email.lower(), display_name=display_name, role=role, active=active, password_hash=password_hash,
        created_at=ago(created_days_ago),
    )
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_last_seen(user: User, days_ago: float | None) -> None:
    """Date the user's last visit `days_ago` days back (None: never seen)."""
    db.session.get(User, user.id).last_seen_at = None if days_ago is None else ago(days_ago)
    db.session.flush()


def make_group(facilitator: User, name: str, archived: bool = False) -> Group:
    """Create a group led by the facilitator, with a fresh code (commits, through groups.create_group)."""
    group = groups.create_group(db.session.get(User, facilitator.id), name)
    if archived:
        groups.archive_group(group)
    return group


def add_member(group: Group, user: User, share_email: bool = False, joined_days_ago: float = 0) -> Membership:
    """Add the user to the group, joined `joined_days_ago` days back."""
    membership = Membership(group_id=group.id, user_id=user.id, share_email=share_email, joined_at=ago(joined_days_ago))
    db.session.add(membership)
    db.session.flush()
    return membership


def _add_lesson(user: User, module: Module, lesson_slug: str, opened, completed) -> None:
    db.session.add(
        LessonProgress(
            user_id=user.id, module_slug=module.slug, lesson_slug=lesson_slug, started_at=opened, completed_at=completed
        )
    )


def finish_lesson(user: User, module: Module, lesson_slug: str, days_ago: float = 0, minutes: float = 0) -> None:
    """Record one lesson as opened `days_ago` days back and completed `minutes` later (added; flushed with the next)."""
    opened = ago(days_ago)
    _add_lesson(user, module, lesson_slug, opened, opened + timedelta(minutes=minutes))


def finish_lessons(user: User, module: Module, count: int | None = None, days_ago: float = 0) -> None:
    """Record the first `count` lessons of a module (all by default) as opened and completed, all at one moment."""
    when = ago(days_ago)
    for lesson in module.lessons[:count]:
        _add_lesson(user, module, lesson.slug, when, when)
    db.session.flush()


def wrong_answer(question: Question) -> tuple[str, ...]:
    """Return a wrong answer: put-in-order reversed, otherwise the first wrong choice."""
    if question.type == "order":
        return tuple(reversed(question.correct_answer))
    return (next(choice.id for choice in question.choices if not choice.correct),)


def right_answers(module: Module, wrong: tuple[str, ...] = ()) -> Answers:
    """Return every question's right answer, except the questions named in `wrong`, answered wrongly."""
    return {q.id: wrong_answer(q) if q.id in wrong else q.correct_answer for q in module.quiz.questions}


def take_quiz(
    user: User,
    module: Module,
    answers: Answers | None = None,
    days_ago: float = 0,
    draw: random.Random | None = None,
) -> QuizAttempt:
    """Record an attempt graded by the app's own grading (default: every answer right), dated `days_ago`.

    Without `draw` the attempt answers the whole pool, with no layout stored. With a random
    source it is what a learner's attempt is: questions drawn and choices shuffled by
    quiz_layouts, the layout stored and linked, only the drawn questions graded.
    """
    quiz = module.quiz
    answers = right_answers(module) if answers is None else answers
    layout = None
    if draw is not None:
        asked = quiz_layouts.asked_counts(user.id, quiz.module_slug)  # as a learner's next draw weighs it
        layout = quiz_layouts.draw_layout(quiz, asked, draw, secrets.token_urlsafe(24))
    attempt = grading.unsaved_attempt(quiz, grading.grade(quiz, answers, layout.question_list if layout else None))
    attempt.user_id = user.id
    attempt.submission_token = layout.token if layout else secrets.token_urlsafe(24)
    attempt.submitted_at = ago(days_ago)
    db.session.add(attempt)
    db.session.flush()
    if layout is not None:
        db.session.add(
            QuizLayout(
                user_id=user.id,
                module_slug=quiz.module_slug,
                token=layout.token,
                content_version=quiz.version,
                questions=[[shown.question.id, [choice.id for choice in shown.choices]] for shown in layout.questions],
                attempt_id=attempt.id,
                created_at=attempt.submitted_at,
            )
        )
        db.session.flush()
    return attempt


def pass_module(user: User, module: Module, days_ago: float = 0, lessons_days_ago: float | None = None) -> QuizAttempt:
    """Finish every lesson of a module and pass its quiz with every answer right."""
    finish_lessons(user, module, days_ago=days_ago if lessons_days_ago is None else lessons_days_ago)
    return take_quiz(user, module, days_ago=days_ago)
