"""The demo facilitator's "Tuesday family group": a dozen pseudonymous families at different
stages, so a newcomer who logs in as the demo facilitator sees a living dashboard.

Safe to run again: an account, membership or piece of progress that exists is left alone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from course import access, accounts, grading, groups
from course.content import Course, Module
from course.builders import add_member, finish_lessons, right_answers, take_quiz, wrong_answer
from course.demo import DEMO_LOGINS, ensure_user
from course.extensions import db
from course.models import CheckInAction, Group, LessonProgress, Membership, QuizAttempt, Role, User, utcnow

GROUP_NAME = "Tuesday family group"
EVERY_LESSON = 99


@dataclass(frozen=True)
class DemoFamily:
    name: str
    email: str
    passed: int  # modules passed, from the first
    lessons: int = 0  # lessons finished in the module after those
    failed_tries: int = 0  # failed attempts at that module's quiz (after all its lessons)
    days_ago: float = 1  # last activity
    joined_days_ago: float = 42
    share_email: bool = False
    # Passes every module before the one with the overdose response steps, then keeps
    # getting those steps (a must-get-right question) wrong.
    misses_emergency_steps: bool = False


FAMILIES = (
    DemoFamily("Maria G.", "maria.g@demo.lantern", passed=EVERY_LESSON, days_ago=2, share_email=True),
    DemoFamily("Dee", "dee@demo.lantern", passed=EVERY_LESSON, days_ago=9),
    DemoFamily("Chris (brother)", "chris@demo.lantern", passed=6, lessons=2, days_ago=1),
    DemoFamily("Tom and Ana", "tom.ana@demo.lantern", passed=4, lessons=2, days_ago=1, share_email=True),
    DemoFamily("Pat", "pat@demo.lantern", passed=3, lessons=3, days_ago=4),
    DemoFamily("Kwame", "kwame@demo.lantern", passed=0, failed_tries=3, days_ago=3, misses_emergency_steps=True),
    DemoFamily("Grandma Carmen", "carmen@demo.lantern", passed=2, lessons=1, days_ago=5, share_email=True),
    DemoFamily("J.T.", "jt@demo.lantern", passed=1, lessons=3, days_ago=24),
    DemoFamily("Sunny", "sunny@demo.lantern", passed=0, lessons=EVERY_LESSON, failed_tries=2, days_ago=6),
    DemoFamily("Rosa", "rosa@demo.lantern", passed=0, lessons=2, days_ago=31),
    DemoFamily("Nia", "nia@demo.lantern", passed=0, lessons=1, days_ago=3, joined_days_ago=4),
    DemoFamily("Lee", "lee@demo.lantern", passed=0, days_ago=0, joined_days_ago=20),  # joined, never came back
)


def _emergency_steps_module(course: Course) -> int:
    """Return the index of the module whose quiz holds the overdose response steps."""
    for index, module in enumerate(course.modules):
        if any(question.emergency_steps for question in module.quiz.questions):
            return index
    return 0


def _failing(module: Module) -> dict[str, tuple[str, ...]]:
    """Return answers that fail: about half right, as a real first try might be."""
    answers = right_answers(module)
    for index, question in enumerate(module.quiz.questions):
        if index % 2 == 0:
            answers[question.id] = wrong_answer(question)
    return answers


def _steps_wrong(module: Module) -> dict[str, tuple[str, ...]]:
    answers = right_answers(module)
    for question in module.quiz.questions:
        if question.emergency_steps:
            answers[question.id] = wrong_answer(question)
    return answers


def _passing_with_a_slip(module: Module, seed: int) -> dict[str, tuple[str, ...]]:
    """Return passing answers with a slip or two, as real people make.

    Most slips land on the same question of each module (its second ordinary one), so the
    demo's per-question results show one question the group keeps missing.
    """
    answers = right_answers(module)
    ordinary = [question for question in module.quiz.questions if not question.critical]
    if not ordinary:
        return answers
    slips = []
    if seed % 3 != 0 and len(ordinary) > 1:
        slips.append(ordinary[1])
    if seed % 2:
        slips.append(ordinary[seed % len(ordinary)])
    for slip in slips:
        answers[slip.id] = wrong_answer(slip)
    return answers if grading.grade(module.quiz, answers).passed else right_answers(module)


def _has_progress(user: User) -> bool:
    lessons = sa.select(LessonProgress.id).where(LessonProgress.user_id == user.id)
    attempts = sa.select(QuizAttempt.id).where(QuizAttempt.user_id == user.id)
    return bool(db.session.scalar(sa.select(sa.exists(lessons))) or db.session.scalar(sa.select(sa.exists(attempts))))


def _give_progress(course: Course, user: User, family: DemoFamily, seed: int) -> None:
    """Record a family's story, oldest first, ending `days_ago` days ago."""
    passed = _emergency_steps_module(course) if family.misses_emergency_steps else min(family.passed, len(course.modules))
    lessons = EVERY_LESSON if family.misses_emergency_steps else family.lessons
    # Two days per module passed, then a day per failed try, ending at the last activity.
    day = family.days_ago + 2 * passed + family.failed_tries + 1
    for index, module in enumerate(course.modules[:passed]):
        finish_lessons(user, module, days_ago=day)
        take_quiz(user, module, _passing_with_a_slip(module, seed + index), days_ago=day - 0.5)
        day -= 2
    if passed < len(course.modules) and (lessons or family.failed_tries):
        module = course.modules[passed]
        finish_lessons(user, module, count=lessons, days_ago=day)
        answers = _steps_wrong(module) if family.misses_emergency_steps else _failing(module)
        for attempt in range(family.failed_tries):
            take_quiz(user, module, answers, days_ago=family.days_ago + family.failed_tries - 1 - attempt)
    if lessons or passed or family.failed_tries:
        user.last_seen_at = utcnow() - timedelta(days=family.days_ago)


