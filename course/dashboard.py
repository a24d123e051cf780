"""A facilitator's view of a group: the progress matrix, who needs a check-in, per-question
results and the CSV export.

Everything is computed from rows loaded in bulk, so each page runs the same few queries
whether the group has 3 learners or 1,000: the members, their lesson progress, their quiz
attempts, and answers from each learner's latest attempt at each quiz. What counts as
passed, as the best attempt, as a module in progress, comes from course.progress; this
module only gathers the rows and arranges them. Deactivated accounts are left out
everywhere (their rows stay in the database).

"Latest attempt": per-question results and the "missed a critical question" check-in
both count each learner's most recent attempt at each quiz, so "6 of 9 missed" counts
people, not attempts, and says what the group gets wrong now.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

import sqlalchemy as sa

from course.content import Course, Lesson, Module, Question
from course.extensions import db
from course.models import AttemptAnswer, LessonProgress, Membership, QuizAttempt, User
from course.progress import (
    LearnerState,
    ModuleStatus,
    course_complete,
    course_progress,
    module_status,
    state_from_rows,
)

PAGE_SIZE = 50
FEW_ANSWERS = 5  # below this, a share of right answers says little
FAILED_TRIES_FOR_CHECK_IN = 2
# A cell that starts with one of these is read as a formula by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

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
class Member:
    user_id: int
    display_name: str
    email: str | None  # only when the learner agreed to share it with this group
    joined_at: datetime
    last_seen_at: datetime | None


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
class CheckInReason:
    text: str
    since: datetime  # when the reason became true, to list the newest first


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
    def check_ins(self) -> list[LearnerRow]:
        """Return the learners who need a check-in, the newest reason first."""
        flagged = [row for row in self.learners if row.reasons]
        return sorted(flagged, key=lambda row: (row.flagged_since, -row.member.user_id), reverse=True)

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
class QuestionResult:
    module: Module
    question: Question
    answered: int
    right: int

    @property
    def missed(self) -> int:
        return self.answered - self.right

    @property
    def missed_share(self) -> float:
        return self.missed / self.answered if self.answered else 0.0

    @property
    def few_answers(self) -> bool:
        return self.answered < FEW_ANSWERS

    @property
    def summary(self) -> str:
        """Say the result in words, counting people: '6 of 9 missed it'."""
        if self.missed == 0:
            return "The one person who answered got it right." if self.answered == 1 else f"All {self.answered} got it right."
        if self.missed == self.answered:
            return "The one person who answered missed it." if self.answered == 1 else f"All {self.answered} missed it."
        return f"{self.missed} of {self.answered} missed it."


@dataclass(frozen=True)
class QuestionResults:
    answered: tuple[QuestionResult, ...]  # worst first
    unanswered: tuple[QuestionResult, ...]  # in course order

    @property
    def too_few_to_say_much(self) -> bool:
        return all(result.few_answers for result in self.answered)


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


# --- loading rows in bulk ------------------------------------------------------------


def _member_ids(group_id: int, user_id: int | None = None) -> sa.Select:
    """Select the ids of the group's active members (or of one of them)."""
    select = (
        sa.select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group_id, User.active)
    )
    return select.where(Membership.user_id == user_id) if user_id is not None else select


def _load_members(group_id: int, user_id: int | None) -> list[Member]:
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


def _load_progress(member_ids: sa.Select) -> dict[int, list[sa.Row]]:
    return _by_user(db.session.execute(
        sa.select(
            LessonProgress.user_id,
            LessonProgress.module_slug,
            LessonProgress.lesson_slug,
            LessonProgress.started_at,
            LessonProgress.completed_at,
        ).where(LessonProgress.user_id.in_(member_ids))
    ))


def _load_attempts(member_ids: sa.Select) -> dict[int, list[sa.Row]]:
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


def _latest_attempts(member_ids: sa.Select) -> sa.Subquery:
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


def _critical_questions(course: Course) -> dict[tuple[str, str], tuple[Module, Question]]:
    return {
        (module.slug, question.id): (module, question)
        for module in course.modules
        for question in module.quiz.questions
        if question.critical
    }


