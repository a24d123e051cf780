"""Demo data for learning that lasts: a refresher due, a reminder due, and something to practise.

`add_demo_lasting(course)` runs after the demo accounts and the demo group exist (the `demo`
command calls it last). Safe to run again: what exists is left alone.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from course import accounts, demo_groups, refreshers, reminders
from course.access import led_group_ids
from course.content import Course, Module
from course.builders import add_member, finish_lessons, pass_module, right_answers, take_quiz, wrong_answer
from course.demo import DEMO_LOGINS, ensure_user
from course.extensions import db
from course.models import AttemptAnswer, Group, Membership, QuizAttempt, Role, User, utcnow

REFRESHER_DUE = ("Ray", "ray@demo.lantern")  # passed the overdose module 100 days ago
AWAY_WITH_REMINDERS = ("Bea", "bea@demo.lantern")  # asked for reminders, away for 20 days
PRACTICE_DAYS_AGO = 1.5


def _demo_group(course: Course) -> Group:
    facilitator = ensure_user(next(login for login in DEMO_LOGINS if login.role == Role.FACILITATOR))
    group = db.session.scalar(
        sa.select(Group).where(Group.id.in_(led_group_ids(facilitator.id)), Group.name == demo_groups.GROUP_NAME)
    )
    return group if group is not None else demo_groups.load_demo_groups(course)


def _family(group: Group, name: str, email: str) -> tuple[User, bool]:
    """Return the demo family's account (made now or before) and whether it was just made."""
    user = accounts.find_user_by_email(email)
    made = user is None
    if made:
        # Nobody logs in as these families: a random password nobody knows.
        user = accounts.create_user(email, secrets.token_urlsafe(24), name)
    if (
        db.session.scalar(
            sa.select(Membership.id).where(Membership.group_id == group.id, Membership.user_id == user.id)
        )
        is None
    ):
        add_member(group, user, joined_days_ago=120)
    return user, made


def _one_slip(module: Module) -> dict[str, tuple[str, ...]]:
    """Return the module's right answers with its first ordinary question answered wrong."""
    answers = right_answers(module)
    question = next((q for q in module.quiz.questions if not q.critical and q.type != "order"), None)
    if question is not None:
        answers[question.id] = wrong_answer(question)
    return answers


def add_demo_lasting(course: Course) -> None:
    """Add a learner due a refresher, one away with reminders on, and a missed question for the demo learner."""
    if not course.modules:
        return
    group = _demo_group(course)
    overdose = refreshers.overdose_module(course) or course.modules[0]
    ray, made = _family(group, *REFRESHER_DUE)
    if made:
        days_ago = refreshers.refresher_days().days + 10
        pass_module(ray, overdose, days_ago=days_ago, lessons_days_ago=days_ago + 0.5)
        ray.last_seen_at = utcnow() - timedelta(days=6)
    bea, made = _family(group, *AWAY_WITH_REMINDERS)
    if made:
        pass_module(bea, course.modules[0], days_ago=25, lessons_days_ago=25.5)
        bea.last_seen_at = utcnow() - timedelta(days=20)
    db.session.commit()
    reminders.set_reminders(bea.id, True)

    learner = ensure_user(next(login for login in DEMO_LOGINS if login.role == Role.LEARNER))
    missed = db.session.scalar(
        sa.select(
            sa.exists(
                sa.select(AttemptAnswer.id)
                .join(QuizAttempt)
                .where(QuizAttempt.user_id == learner.id, AttemptAnswer.is_correct.is_(False))
            )
        )
    )
    if not missed:
        first = course.modules[0]
        if not db.session.scalar(
            sa.select(sa.exists(sa.select(QuizAttempt.id).where(QuizAttempt.user_id == learner.id)))
        ):
            finish_lessons(learner, first, days_ago=PRACTICE_DAYS_AGO + 0.5)
        take_quiz(learner, first, _one_slip(first), days_ago=PRACTICE_DAYS_AGO)
        db.session.commit()
