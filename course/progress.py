"""Sequencing and completion: what is open to a learner, what they have done, what comes next.

The rules are plain functions of the course and a LearnerState, so they can be
tested without a request or a database. `load_state` reads a learner's state in
one query; `open_lesson` and `complete_lesson` record progress. Staff (facilitators
and admins) preview the course: everything is open to them and nothing they do is
recorded as learner progress (`previews_course` is the one home of that rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from enum import StrEnum
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from course import kept
from course.content import Course, Lesson, Module
from course.extensions import db, read
from course.models import LessonProgress, QuizAttempt, utcnow


class ModuleStatus(StrEnum):
    LOCKED = "locked"
    AVAILABLE = "available"
    IN_PROGRESS = "in_progress"
    PASSED = "passed"


@dataclass(frozen=True)
class BestAttempt:
    attempt_id: int
    score: int
    passed: bool


@dataclass(frozen=True)
class LearnerState:
    """What one learner has done, keyed by content slugs."""

    started: frozenset[tuple[str, str]] = frozenset()
    completed: frozenset[tuple[str, str]] = frozenset()
    best: dict[str, BestAttempt] = field(default_factory=dict)
    attempt_counts: dict[str, int] = field(default_factory=dict)
    # Staff previewing the course: every step is open, nothing is recorded.
    preview: bool = False

    def lesson_complete(self, module_slug: str, lesson_slug: str) -> bool:
        return (module_slug, lesson_slug) in self.completed

    @cached_property
    def touched_modules(self) -> frozenset[str]:
        """Return the modules in which the learner opened a lesson or took the quiz."""
        return frozenset(module_slug for module_slug, _ in self.started).union(self.attempt_counts)

    def quiz_passed(self, module_slug: str) -> bool:
        best = self.best.get(module_slug)
        return best is not None and best.passed


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: str = ""
    # Where a learner who hit a lock should go instead: (module slug, lesson slug or None for the quiz).
    go_to: tuple[str, str | None] | None = None


@dataclass(frozen=True)
class Step:
    module: Module
    lesson: Lesson | None  # None: the module's quiz

    @property
    def title(self) -> str:
        return self.lesson.title if self.lesson else f"Quiz: {self.module.title}"


def best_attempt_order(score: int, passed: bool, attempt_id: int) -> tuple:
    """Sort key for 'best attempt': passed first, then the higher score, then the earlier one."""
    return (passed, score, -attempt_id)


class Person(Protocol):
    id: int

    @property
    def is_facilitator(self) -> bool: ...


def previews_course(user: Person) -> bool:
    """Facilitators and admins preview any lesson or quiz (the per-question results link to them)."""
    return user.is_facilitator


def records_progress(user: Person) -> bool:
    """Return whether opening lessons, completing them and taking quizzes is recorded for this person."""
    return not previews_course(user)


def state_for(user: Person) -> LearnerState:
    """Read a person's state (or keep it from an earlier request); a staff member's is marked as a preview."""
    state = kept.kept_or_read(user, "progress", lambda: load_state(user.id))
    return replace(state, preview=True) if previews_course(user) else state


# One learner's lessons and attempts in one round trip, built once: this runs on every course page.
# A row is a lesson (id NULL) or a quiz attempt (lesson_slug and completed_at NULL). On the tables,
# read through course.extensions.read: the ORM would only add per-query work to plain rows.
_USER_ID = sa.bindparam("user_id")
_LESSONS, _ATTEMPTS = LessonProgress.__table__, QuizAttempt.__table__
_LEARNER_ROWS = sa.union_all(
    sa.select(
        _LESSONS.c.module_slug,
        _LESSONS.c.lesson_slug,
        _LESSONS.c.completed_at,
        sa.cast(sa.null(), sa.Integer).label("id"),
        sa.cast(sa.null(), sa.Integer).label("score"),
        sa.cast(sa.null(), sa.Boolean).label("passed"),
    ).where(_LESSONS.c.user_id == _USER_ID),
    sa.select(
        _ATTEMPTS.c.module_slug,
        sa.cast(sa.null(), sa.String).label("lesson_slug"),
        sa.cast(sa.null(), sa.DateTime).label("completed_at"),
        _ATTEMPTS.c.id,
        _ATTEMPTS.c.score,
        _ATTEMPTS.c.passed,
    ).where(_ATTEMPTS.c.user_id == _USER_ID),
)


def load_state(user_id: int) -> LearnerState:
    """Read one learner's lesson progress and quiz results (one query)."""
    rows = read(_LEARNER_ROWS, {"user_id": user_id}).all()
    return state_from_rows([row for row in rows if row.id is None], [row for row in rows if row.id is not None])


