"""What the learner's home says about keeping knowledge fresh: the knowledge check, practice, the refresher, reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from course import kept, knowledge, practice, refreshers
from course.content import Course, Module
from course.extensions import read
from course.models import KnowledgeCheck, ReminderPreference, Role, User, utcnow
from course.progress import LearnerState

if TYPE_CHECKING:
    from course.sessions import SignedIn

# The checks taken and the reminder choice, in one round trip built once: the home asks on every visit.
# A row is a knowledge check (kind set) or the reminder choice (kind NULL). On the tables, read through
# course.extensions.read (plain columns need no ORM loading).
_USER_ID = sa.bindparam("user_id")
_CHECKS, _REMINDERS = KnowledgeCheck.__table__, ReminderPreference.__table__
_HOME_FACTS = sa.union_all(
    sa.select(
        _CHECKS.c.kind, _CHECKS.c.taken_at, sa.cast(sa.null(), sa.Boolean).label("email_reminders")
    ).where(_CHECKS.c.user_id == _USER_ID),
    sa.select(
        sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.DateTime), _REMINDERS.c.email_reminders
    ).where(_REMINDERS.c.user_id == _USER_ID),
)


@dataclass(frozen=True)
class HomeNotes:
    knowledge_check: str | None  # the kind of check due now (before, after, follow_up), or None
    practise: int  # missed questions still to practise
    overdose_module_title: str
    current_until: datetime | None  # None: the overdose module is not passed yet
    refresher_due: bool
    offer_reminders: bool  # never asked yet: ask once, yes or no


def home_notes(user: User | SignedIn, course: Course, state: LearnerState, now: datetime | None = None) -> HomeNotes:
    """Return the home page's notes for one learner (what they read is kept between visits: course.kept)."""
    now = now or utcnow()
    module = refreshers.overdose_module(course)
    facts = kept.kept_or_read(
        user, ("home notes", module.slug if module else None), lambda: _read_facts(user.id, module, state)
    )
    until = refreshers.renewed_until(facts.last_renewal)
    follow_up_days = current_app.config["FOLLOW_UP_AFTER_DAYS"]
    return HomeNotes(
        knowledge_check=knowledge.due_for(user, course, state, follow_up_days, now, taken=facts.taken),
        practise=len(practice.items_to_practise(course, facts.misses, facts.rights)),
        overdose_module_title=module.title if module else "",
        current_until=until,
        refresher_due=until is not None and until <= now,
        offer_reminders=user.role == Role.LEARNER and facts.reminder_choice is None,
    )


@dataclass(frozen=True)
class _LearnerFacts:
    """What the notes read about a learner; kept and shared between requests, so nothing changes its dicts."""

    taken: dict[str, datetime]  # knowledge checks taken: kind -> when
    reminder_choice: bool | None  # None: never asked
    misses: dict[tuple[str, str], object]  # questions missed in a quiz: (module, question) -> last missed
    rights: dict[tuple[str, str], int]  # right practice answers since that miss
    last_renewal: datetime | None  # the last pass of the overdose module's quiz or a refresher


def _read_facts(user_id: int, overdose_module: Module | None, state: LearnerState) -> _LearnerFacts:
    rows = read(_HOME_FACTS, {"user_id": user_id}).all()
    # Practice needs a quiz attempt first, and a refresher a pass of the module: the state knows both.
    misses = practice.last_misses(user_id) if state.attempt_counts else {}
    passed = overdose_module is not None and state.quiz_passed(overdose_module.slug)
    return _LearnerFacts(
        taken={row.kind: row.taken_at for row in rows if row.kind is not None},
        reminder_choice=next((row.email_reminders for row in rows if row.kind is None), None),
        misses=misses,
        rights=practice.right_answers_since(user_id, misses),
        last_renewal=refreshers.last_renewals(overdose_module.slug, [user_id]).get(user_id) if passed else None,
    )
