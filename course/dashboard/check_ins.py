"""Who needs a check-in, and what the facilitators did about it.

The reasons come from the learner's rows (no activity, a quiz failed again and again, a
must-get-right question missed). A facilitator records that they contacted the learner
(the day, and an optional private note) or snoozes the check-in for some days. Notes are
seen only by the group's facilitators and admins, are in the learner's own data export,
and are deleted with the learner's account (ON DELETE CASCADE).

Order, most urgent first: people not yet contacted about their newest reason, a missed
must-get-right question before a quiz failed again and again before a quiet spell, the
longest wait first; then the people already contacted, the oldest contact first. A
snoozed person is hidden until the snooze ends, unless a NEW reason appears.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa

from course.content import Course, Module, Question
from course.extensions import db
from course.models import CheckInAction, Group, User

if TYPE_CHECKING:
    from course.dashboard.matrix import LearnerRow

FAILED_TRIES_FOR_CHECK_IN = 2
NOTE_MAX = 500
SNOOZE_MAX_DAYS = 90
CONTACT_MAX_DAYS_AGO = 366


class Urgency(IntEnum):
    """The kind of reason; lower is more urgent."""

    MISSED_CRITICAL = 0
    STUCK_ON_QUIZ = 1
    QUIET = 2


@dataclass(frozen=True)
class CheckInReason:
    text: str
    since: datetime  # when the reason became true: a reason newer than the last action is new
    urgency: Urgency = Urgency.QUIET


class CheckInError(ValueError):
    """A contact or snooze that cannot be recorded, with a message for the facilitator."""


# --- the reasons, from one learner's rows -----------------------------------------------


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
    return quiet_reason(activity, now, after_days) + progress_reasons(course, attempt_rows, critical_misses)


def quiet_reason(activity: datetime, now: datetime, after_days: int) -> tuple[CheckInReason, ...]:
    """Return the 'no activity' reason when the learner has been quiet long enough (it depends on today)."""
    quiet_days = (now - activity).days
    if quiet_days >= after_days:
        return (CheckInReason(f"No activity for {_days(quiet_days)}.", activity + timedelta(days=after_days)),)
    return ()


def progress_reasons(
    course: Course, attempt_rows: Sequence[sa.Row], critical_misses: Iterable[tuple[Module, Question, datetime]]
) -> tuple[CheckInReason, ...]:
    """Return the reasons that come from quiz attempts alone: stuck on a quiz, a must-get-right question missed."""
    reasons = []
    by_module: dict[str, list[sa.Row]] = defaultdict(list)
    for attempt in attempt_rows:
        by_module[attempt.module_slug].append(attempt)
    for module in course.modules:
        attempts = by_module.get(module.slug, [])  # oldest first
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
            reasons.append(CheckInReason(text, failed_since_pass[-1].submitted_at, Urgency.STUCK_ON_QUIZ))
    for module, question, submitted_at in critical_misses:
        reasons.append(
            CheckInReason(
                f"Missed a must-get-right question on their latest “{module.title}” quiz: “{question.prompt}”",
                submitted_at,
                Urgency.MISSED_CRITICAL,
            )
        )
    return tuple(reasons)


# --- what the facilitators did ------------------------------------------------------------


@dataclass(frozen=True)
class ActionRecord:
    kind: str  # "contacted" or "snoozed"
    created_at: datetime
    contacted_on: date | None
    note: str
    snoozed_until: datetime | None
    staff_name: str  # who recorded it ("a former facilitator" once their account is gone)


@dataclass(frozen=True)
class CheckIn:
    row: LearnerRow
    last_contacted: date | None
    contacted_about_newest: bool  # contacted after the newest reason appeared
    snoozed_until: datetime | None  # a snooze in force (no newer reason since)

    @property
    def urgency(self) -> Urgency:
        return min(reason.urgency for reason in self.row.reasons)


@dataclass(frozen=True)
class CheckInList:
    waiting: tuple[CheckIn, ...]  # most urgent first; contacted people last
    snoozed: tuple[CheckIn, ...]  # hidden from the list until the snooze ends

    @property
    def not_contacted(self) -> int:
        return sum(not item.contacted_about_newest for item in self.waiting)


def load_actions(group_id: int, learner_id: int | None = None) -> dict[int, list[ActionRecord]]:
    """Return the group's contacts and snoozes per learner, newest first (one query)."""
    select = (
        sa.select(CheckInAction, User.display_name)
        .outerjoin(User, User.id == CheckInAction.staff_id)
        .where(CheckInAction.group_id == group_id)
        .order_by(CheckInAction.created_at.desc(), CheckInAction.id.desc())
    )
    if learner_id is not None:
        select = select.where(CheckInAction.learner_id == learner_id)
    by_learner: dict[int, list[ActionRecord]] = defaultdict(list)
    for action, staff_name in db.session.execute(select):
        by_learner[action.learner_id].append(
            ActionRecord(
                action.kind, action.created_at, action.contacted_on, action.note, action.snoozed_until,
                staff_name or "a former facilitator",
            )
        )
    return by_learner