def state_from_rows(progress_rows: Iterable, attempt_rows: Iterable) -> LearnerState:
    """Build a learner's state from their rows, loaded one learner at a time or in bulk for a group.

    progress rows have module_slug, lesson_slug and completed_at; attempt rows have id,
    module_slug, score and passed.
    """
    progress_rows = list(progress_rows)
    best: dict[str, BestAttempt] = {}
    counts: dict[str, int] = {}
    for attempt in attempt_rows:
        counts[attempt.module_slug] = counts.get(attempt.module_slug, 0) + 1
        current = best.get(attempt.module_slug)
        if current is None or best_attempt_order(attempt.score, attempt.passed, attempt.id) > best_attempt_order(
            current.score, current.passed, current.attempt_id
        ):
            best[attempt.module_slug] = BestAttempt(attempt.id, attempt.score, attempt.passed)
    return LearnerState(
        started=frozenset((row.module_slug, row.lesson_slug) for row in progress_rows),
        completed=frozenset((row.module_slug, row.lesson_slug) for row in progress_rows if row.completed_at is not None),
        best=best,
        attempt_counts=counts,
    )


# --- rules -----------------------------------------------------------------------------


def module_touched(state: LearnerState, module: Module) -> bool:
    """Return whether the learner has ever opened anything in the module."""
    return module.slug in state.touched_modules


def module_unlocked(course: Course, state: LearnerState, module: Module) -> bool:
    """A module opens when the one before it is passed (an always-open one at once); once opened it stays open."""
    if state.preview or module.always_open:
        return True
    previous = course.module_before(module)
    return previous is None or state.quiz_passed(previous.slug) or module_touched(state, module)


def lesson_access(course: Course, state: LearnerState, module: Module, lesson: Lesson) -> Access:
    """Decide whether the learner may open a lesson, and if not, why and where to go."""
    if state.preview or (module.slug, lesson.slug) in state.started:
        return Access(True)  # going back to anything already opened is always allowed
    if not module_unlocked(course, state, module):
        previous = course.module_before(module)
        assert previous is not None
        return Access(
            False,
            f"This lesson opens when you pass the quiz of “{previous.title}”.",
            next_open_in(course, state, previous),
        )
    index = module.lessons.index(lesson)
    if index > 0 and not module.always_open:  # an always-open module's lessons open in any order
        before = module.lessons[index - 1]
        if not state.lesson_complete(module.slug, before.slug):
            return Access(
                False,
                f"This lesson opens when you finish “{before.title}”.",
                next_open_in(course, state, module),
            )
    return Access(True)


def quiz_access(course: Course, state: LearnerState, module: Module) -> Access:
    """Decide whether the learner may take a module's quiz."""
    if state.preview or module.slug in state.attempt_counts:
        return Access(True)
    if not module_unlocked(course, state, module):
        previous = course.module_before(module)
        assert previous is not None
        return Access(
            False,
            f"This quiz opens when you pass the quiz of “{previous.title}”.",
            next_open_in(course, state, previous),
        )
    unfinished = [lesson for lesson in module.lessons if not state.lesson_complete(module.slug, lesson.slug)]
    if unfinished:
        return Access(
            False,
            f"The quiz opens when you finish every lesson of this module. Next: “{unfinished[0].title}”.",
            next_open_in(course, state, module),
        )
    return Access(True)