def _ensure_group(facilitator: User) -> Group:
    group = db.session.scalar(
        sa.select(Group).where(Group.id.in_(access.led_group_ids(facilitator.id)), Group.name == GROUP_NAME)
    )
    return group if group is not None else groups.create_group(facilitator, GROUP_NAME)


def _ensure_member(group: Group, user: User, share_email: bool, joined_days_ago: float) -> None:
    exists = db.session.scalar(
        sa.select(Membership.id).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )
    if exists is None:
        add_member(group, user, share_email, joined_days_ago)


def load_demo_groups(course: Course) -> Group:
    """Give the demo facilitator a group of twelve families and the demo learner; create nothing twice."""
    logins = {login.role: login for login in DEMO_LOGINS}
    facilitator = ensure_user(logins[Role.FACILITATOR])
    demo_learner = ensure_user(logins[Role.LEARNER])
    group = _ensure_group(facilitator)
    for seed, family in enumerate(FAMILIES):
        user = accounts.find_user_by_email(family.email)
        if user is None:
            # Nobody logs in as these families: a random password nobody knows.
            user = accounts.create_user(family.email, secrets.token_urlsafe(24), family.name)
        _ensure_member(group, user, family.share_email, family.joined_days_ago)
        if course.modules and not _has_progress(user):
            _give_progress(course, user, family, seed)
    _ensure_member(group, demo_learner, share_email=False, joined_days_ago=7)
    _ensure_demo_contact(group, facilitator)
    db.session.commit()
    return group


def _ensure_demo_contact(group: Group, facilitator: User) -> None:
    """The facilitator already called Lee, so the check-in list shows a contact and a private note."""
    lee = accounts.find_user_by_email("lee@demo.lantern")
    done = db.session.scalar(sa.select(CheckInAction.id).where(CheckInAction.group_id == group.id))
    if lee is None or done is not None:
        return
    db.session.add(
        CheckInAction(
            group_id=group.id, learner_id=lee.id, staff_id=facilitator.id, kind="contacted",
            contacted_on=(utcnow() - timedelta(days=2)).date(),
            note="Left a voicemail. Will try again after Tuesday's meeting.",
        )
    )