def triage(row: LearnerRow, actions: Sequence[ActionRecord], now: datetime) -> CheckIn:
    """Place one flagged learner: waiting (new or contacted) or snoozed, by the actions on record."""
    newest_reason = max(reason.since for reason in row.reasons)
    contacts = [a for a in actions if a.kind == "contacted"]
    last_contacted = max((a.contacted_on for a in contacts if a.contacted_on), default=None)
    contacted_about_newest = any(a.created_at >= newest_reason for a in contacts)
    snooze = next((a for a in actions if a.kind == "snoozed"), None)  # the latest one
    snoozed_until = None
    if snooze is not None and snooze.created_at >= newest_reason and snooze.snoozed_until > now:
        snoozed_until = snooze.snoozed_until
    return CheckIn(row, last_contacted, contacted_about_newest, snoozed_until)


def _urgency_key(item: CheckIn) -> tuple:
    if item.contacted_about_newest:
        # Already contacted: after everyone still waiting, the longest since contact first.
        return (1, 0, item.last_contacted or date.min, item.row.member.user_id)
    waiting_since = min(reason.since for reason in item.row.reasons)
    return (0, item.urgency, waiting_since, item.row.member.user_id)


def check_in_list(rows: Iterable[LearnerRow], actions: dict[int, list[ActionRecord]], now: datetime) -> CheckInList:
    """Return the flagged learners, most urgent first, with the snoozed ones apart."""
    items = [triage(row, actions.get(row.member.user_id, []), now) for row in rows if row.reasons]
    waiting = sorted((item for item in items if item.snoozed_until is None), key=_urgency_key)
    snoozed = sorted((item for item in items if item.snoozed_until is not None), key=lambda item: item.snoozed_until)
    return CheckInList(tuple(waiting), tuple(snoozed))


def _clean_note(note: str) -> str:
    cleaned = " ".join((note or "").split())
    if len(cleaned) > NOTE_MAX:
        raise CheckInError(f"Please keep the note to {NOTE_MAX} characters.")
    return cleaned


def record_contact(group: Group, learner_id: int, staff: User, contacted_on: date, note: str, today: date) -> None:
    """Record that a facilitator contacted the learner on a day, with an optional private note."""
    if contacted_on > today:
        raise CheckInError("The day of the contact cannot be in the future.")
    if contacted_on < today - timedelta(days=CONTACT_MAX_DAYS_AGO):
        raise CheckInError("Please give a day within the last year.")
    db.session.add(
        CheckInAction(
            group_id=group.id, learner_id=learner_id, staff_id=staff.id, kind="contacted",
            contacted_on=contacted_on, note=_clean_note(note),
        )
    )
    db.session.commit()


def snooze(group: Group, learner_id: int, staff: User, days: int, now: datetime) -> datetime:
    """Hide the learner's check-in for some days (a new reason brings them back); return until when."""
    if not 1 <= days <= SNOOZE_MAX_DAYS:
        raise CheckInError(f"Please choose from 1 to {SNOOZE_MAX_DAYS} days.")
    until = now + timedelta(days=days)
    db.session.add(
        CheckInAction(group_id=group.id, learner_id=learner_id, staff_id=staff.id, kind="snoozed", snoozed_until=until)
    )
    db.session.commit()
    return until


def export_for_learner(user_id: int) -> list[dict]:
    """Return the facilitators' notes and contacts about a learner, for the learner's data export."""
    rows = db.session.execute(
        sa.select(CheckInAction, Group.name)
        .join(Group, Group.id == CheckInAction.group_id)
        .where(CheckInAction.learner_id == user_id)
        .order_by(CheckInAction.created_at, CheckInAction.id)
    ).all()
    return [
        {
            "group": group_name,
            "kind": action.kind,
            "recorded_at": action.created_at.isoformat(),
            "contacted_on": action.contacted_on.isoformat() if action.contacted_on else None,
            "note": action.note,
            "snoozed_until": action.snoozed_until.isoformat() if action.snoozed_until else None,
        }
        for action, group_name in rows
    ]