def _load_critical_misses(course: Course, member_ids: sa.Select) -> dict[int, list[tuple[Module, Question, datetime]]]:
    """Return, per member, the critical questions they got wrong on their latest attempt at a quiz."""
    critical = _critical_questions(course)
    latest = _latest_attempts(member_ids)
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


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def check_in_reasons(
    course: Course,
    activity: datetime,
    attempt_rows: Sequence[sa.Row],
    critical_misses: Iterable[tuple[Module, Question, datetime]],
    now: datetime,
    after_days: int,
) -> tuple[CheckInReason, ...]:
    """Say, in plain words, why a learner may need a check-in (nothing: they are fine)."""
    reasons = []
    quiet_days = (now - activity).days
    if quiet_days >= after_days:
        reasons.append(CheckInReason(f"No activity for {_days(quiet_days)}.", activity + timedelta(days=after_days)))
    for module in course.modules:
        attempts = [a for a in attempt_rows if a.module_slug == module.slug]  # oldest first
        failed_since_pass: list[sa.Row] = []
        for attempt in attempts:
            if attempt.passed:
                failed_since_pass.clear()
            else:
                failed_since_pass.append(attempt)
        if len(failed_since_pass) >= FAILED_TRIES_FOR_CHECK_IN:
            ever_passed = any(a.passed for a in attempts)
            text = (
                f"Did not pass the “{module.title}” quiz the last {_times(len(failed_since_pass))} (passed it before)."
                if ever_passed
                else f"Tried the “{module.title}” quiz {_times(len(failed_since_pass))} and has not passed it yet."
            )
            reasons.append(CheckInReason(text, failed_since_pass[-1].submitted_at))
    for module, question, submitted_at in critical_misses:
        reasons.append(
            CheckInReason(
                f"Missed a must-get-right question on their latest “{module.title}” quiz: “{question.prompt}”",
                submitted_at,
            )
        )
    return tuple(reasons)


def _rows(
    course: Course, group_id: int, now: datetime, after_days: int, user_id: int | None = None
) -> list[tuple[LearnerRow, list[sa.Row], list[sa.Row]]]:
    """Return (matrix row, lesson rows, attempt rows) of each active member, by display name."""
    members = _load_members(group_id, user_id)
    member_ids = _member_ids(group_id, user_id)
    progress_by_user = _load_progress(member_ids)
    attempts_by_user = _load_attempts(member_ids)
    misses_by_user = _load_critical_misses(course, member_ids)
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
    rows = _rows(course, group_id, now, check_in_after_days)
    return GroupProgress(course.modules, tuple(row for row, _, _ in rows))


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


# --- per-question results --------------------------------------------------------------


def question_results(course: Course, group_id: int) -> QuestionResults:
    """Count, per question, the group's right answers on each learner's latest attempt (one query).

    Worst first: questions with enough answers to mean something come before those with
    fewer than FEW_ANSWERS; within each, the largest share missed first.
    """
    latest = _latest_attempts(_member_ids(group_id))
    counts = db.session.execute(
        sa.select(
            latest.c.module_slug,
            AttemptAnswer.question_id,
            sa.func.count(),
            sa.func.sum(sa.case((AttemptAnswer.is_correct, 1), else_=0)),
        )
        .join(AttemptAnswer, AttemptAnswer.attempt_id == latest.c.id)
        .group_by(latest.c.module_slug, AttemptAnswer.question_id)
    ).all()
    by_question = {(module_slug, question_id): (answered, right) for module_slug, question_id, answered, right in counts}
    answered, unanswered = [], []
    order: dict[tuple[str, str], int] = {}
    # Walk today's content: answers to questions no longer in it are skipped.
    for module in course.modules:
        for question in module.quiz.questions:
            order[(module.slug, question.id)] = len(order)
            count, right = by_question.get((module.slug, question.id), (0, 0))
            result = QuestionResult(module, question, int(count), int(right or 0))
            (answered if count else unanswered).append(result)
    answered.sort(
        key=lambda r: (r.few_answers, -r.missed_share, -r.missed, order[(r.module.slug, r.question.id)])
    )
    return QuestionResults(tuple(answered), tuple(unanswered))


# --- CSV -------------------------------------------------------------------------------------


def spreadsheet_safe(value: object) -> str:
    """Return a cell's text, with a leading apostrophe if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def progress_csv(progress: GroupProgress) -> str:
    """Return the matrix as CSV text: one row per learner, state and best score per module.

    Starts with a byte-order mark so spreadsheets read it as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["Display name", "Email (if shared)", "Joined", "Last activity", "Steps done", "Steps in all"]
    for module in progress.modules:
        header += [f"{module.number}. {module.title}: state", f"{module.number}. {module.title}: best score %"]
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in progress.learners:
        cells: list[object] = [
            row.member.display_name,
            row.member.email or "",
            _date(row.member.joined_at),
            _date(row.last_activity),
            row.steps_done,
            row.steps_total,
        ]
        for cell in row.cells:
            cells += [cell.label, "" if cell.best_score is None else cell.best_score]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return "\ufeff" + buffer.getvalue()

