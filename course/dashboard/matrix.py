"""A group's progress matrix and one learner's detail, from rows loaded in bulk.

Each page runs the same few queries whether the group has 3 learners or 1,000. What
counts as passed, as the best attempt, as a module in progress, comes from
course.progress; this module only arranges the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

import sqlalchemy as sa

from course.access import active_member_ids
from course.content import Course, Lesson, Module
from course.dashboard import loading, status
from course.dashboard.check_ins import CheckInReason, quiet_reason
from course.dashboard.loading import Member
from course.dashboard.summary import Cell, CellState, Summary, summarize

PAGE_SIZE = 50

T = TypeVar("T")


class SortKey(StrEnum):
    NAME = "name"
    PROGRESS = "progress"
    ACTIVITY = "activity"


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


# --- rows of the matrix ----------------------------------------------------------------


def last_activity(member: Member, progress_rows: Iterable[sa.Row], attempt_rows: Iterable[sa.Row]) -> datetime:
    """Return the learner's latest sign of life: a visit, a lesson, an attempt; or when they joined."""
    from course.dashboard.summary import last_progress

    return _activity(member, last_progress(progress_rows, attempt_rows))


def _activity(member: Member, last_progress_at: datetime | None) -> datetime:
    times = [time for time in (member.last_seen_at, last_progress_at) if time is not None]
    return max(times) if times else member.joined_at


def _learner_row(
    member: Member, summary: Summary, now: datetime, after_days: int, refresher_due_since: datetime | None = None
) -> LearnerRow:
    """Return a member's row of the matrix from their summary, today's date and their last visit."""
    activity = _activity(member, summary.last_progress_at)
    return LearnerRow(
        member=member,
        cells=summary.cells,
        steps_done=summary.steps_done,
        steps_total=summary.steps_total,
        finished=summary.finished,
        last_activity=activity,
        quiet_days=(now - activity).days,
        reasons=quiet_reason(activity, now, after_days) + summary.reasons,
        refresher_due_since=refresher_due_since,
    )


def _by_name(rows: list[LearnerRow]) -> list[LearnerRow]:
    return sorted(rows, key=lambda row: (row.member.display_name.casefold(), row.member.user_id))


def group_progress(course: Course, group_id: int, now: datetime, check_in_after_days: int) -> GroupProgress:
    """Return every active member's row of the matrix and check-in reasons, from their stored summaries."""
    from course import refreshers  # the refresher rule has one home; the dashboard only reads it

    members = loading.load_members(group_id, None)
    summaries = status.load(course, active_member_ids(group_id, None))
    empty = status.empty(course)  # a member who joined between the queries has done nothing yet
    every = refreshers.refresher_days()
    rows = []
    for member in members:
        summary = summaries.get(member.user_id, empty)
        # As refreshers.due_since, from the stored renewal: due that long after it, once that moment is past.
        due = summary.renewed_at + every if summary.renewed_at is not None else None
        rows.append(_learner_row(member, summary, now, check_in_after_days, due if due and due <= now else None))
    return GroupProgress(course.modules, tuple(_by_name(rows)))


def learner_detail(
    course: Course, group_id: int, user_id: int, now: datetime, check_in_after_days: int
) -> LearnerDetail | None:
    """Return one member's lessons and attempts with dates and scores, or None if not an active member."""
    members = loading.load_members(group_id, user_id)
    if not members:
        return None
    member, member_ids = members[0], active_member_ids(group_id, user_id)
    progress_rows = loading.load_progress(member_ids).get(user_id, [])
    attempt_rows = loading.load_attempts(member_ids).get(user_id, [])
    misses = loading.load_critical_misses(course, member_ids).get(user_id, [])
    summary = summarize(course, progress_rows, attempt_rows, misses)  # fresh from the rows, like the lists below
    row = _learner_row(member, summary, now, check_in_after_days)
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
