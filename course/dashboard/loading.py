"""Rows loaded in bulk for a group's pages: members, lesson progress, quiz attempts, and
the answers of each member's latest attempt.

Each loader is one query whatever the group's size; course.dashboard.status applies the
course's rules to these rows when a learner's summary is rewritten. Deactivated accounts are left out (course.access).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from course.access import active_member_ids
from course.content import Course, Module, Question
from course.extensions import db
from course.models import AttemptAnswer, LessonProgress, Membership, QuizAttempt, User


@dataclass(frozen=True)
class Member:
    user_id: int
    display_name: str
    email: str | None  # only when the learner agreed to share it with this group
    joined_at: datetime
    last_seen_at: datetime | None


def load_members(group_id: int, user_id: int | None) -> list[Member]:
    select = (
        sa.select(
            User.id, User.display_name, User.email, Membership.share_email, Membership.joined_at, User.last_seen_at
        )
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group_id, User.active)
    )
    if user_id is not None:
        select = select.where(User.id == user_id)
    rows = db.session.execute(select).all()
    return [
        Member(user_id, name, email if share else None, joined_at, last_seen)
        for user_id, name, email, share, joined_at, last_seen in rows
    ]


def _by_user(rows: Iterable[sa.Row]) -> dict[int, list[sa.Row]]:
    by_user: dict[int, list[sa.Row]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    return by_user


def load_progress(member_ids: sa.Select) -> dict[int, list[sa.Row]]:
    return _by_user(db.session.execute(
        sa.select(
            LessonProgress.user_id,
            LessonProgress.module_slug,
            LessonProgress.lesson_slug,
            LessonProgress.started_at,
            LessonProgress.completed_at,
        ).where(LessonProgress.user_id.in_(member_ids))
    ))


def load_attempts(member_ids: sa.Select) -> dict[int, list[sa.Row]]:
    """Return each member's attempts, oldest first."""
    return _by_user(db.session.execute(
        sa.select(
            QuizAttempt.id,
            QuizAttempt.user_id,
            QuizAttempt.module_slug,
            QuizAttempt.submitted_at,
            QuizAttempt.score,
            QuizAttempt.passed,
            QuizAttempt.missed_critical,
        )
        .where(QuizAttempt.user_id.in_(member_ids))
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)
    ))


def latest_attempts(member_ids: sa.Select) -> sa.Subquery:
    """Each member's most recent attempt at each quiz (one window query, done in the database)."""
    ranked = (
        sa.select(
            QuizAttempt.id,
            QuizAttempt.user_id,
            QuizAttempt.module_slug,
            QuizAttempt.submitted_at,
            sa.func.row_number()
            .over(
                partition_by=(QuizAttempt.user_id, QuizAttempt.module_slug),
                order_by=(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc()),
            )
            .label("recency"),
        )
        .where(QuizAttempt.user_id.in_(member_ids))
        .subquery()
    )
    return sa.select(ranked.c.id, ranked.c.user_id, ranked.c.module_slug, ranked.c.submitted_at).where(
        ranked.c.recency == 1
    ).subquery()


def latest_answers(member_ids: sa.Select) -> sa.Subquery:
    """Each member's answer to each question on the latest attempt that asked it.

    Quizzes draw their questions from a pool, so a question missing from someone's latest
    attempt was simply not asked then: their answer from the attempt before still counts.
    """
    ranked = (
        sa.select(
            QuizAttempt.user_id,
            QuizAttempt.module_slug,
            QuizAttempt.submitted_at,
            AttemptAnswer.question_id,
            AttemptAnswer.is_correct,
            AttemptAnswer.chosen,
            sa.func.row_number()
            .over(
                partition_by=(QuizAttempt.user_id, QuizAttempt.module_slug, AttemptAnswer.question_id),
                order_by=(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc()),
            )
            .label("recency"),
        )
        .join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.user_id.in_(member_ids))
        .subquery()
    )
    return sa.select(ranked).where(ranked.c.recency == 1).subquery()


def _critical_questions(course: Course) -> dict[tuple[str, str], tuple[Module, Question]]:
    return {
        (module.slug, question.id): (module, question)
        for module in course.modules
        for question in module.quiz.questions
        if question.critical
    }


def load_critical_misses(course: Course, member_ids: sa.Select) -> dict[int, list[tuple[Module, Question, datetime]]]:
    """Return, per member, the critical questions they got wrong on their latest attempt at a quiz."""
    critical = _critical_questions(course)
    latest = latest_attempts(member_ids)
    # Only questions critical in today's content count; removed questions are skipped.
    is_critical = sa.or_(
        sa.false(),
        *(sa.and_(latest.c.module_slug == m, AttemptAnswer.question_id == q) for m, q in critical),
    )
    rows = db.session.execute(
        sa.select(latest.c.user_id, latest.c.module_slug, AttemptAnswer.question_id, latest.c.submitted_at)
        .join(AttemptAnswer, AttemptAnswer.attempt_id == latest.c.id)
        .where(sa.not_(AttemptAnswer.is_correct), is_critical)
    ).all()
    by_user: dict[int, list[tuple[Module, Question, datetime]]] = defaultdict(list)
    for user_id, module_slug, question_id, submitted_at in rows:
        module, question = critical[(module_slug, question_id)]
        by_user[user_id].append((module, question, submitted_at))
    return by_user

