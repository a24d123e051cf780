"""What the learner's home says about keeping knowledge fresh: practice, the refresher, reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from course import practice, refreshers, reminders
from course.content import Course
from course.progress import LearnerState
from course.models import Role, User, utcnow


@dataclass(frozen=True)
class HomeNotes:
    practise: int  # missed questions still to practise
    overdose_module_title: str
    current_until: datetime | None  # None: the overdose module is not passed yet
    refresher_due: bool
    offer_reminders: bool  # never asked yet: ask once, yes or no


def home_notes(user: User, course: Course, state: LearnerState, now: datetime | None = None) -> HomeNotes:
    """Return the home page's notes for one learner (a few small queries, none that the state already answers)."""
    module = refreshers.overdose_module(course)
    # A refresher needs a pass of the module first, and practice a quiz attempt: the state knows both.
    passed = module is not None and state.quiz_passed(module.slug)
    until = refreshers.current_until(user.id, course) if passed else None
    return HomeNotes(
        practise=len(practice.practice_set(course, user.id)) if state.attempt_counts else 0,
        overdose_module_title=module.title if module else "",
        current_until=until,
        refresher_due=until is not None and until <= (now or utcnow()),
        offer_reminders=user.role == Role.LEARNER and reminders.wants_reminders(user.id) is None,
    )
