"""A group's progress matrix and one learner's detail, from rows loaded in bulk.

Each page runs the same few queries whether the group has 3 learners or 1,000. What
counts as passed, as the best attempt, as a module in progress, comes from
course.progress; this module only arranges the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

import sqlalchemy as sa

from course.access import active_member_ids
from course.content import Course, Lesson, Module
from course.dashboard import loading
from course.dashboard.check_ins import CheckInReason, check_in_reasons
from course.dashboard.loading import Member
from course.progress import (
    LearnerState,
    ModuleStatus,
    course_complete,
    course_progress,
    module_status,
    state_from_rows,
)

PAGE_SIZE = 50

T = TypeVar("T")


class CellState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"  # lessons begun, quiz not tried yet
    NOT_PASSED = "not_passed"  # quiz tried, not passed yet
    PASSED = "passed"


CELL_LABELS = {
    CellState.NOT_STARTED: "Not started",
    CellState.IN_PROGRESS: "In progress",
    CellState.NOT_PASSED: "Not passed yet",
    CellState.PASSED: "Passed",
}


class SortKey(StrEnum):
    NAME = "name"
    PROGRESS = "progress"
    ACTIVITY = "activity"


@dataclass(frozen=True)
class Cell:
    state: CellState
    best_score: int | None
    tries: int
    lessons_done: int
    lessons_total: int

    @property
    def label(self) -> str:
        return CELL_LABELS[self.state]


@dataclass(frozen=True)
class LearnerRow:
    member: Member
    cells: tuple[Cell, ...]  # one per module, in course order
    steps_done: int
    steps_total: int
    finished: bool
    last_activity: datetime
    quiet_days: int  # whole days since the last activity
    reasons: tuple[CheckInReason, ...]
    # When the overdose refresher fell due (LANTERN_REFRESHER_DAYS after the last pass), if it has.
    refresher_due_since: datetime | None = None

    @property
    def percent(self) -> int:
        return self.steps_done * 100 // self.steps_total if self.steps_total else 0

    @property
    def flagged_since(self) -> datetime:
        return max(reason.since for reason in self.reasons)


@dataclass(frozen=True)
class Segment:
    state: CellState
    count: int
    x: float  # percent of the bar
    width: float


@dataclass(frozen=True)
class ModuleSummary:
    module: Module
    counts: dict[CellState, int]
    total: int

    @property
    def segments(self) -> tuple[Segment, ...]:
        """Return the bar of a stacked chart: passed, not passed yet, in progress, not started."""
        segments, x = [], 0.0
        for state in (CellState.PASSED, CellState.NOT_PASSED, CellState.IN_PROGRESS, CellState.NOT_STARTED):
            count = self.counts.get(state, 0)
            width = 100 * count / self.total if self.total else 0
            segments.append(Segment(state, count, round(x, 2), round(width, 2)))
            x += width
        return tuple(segments)


@dataclass(frozen=True)
class GroupProgress:
    modules: tuple[Module, ...]
    learners: tuple[LearnerRow, ...]  # by display name

    @property
    def finished_count(self) -> int:
        return sum(row.finished for row in self.learners)

    @property
    def module_summaries(self) -> tuple[ModuleSummary, ...]:
        summaries = []
        for index, module in enumerate(self.modules):
            counts: dict[CellState, int] = defaultdict(int)
            for row in self.learners:
                counts[row.cells[index].state] += 1
            summaries.append(ModuleSummary(module, dict(counts), len(self.learners)))
        return tuple(summaries)


@dataclass(frozen=True)
class LessonRecord:
    lesson: Lesson
    started_at: datetime | None
    completed_at: datetime | None


@dataclass(frozen=True)
class AttemptRecord:
    submitted_at: datetime
    score: int
    passed: bool
    missed_critical: bool


@dataclass(frozen=True)
class ModuleRecord:
    module: Module
    cell: Cell
    lessons: tuple[LessonRecord, ...]
    attempts: tuple[AttemptRecord, ...]  # newest first


@dataclass(frozen=True)
class LearnerDetail:
    row: LearnerRow
    modules: tuple[ModuleRecord, ...]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    count: int  # pages in all
    total: int  # items in all

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def paginate(items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    """Return one page of items; a page number out of range gives the nearest page."""
    count = max(1, -(-len(items) // size))
    number = min(max(number, 1), count)
    return Page(items[(number - 1) * size : number * size], number, count, len(items))


# --- the rules, applied to one learner's rows ---------------------------------------


def _cell(course: Course, state: LearnerState, module: Module) -> Cell:
    status = module_status(course, state, module)
    tries = state.attempt_counts.get(module.slug, 0)
    best = state.best.get(module.slug)
    done = sum(state.lesson_complete(module.slug, lesson.slug) for lesson in module.lessons)
    if status == ModuleStatus.PASSED:
        cell_state = CellState.PASSED
    elif status == ModuleStatus.IN_PROGRESS:
        cell_state = CellState.NOT_PASSED if tries else CellState.IN_PROGRESS
    else:
        cell_state = CellState.NOT_STARTED  # locked or ready: nothing done yet either way
    return Cell(cell_state, best.score if best else None, tries, done, len(module.lessons))


def last_activity(member: Member, progress_rows: Iterable[sa.Row], attempt_rows: Iterable[sa.Row]) -> datetime:
    """Return the learner's latest sign of life: a visit, a lesson, an attempt; or when they joined."""
    times = [member.last_seen_at] if member.last_seen_at else []
    for row in progress_rows:
        times.append(row.started_at)
        if row.completed_at:
            times.append(row.completed_at)
    times.extend(attempt.submitted_at for attempt in attempt_rows)
    return max(times) if times else member.joined_at


