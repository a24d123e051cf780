"""The overdose-response refresher: when it falls due, the short quiz that renews it, and its record.

The module is the course's always-open one (found through the course, never by slug). It falls
due LANTERN_REFRESHER_DAYS after the learner last passed that module's quiz or a refresher.
The refresher asks the module's critical and `refresher: true` questions, drawn and shuffled
by course.quiz_layouts and graded by course.grading, so the same rules (critical included) hold.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from course import grading, quiz_layouts
from course.content import Course, Module, Quiz
from course.extensions import db, read
from course.models import QuizAttempt, RefresherAttempt, utcnow

# A refresher is short: every critical question, topped up with refresher questions to this many.
REFRESHER_LENGTH = 5


def overdose_module(course: Course) -> Module | None:
    """Return the always-open (overdose response) module, if the course has one."""
    return next((module for module in course.modules if module.always_open), None)


def refresher_days() -> timedelta:
    return timedelta(days=current_app.config["REFRESHER_DAYS"])


def refresher_quiz(module: Module) -> Quiz:
    """Return the module's quiz cut down to its refresher pool (critical and `refresher: true` questions)."""
    pool = tuple(question for question in module.quiz.questions if question.critical or question.refresher)
    return replace(module.quiz, questions=pool, draw=min(REFRESHER_LENGTH, len(pool)))


def last_renewals(module_slug: str, user_ids: list[int] | None = None) -> dict[int, datetime]:
    """Return when each learner last passed the module's quiz or a refresher (one query)."""
    quiz_passes = sa.select(QuizAttempt.user_id, QuizAttempt.submitted_at.label("at")).where(
        QuizAttempt.module_slug == module_slug, QuizAttempt.passed.is_(True)
    )
    refresher_passes = sa.select(RefresherAttempt.user_id, RefresherAttempt.submitted_at.label("at")).where(
        RefresherAttempt.module_slug == module_slug, RefresherAttempt.passed.is_(True)
    )
    if user_ids is not None:  # inside each branch, so each uses its user index
        quiz_passes = quiz_passes.where(QuizAttempt.user_id.in_(user_ids))
        refresher_passes = refresher_passes.where(RefresherAttempt.user_id.in_(user_ids))
    passes = sa.union_all(quiz_passes, refresher_passes).subquery()
    query = sa.select(passes.c.user_id, sa.func.max(passes.c.at)).group_by(passes.c.user_id)
    return {user_id: at for user_id, at in read(query).all()}


def due_since(
    user_ids: list[int] | set[int], course: Course | None = None, now: datetime | None = None
) -> dict[int, datetime]:
    """Return, for each of these learners whose overdose refresher is due, the moment it fell due (one query)."""
    from course.loaded import get_course

    module = overdose_module(course or get_course())
    ids = list(user_ids)
    if module is None or not ids:
        return {}
    now = now or utcnow()
    due = {user_id: at + refresher_days() for user_id, at in last_renewals(module.slug, ids).items()}
    return {user_id: at for user_id, at in due.items() if at <= now}


def current_until(user_id: int, course: Course) -> datetime | None:
    """Return until when the learner's overdose response counts as current (None: never passed)."""
    module = overdose_module(course)
    if module is None:
        return None
    return renewed_until(last_renewals(module.slug, [user_id]).get(user_id))


def renewed_until(last_renewal: datetime | None) -> datetime | None:
    """Return until when a pass at this time keeps the overdose response current (None: never passed)."""
    return last_renewal + refresher_days() if last_renewal else None


def open_refresher(user_id: int, module: Module, rng: random.Random | None = None) -> RefresherAttempt:
    """Return the learner's open refresher for this quiz version, drawing a new one if there is none."""
    quiz = refresher_quiz(module)
    row = db.session.scalar(
        sa.select(RefresherAttempt)
        .where(
            RefresherAttempt.user_id == user_id,
            RefresherAttempt.module_slug == module.slug,
            RefresherAttempt.content_version == quiz.version,
            RefresherAttempt.submitted_at.is_(None),
        )
        .order_by(RefresherAttempt.id.desc())
        .limit(1)
    )
    if row is not None:
        return row
    layout = quiz_layouts.draw_layout(quiz, {}, rng or random.SystemRandom(), secrets.token_urlsafe(24))
    row = RefresherAttempt(
        user_id=user_id,
        module_slug=module.slug,
        token=layout.token,
        content_version=quiz.version,
        questions=[[shown.question.id, [choice.id for choice in shown.choices]] for shown in layout.questions],
    )
    db.session.add(row)
    db.session.commit()
    return row


def layout_of(module: Module, row: RefresherAttempt) -> quiz_layouts.Layout:
    """Return the refresher as it was shown, against today's quiz."""
    return quiz_layouts.layout_from_row(refresher_quiz(module), row)  # type: ignore[arg-type]


def find_refresher(user_id: int, token: str) -> RefresherAttempt | None:
    """Return the learner's refresher a submitted form names (None: not theirs, or never made)."""
    if not grading.TOKEN_PATTERN.match(token):
        return None
    return db.session.scalar(
        sa.select(RefresherAttempt).where(RefresherAttempt.user_id == user_id, RefresherAttempt.token == token)
    )


def submit_refresher(
    module: Module, row: RefresherAttempt, form: grading.FormData
) -> tuple[RefresherAttempt | None, dict[str, str]]:
    """Grade a refresher form and record it once; return (the graded row, or None and what is missing).

    Raises grading.TamperedSubmission for answers that the refresher did not ask.
    """
    if row.submitted_at is not None:  # a double click or a replayed form
        return row, {}
    quiz = refresher_quiz(module)
    layout = layout_of(module, row)
    answers, errors = grading.read_answers(quiz, form, layout.question_list)
    if errors:
        return None, errors
    graded = grading.grade(quiz, answers, layout.question_list)
    # Only the first of two simultaneous submissions grades the row; the second reads its result.
    db.session.execute(
        sa.update(RefresherAttempt)
        .where(RefresherAttempt.id == row.id, RefresherAttempt.submitted_at.is_(None))
        .values(
            submitted_at=utcnow(),
            score=graded.score,
            passed=graded.passed,
            missed_critical=graded.missed_critical,
            answers={answer.question.id: list(answer.chosen) for answer in graded.answers},
        )
    )
    db.session.commit()
    db.session.refresh(row)
    return row, {}
