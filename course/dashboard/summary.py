"""One learner's summary for the facilitator's pages: a cell per module, steps done, the
time of their latest progress and the reasons for a check-in that come from their attempts.

`summarize` applies the rules of course.progress to one learner's rows; the summary is
kept as data (course.dashboard.status) and turned back into the same values on reading.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa

from course.content import Course, Module, Question
from course.dashboard.check_ins import CheckInReason, Urgency, progress_reasons
from course.progress import LearnerState, ModuleStatus, course_complete, course_progress, module_status, state_from_rows


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
class Summary:
    """What the group's pages show of one learner, apart from what depends on today or their visits."""

    cells: tuple[Cell, ...]  # one per module, in course order
    steps_done: int
    steps_total: int
    finished: bool
    last_progress_at: datetime | None  # the latest lesson opened or finished, or quiz submitted
    reasons: tuple[CheckInReason, ...]  # stuck on a quiz, a must-get-right question missed
    # When they last passed the overdose module's quiz or a refresher (course.refreshers.last_renewals).
    renewed_at: datetime | None = None


def cell(course: Course, state: LearnerState, module: Module) -> Cell:
    """Return a learner's cell of the matrix for one module."""
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


def last_progress(progress_rows: Iterable[sa.Row], attempt_rows: Iterable[sa.Row]) -> datetime | None:
    """Return the time of the learner's latest lesson opened or finished, or quiz submitted."""
    times = []
    for row in progress_rows:
        times.append(row.started_at)
        if row.completed_at:
            times.append(row.completed_at)
    times.extend(attempt.submitted_at for attempt in attempt_rows)
    return max(times) if times else None


def summarize(
    course: Course,
    progress_rows: Sequence[sa.Row],
    attempt_rows: Sequence[sa.Row],
    critical_misses: Iterable[tuple[Module, Question, datetime]],
    renewed_at: datetime | None = None,
) -> Summary:
    """Apply the course's rules to one learner's rows."""
    state = state_from_rows(progress_rows, attempt_rows)
    done, total = course_progress(course, state)
    return Summary(
        cells=tuple(cell(course, state, module) for module in course.modules),
        steps_done=done,
        steps_total=total,
        finished=course_complete(course, state),
        last_progress_at=last_progress(progress_rows, attempt_rows),
        reasons=progress_reasons(course, attempt_rows, critical_misses),
        renewed_at=renewed_at,
    )


# --- as data ---------------------------------------------------------------------------------

_cells: dict[tuple, Cell] = {}  # few distinct cells exist: share one object per value
DECODED_KEPT = 20_000  # summaries kept decoded per process (a few kB each)
_decoded: dict[str, Summary] = {}


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def encode(summary: Summary) -> str:
    """Return the summary as JSON text."""
    return json.dumps({
        "cells": [[c.state.value, c.best_score, c.tries, c.lessons_done, c.lessons_total] for c in summary.cells],
        "steps": [summary.steps_done, summary.steps_total],
        "finished": summary.finished,
        "last": summary.last_progress_at.isoformat() if summary.last_progress_at else None,
        "reasons": [[r.text, r.since.isoformat(), int(r.urgency)] for r in summary.reasons],
        "renewed": summary.renewed_at.isoformat() if summary.renewed_at else None,
    }, separators=(",", ":"))


def decode(text: str) -> Summary:
    """Return the summary stored by `encode`; the same text decodes once per process."""
    found = _decoded.get(text)
    if found is None:
        if len(_decoded) >= DECODED_KEPT:
            _decoded.clear()  # simple and bounded: a busy process starts over now and then
        found = _decoded[text] = _decode(json.loads(text))
    return found


def _decode(data: dict) -> Summary:
    cells = []
    for values in data["cells"]:
        key = tuple(values)
        found = _cells.get(key)
        if found is None:
            state, best, tries, done, total = values
            found = _cells[key] = Cell(CellState(state), best, tries, done, total)
        cells.append(found)
    done, total = data["steps"]
    return Summary(
        cells=tuple(cells),
        steps_done=done,
        steps_total=total,
        finished=data["finished"],
        last_progress_at=_time(data["last"]),
        reasons=tuple(
            CheckInReason(text, datetime.fromisoformat(since), Urgency(urgency))
            for text, since, urgency in data["reasons"]
        ),
        renewed_at=_time(data.get("renewed")),
    )
