"""Outcomes for funders: did families learn? Knowledge scores and confidence before the course,
after it and at follow-up, for a group and for the whole program, and the CSV of them.

Each page runs the same few aggregate queries whatever the number of learners. A check
taken by fewer than MIN_RESPONDENTS people is not broken down: its numbers are held back,
to protect those people and because so few answers say little. Deactivated accounts are
left out, as on every dashboard.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm

from course.dashboard import spreadsheet_safe
from course.extensions import db
from course.knowledge import CONFIDENCE_FIELDS, CONFIDENCE_QUESTIONS, KIND_LABELS, KINDS
from course.models import Group, KnowledgeCheck, Membership, User

MIN_RESPONDENTS = 5
HELD_BACK = "fewer than 5 people — not shown, to protect their privacy and because so few answers say little"
CONFIDENCE_SHORT = {
    "confidence_overdose": "Respond to an overdose",
    "confidence_naloxone": "Give naloxone",
    "confidence_support": "Support without enabling",
}
PROGRAM = "Whole program"
SAME_PEOPLE = "Same people, before to after (change in points)"


@dataclass(frozen=True)
class CheckSummary:
    """One kind of check in one group (or the program): how many took it and their averages."""

    kind: str
    respondents: int
    average_score: float = 0.0
    confidence: tuple[float, float, float] = (0.0, 0.0, 0.0)  # in CONFIDENCE_FIELDS order, 1 to 5

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def shown(self) -> bool:
        return self.respondents >= MIN_RESPONDENTS


@dataclass(frozen=True)
class Outcomes:
    """The three checks of one group, or of the whole program."""

    title: str
    checks: tuple[CheckSummary, ...]  # before, after, follow-up
    group_id: int | None = None
    # The people who took both the before and the after check, and their own average gain in points.
    paired_count: int = 0
    paired_change: float = 0.0

    @property
    def paired_shown(self) -> bool:
        return self.paired_count >= MIN_RESPONDENTS

    def check(self, kind: str) -> CheckSummary:
        return next(check for check in self.checks if check.kind == kind)

    @property
    def score_change(self) -> float | None:
        """Return the average score after minus before, when both are shown."""
        before, after = self.check("before"), self.check("after")
        return after.average_score - before.average_score if before.shown and after.shown else None

    def confidence_rows(self) -> list[tuple[str, list[float | None]]]:
        """Return, per confidence question, its average at each check (None: held back)."""
        return [
            (CONFIDENCE_SHORT[name], [check.confidence[index] if check.shown else None for check in self.checks])
            for index, name in enumerate(CONFIDENCE_FIELDS)
        ]


def _aggregates(*keys: sa.ColumnElement) -> sa.Select:
    return sa.select(
        *keys,
        KnowledgeCheck.kind,
        sa.func.count(KnowledgeCheck.id),
        sa.func.avg(KnowledgeCheck.score),
        *(sa.func.avg(getattr(KnowledgeCheck, name)) for name in CONFIDENCE_FIELDS),
    ).join(User, User.id == KnowledgeCheck.user_id).where(User.active)


def _summary(kind: str, row: sa.Row | None) -> CheckSummary:
    if row is None:
        return CheckSummary(kind, 0)
    count, score, *confidence = row[-5:]
    return CheckSummary(kind, count, float(score), tuple(float(value) for value in confidence))


def _outcomes(title: str, rows: Iterable[sa.Row], group_id: int | None = None, paired=(0, 0.0)) -> Outcomes:
    by_kind = {row.kind: row for row in rows}
    return Outcomes(title, tuple(_summary(kind, by_kind.get(kind)) for kind in KINDS), group_id, *paired)


def _paired(group_id: int | None) -> tuple[int, float]:
    """Return how many active learners took both 'before' and 'after' (in the group), and their average gain."""
    before, after = sa.orm.aliased(KnowledgeCheck), sa.orm.aliased(KnowledgeCheck)
    select = (
        sa.select(sa.func.count(before.id), sa.func.avg(after.score - before.score))
        .join(after, sa.and_(after.user_id == before.user_id, after.kind == "after"))
        .join(User, User.id == before.user_id)
        .where(before.kind == "before", User.active)
    )
    if group_id is not None:
        select = select.join(Membership, Membership.user_id == before.user_id).where(Membership.group_id == group_id)
    count, change = db.session.execute(select).one()
    return count, float(change or 0)


def group_outcomes(group: Group) -> Outcomes:
    """Return the group's outcomes: its active members' checks (two queries)."""
    rows = db.session.execute(
        _aggregates()
        .join(Membership, Membership.user_id == KnowledgeCheck.user_id)
        .where(Membership.group_id == group.id)
        .group_by(KnowledgeCheck.kind)
    ).all()
    return _outcomes(group.name, rows, group.id, _paired(group.id))


def program_outcomes() -> Outcomes:
    """Return the whole program's outcomes: every active learner's checks, in a group or not (two queries)."""
    rows = db.session.execute(_aggregates().group_by(KnowledgeCheck.kind)).all()
    return _outcomes(PROGRAM, rows, paired=_paired(None))


def every_group_outcomes() -> list[Outcomes]:
    """Return each group's outcomes, by name (two queries)."""
    rows = db.session.execute(
        _aggregates(Membership.group_id)
        .join(Membership, Membership.user_id == KnowledgeCheck.user_id)
        .group_by(Membership.group_id, KnowledgeCheck.kind)
    ).all()
    by_group: dict[int, list[sa.Row]] = {}
    for row in rows:
        by_group.setdefault(row.group_id, []).append(row)
    named = db.session.execute(sa.select(Group.id, Group.name).order_by(Group.name, Group.id)).all()
    return [_outcomes(name, by_group.get(group_id, []), group_id) for group_id, name in named]


def outcomes_csv(every: Iterable[Outcomes]) -> str:
    """Return the outcomes as CSV text, one row per group (or program) and check; held-back numbers stay empty.

    Starts with a byte-order mark so spreadsheets read it as UTF-8; cells a spreadsheet would
    run as a formula are neutralised.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["Group", "Check", "People who took it", "Average score %"]
    header += [f"Average confidence (1-5): {CONFIDENCE_QUESTIONS[name]}" for name in CONFIDENCE_FIELDS]
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for outcomes in every:
        for check in outcomes.checks:
            if check.shown:
                cells = [check.respondents, round(check.average_score), *(f"{value:.1f}" for value in check.confidence)]
            else:
                cells = ["fewer than 5" if check.respondents else 0, "", "", "", ""]
            writer.writerow([spreadsheet_safe(cell) for cell in [outcomes.title, check.label, *cells]])
        if outcomes.paired_count:
            shown = outcomes.paired_shown
            cells = [outcomes.paired_count if shown else "fewer than 5", round(outcomes.paired_change) if shown else ""]
            writer.writerow([spreadsheet_safe(cell) for cell in [outcomes.title, SAME_PEOPLE, *cells, "", "", ""]])
    return "\ufeff" + buffer.getvalue()