def next_open_in(course: Course, state: LearnerState, module: Module) -> tuple[str, str | None]:
    """Return the first unfinished step of a module, walking back to the first open module."""
    while not module_unlocked(course, state, module):
        previous = course.module_before(module)
        assert previous is not None
        module = previous
    for lesson in module.lessons:
        if not state.lesson_complete(module.slug, lesson.slug):
            return (module.slug, lesson.slug)
    return (module.slug, None)


def module_status(course: Course, state: LearnerState, module: Module) -> ModuleStatus:
    if state.quiz_passed(module.slug):
        return ModuleStatus.PASSED
    if not module_unlocked(course, state, module):
        return ModuleStatus.LOCKED
    if module_touched(state, module):
        return ModuleStatus.IN_PROGRESS
    return ModuleStatus.AVAILABLE


def course_progress(course: Course, state: LearnerState) -> tuple[int, int]:
    """Return (steps done, steps in all): every lesson completed and every quiz passed counts one."""
    # Only lessons the course still has count (a lesson removed from the content does not).
    lessons_done = len(state.completed & course.lesson_keys)
    quizzes_passed = sum(state.quiz_passed(module.slug) for module in course.modules)
    return lessons_done + quizzes_passed, course.lesson_count + len(course.modules)


def course_complete(course: Course, state: LearnerState) -> bool:
    return bool(course.modules) and all(state.quiz_passed(module.slug) for module in course.modules)


def next_step(course: Course, state: LearnerState) -> Step | None:
    """Return where to continue: the first lesson not finished or quiz not passed; None when done."""
    for module in course.modules:
        if state.quiz_passed(module.slug):
            continue
        for lesson in module.lessons:
            if not state.lesson_complete(module.slug, lesson.slug):
                return Step(module, lesson)
        return Step(module, None)
    return None


def step_after(module: Module, lesson: Lesson) -> Step:
    """Return the step that follows a lesson: the next lesson or the module's quiz."""
    index = module.lessons.index(lesson)
    if index + 1 < len(module.lessons):
        return Step(module, module.lessons[index + 1])
    return Step(module, None)


def step_before(module: Module, lesson: Lesson) -> Lesson | None:
    index = module.lessons.index(lesson)
    return module.lessons[index - 1] if index > 0 else None


# --- recording -----------------------------------------------------------------------------


def _progress_row(user_id: int, module_slug: str, lesson_slug: str) -> LessonProgress | None:
    return db.session.scalar(
        sa.select(LessonProgress).where(
            LessonProgress.user_id == user_id,
            LessonProgress.module_slug == module_slug,
            LessonProgress.lesson_slug == lesson_slug,
        )
    )


def _ensure_progress_row(user_id: int, module_slug: str, lesson_slug: str) -> LessonProgress:
    row = _progress_row(user_id, module_slug, lesson_slug)
    if row is not None:
        return row
    row = LessonProgress(user_id=user_id, module_slug=module_slug, lesson_slug=lesson_slug)
    try:
        with db.session.begin_nested():  # a savepoint: losing the race must not undo the caller's work
            db.session.add(row)
    except IntegrityError:
        # Another request (a second tab) inserted it first: use that one.
        row = _progress_row(user_id, module_slug, lesson_slug)
        assert row is not None
    return row


def open_lesson(user: Person, state: LearnerState, module_slug: str, lesson_slug: str) -> None:
    """Record that the learner opened a lesson (its started time), once; a staff preview records nothing."""
    if not records_progress(user) or (module_slug, lesson_slug) in state.started:
        return  # nothing to write: the common case of going back to a lesson costs no query
    _ensure_progress_row(user.id, module_slug, lesson_slug)
    db.session.commit()


def complete_lesson(user: Person, module_slug: str, lesson_slug: str) -> None:
    """Mark a lesson complete; completing it again keeps the first time; a staff preview records nothing."""
    if not records_progress(user):
        return
    row = _ensure_progress_row(user.id, module_slug, lesson_slug)
    if row.completed_at is None:
        row.completed_at = utcnow()
    db.session.commit()