def _rows(
    course: Course, group_id: int, now: datetime, after_days: int, user_id: int | None = None
) -> list[tuple[LearnerRow, list[sa.Row], list[sa.Row]]]:
    """Return (matrix row, lesson rows, attempt rows) of each active member, by display name."""
    members = loading.load_members(group_id, user_id)
    member_ids = active_member_ids(group_id, user_id)
    progress_by_user = loading.load_progress(member_ids)
    attempts_by_user = loading.load_attempts(member_ids)
    misses_by_user = loading.load_critical_misses(course, member_ids)
    rows = []
    for member in members:
        progress_rows = progress_by_user.get(member.user_id, [])
        attempt_rows = attempts_by_user.get(member.user_id, [])
        state = state_from_rows(progress_rows, attempt_rows)
        done, total = course_progress(course, state)
        activity = last_activity(member, progress_rows, attempt_rows)
        row = LearnerRow(
            member=member,
            cells=tuple(_cell(course, state, module) for module in course.modules),
            steps_done=done,
            steps_total=total,
            finished=course_complete(course, state),
            last_activity=activity,
            quiet_days=(now - activity).days,
            reasons=check_in_reasons(
                course, activity, attempt_rows, misses_by_user.get(member.user_id, []), now, after_days
            ),
        )
        rows.append((row, progress_rows, attempt_rows))
    rows.sort(key=lambda item: (item[0].member.display_name.casefold(), item[0].member.user_id))
    return rows


def group_progress(course: Course, group_id: int, now: datetime, check_in_after_days: int) -> GroupProgress:
    """Return every active member's row of the matrix and check-in reasons (four queries)."""
    from course import refreshers  # the refresher rule has one home; the dashboard only reads it

    rows = [row for row, _, _ in _rows(course, group_id, now, check_in_after_days)]
    due = refreshers.due_since({row.member.user_id for row in rows}, course, now)
    return GroupProgress(
        course.modules, tuple(replace(row, refresher_due_since=due.get(row.member.user_id)) for row in rows)
    )


def learner_detail(
    course: Course, group_id: int, user_id: int, now: datetime, check_in_after_days: int
) -> LearnerDetail | None:
    """Return one member's lessons and attempts with dates and scores, or None if not an active member."""
    rows = _rows(course, group_id, now, check_in_after_days, user_id)
    if not rows:
        return None
    row, progress_rows, attempt_rows = rows[0]
    lesson_times = {(p.module_slug, p.lesson_slug): p for p in progress_rows}
    modules = []
    for module, cell in zip(course.modules, row.cells):
        lessons = []
        for lesson in module.lessons:
            record = lesson_times.get((module.slug, lesson.slug))
            lessons.append(LessonRecord(lesson, record.started_at if record else None, record.completed_at if record else None))
        attempts = [
            AttemptRecord(a.submitted_at, a.score, a.passed, a.missed_critical)
            for a in reversed(attempt_rows)
            if a.module_slug == module.slug
        ]
        modules.append(ModuleRecord(module, cell, tuple(lessons), tuple(attempts)))
    return LearnerDetail(row, tuple(modules))


def sort_learners(learners: Iterable[LearnerRow], key: SortKey, descending: bool = False) -> list[LearnerRow]:
    """Sort matrix rows by name, progress or last activity (ties by name)."""
    by_name = sorted(learners, key=lambda row: (row.member.display_name.casefold(), row.member.user_id))
    if key == SortKey.PROGRESS:
        return sorted(by_name, key=lambda row: row.steps_done, reverse=descending)
    if key == SortKey.ACTIVITY:
        return sorted(by_name, key=lambda row: row.last_activity, reverse=descending)
    return by_name[::-1] if descending else by_name


def filter_learners(learners: Iterable[LearnerRow], name: str) -> list[LearnerRow]:
    """Keep the learners whose display name contains the text (any case)."""
    wanted = name.strip().casefold()
    return [row for row in learners if wanted in row.member.display_name.casefold()]
