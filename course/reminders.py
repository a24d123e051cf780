"""Opt-in reminder mail: who is due what, an outbox that never sends twice, and one-click unsubscribe.

`flask --app wsgi reminders send` (run daily from cron or a systemd timer) queues every reminder
that fell due and sends the queue. Each reminder is one row of reminder_mails, unique per
(person, kind, period), where the period is the day it fell due: queueing again inserts nothing
(ON CONFLICT DO NOTHING), and a row is claimed with a compare-and-set UPDATE before it is sent,
so two runs at once send each mail once. A failed send is retried by later runs (up to
MAX_ATTEMPTS); the row keeps the error's class, never the address.

Mail says nothing about the course's topic: someone else may read the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from course import mail, refreshers
from course.content import Course
from course.extensions import db
from course.models import KnowledgeCheck, QuizAttempt, ReminderMail, ReminderPreference, Role, User, utcnow

AWAY_DAYS = 14  # "you have not visited in 14 days"
FOLLOW_UP_DAYS = 90  # the follow-up knowledge check, three months after the end of the course
MAX_ATTEMPTS = 5
STALE_CLAIM = timedelta(minutes=30)  # a run that died mid-send: its claimed rows are retried after this
KINDS_FIRST_TO_LAST = ("refresher", "follow_up", "away")  # when several fall due at once
ONE_A_WEEK = timedelta(days=7)  # at most one reminder a week, so nobody is flooded
BODIES = {
    "away": "It's been a while since you visited. Your next step is waiting:\n{link}",
    "refresher": "It's time for a short refresher. It takes about five minutes:\n{link}",
    "follow_up": "A short check-in is ready for you. It takes about five minutes:\n{link}",
}


# --- preferences and unsubscribe links ------------------------------------------------


# Built once: the learner home asks on every visit.
_REMINDER_CHOICE = sa.select(ReminderPreference.email_reminders).where(ReminderPreference.user_id == sa.bindparam("user_id"))


def wants_reminders(user_id: int) -> bool | None:
    """Return the person's choice (None: never asked)."""
    return db.session.scalar(_REMINDER_CHOICE, {"user_id": user_id})


def set_reminders(user_id: int, wanted: bool) -> None:
    """Record whether the person wants reminder mail."""
    row = db.session.scalar(sa.select(ReminderPreference).where(ReminderPreference.user_id == user_id))
    if row is None:
        row = ReminderPreference(user_id=user_id)
        db.session.add(row)
    row.email_reminders = wanted
    row.changed_at = utcnow()
    db.session.commit()


def set_reminders_if_account(user_id: int, wanted: bool) -> None:
    """Record the choice for an account that may have been deleted since the link was mailed."""
    if db.session.get(User, user_id) is not None:
        set_reminders(user_id, wanted)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="reminders-unsubscribe")


def unsubscribe_token(user_id: int) -> str:
    """Return the signed token of a person's unsubscribe link (works without login, never expires)."""
    return _serializer().dumps(user_id)


def user_for_token(token: str) -> int | None:
    """Return the user id an unsubscribe token names, or None for a forged or broken one."""
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    return user_id if isinstance(user_id, int) else None


# --- what is due -------------------------------------------------------------------------


def _opted_in() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(ReminderPreference, ReminderPreference.user_id == User.id)
            .where(ReminderPreference.email_reminders.is_(True), User.active.is_(True), User.role == Role.LEARNER)
        )
    )


def _course_finished_at(course: Course, user_ids: list[int]) -> dict[int, datetime]:
    """Return when each learner who passed every module first had them all passed."""
    rows = db.session.execute(
        sa.select(QuizAttempt.user_id, QuizAttempt.module_slug, sa.func.min(QuizAttempt.submitted_at))
        .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.passed.is_(True))
        .group_by(QuizAttempt.user_id, QuizAttempt.module_slug)
    ).all()
    passed: dict[int, dict[str, datetime]] = {}
    for user_id, module_slug, at in rows:
        passed.setdefault(user_id, {})[module_slug] = at
    slugs = [module.slug for module in course.modules]
    return {u: max(p[s] for s in slugs) for u, p in passed.items() if slugs and all(s in p for s in slugs)}


def follow_up_due(course: Course, user_ids: list[int]) -> dict[int, datetime]:
    """Return when each learner's follow-up check fell due: 90 days after their 'after' check, or after
    finishing the course if they never took one; none once the follow-up is taken."""
    checks = db.session.execute(
        sa.select(KnowledgeCheck.user_id, KnowledgeCheck.kind, KnowledgeCheck.taken_at).where(
            KnowledgeCheck.user_id.in_(user_ids)
        )
    ).all()
    taken = {(user_id, kind): at for user_id, kind, at in checks}
    finished = _course_finished_at(course, user_ids)
    due = {}
    for user_id in user_ids:
        if (user_id, "follow_up") in taken:
            continue
        start = taken.get((user_id, "after")) or finished.get(user_id)
        if start is not None:
            due[user_id] = start + timedelta(days=FOLLOW_UP_DAYS)
    return due


def due_reminders(course: Course, now: datetime) -> list[tuple[int, str, str]]:
    """Return (user id, kind, period) of the reminders to queue now: at most one per person, and none to
    someone mailed in the last week (the refresher first, then the follow-up check, then "away")."""
    people = _opted_in()
    ids = [person.id for person in people]
    if not ids:
        return []
    due: list[tuple[int, str, datetime]] = []
    for person in people:
        away_since = (person.last_seen_at or person.created_at) + timedelta(days=AWAY_DAYS)
        if away_since <= now:
            due.append((person.id, "away", away_since))
    due += [(user_id, "refresher", at) for user_id, at in refreshers.due_since(ids, course, now).items()]
    due += [(user_id, "follow_up", at) for user_id, at in follow_up_due(course, ids).items() if at <= now]
    return _one_a_week([(user_id, kind, at.date().isoformat()) for user_id, kind, at in due], ids, now)


def _one_a_week(due: list[tuple[int, str, str]], ids: list[int], now: datetime) -> list[tuple[int, str, str]]:
    """Keep the first new reminder of each person by priority, unless they were mailed in the last week."""
    rows = db.session.execute(
        sa.select(ReminderMail.user_id, ReminderMail.kind, ReminderMail.period, ReminderMail.created_at).where(
            ReminderMail.user_id.in_(ids)
        )
    ).all()
    queued = {(user_id, kind, period) for user_id, kind, period, _ in rows}
    recent = {user_id for user_id, _, _, created_at in rows if created_at > now - ONE_A_WEEK}
    chosen: dict[int, tuple[int, str, str]] = {}
    for item in sorted(due, key=lambda item: KINDS_FIRST_TO_LAST.index(item[1])):
        if item not in queued and item[0] not in recent:
            chosen.setdefault(item[0], item)
    return list(chosen.values())


def queue(due: list[tuple[int, str, str]]) -> int:
    """Insert the due reminders into the outbox; those already there (this period) are left alone."""
    if not due:
        return 0
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ReminderMail.__table__).on_conflict_do_nothing(
        index_elements=["user_id", "kind", "period"]
    )
    now = utcnow()
    result = db.session.execute(
        statement,
        [
            {"user_id": u, "kind": k, "period": p, "status": "pending", "attempts": 0, "created_at": now}
            for u, k, p in due
        ],
    )
    db.session.commit()
    return max(result.rowcount or 0, 0)


# --- sending -------------------------------------------------------------------------------


@dataclass
class Report:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)


def _claim(row_id: int, status: str, attempts: int, now: datetime) -> bool:
    """Take a row for this run; False when another run took it first."""
    claimed = db.session.execute(
        sa.update(ReminderMail)
        .where(ReminderMail.id == row_id, ReminderMail.status == status, ReminderMail.attempts == attempts)
        .values(status="sending", attempts=attempts + 1, claimed_at=now)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _sendable(now: datetime) -> list[tuple[int, int, str, str, int]]:
    return db.session.execute(
        sa.select(ReminderMail.id, ReminderMail.user_id, ReminderMail.kind, ReminderMail.status, ReminderMail.attempts)
        .where(
            sa.or_(
                ReminderMail.status == "pending",
                sa.and_(ReminderMail.status == "failed", ReminderMail.attempts < MAX_ATTEMPTS),
                sa.and_(ReminderMail.status == "sending", ReminderMail.claimed_at < now - STALE_CLAIM),
            )
        )
        .order_by(ReminderMail.id)
    ).all()


def reminder_link(kind: str) -> str:
    if kind == "refresher":
        return mail.external_url("lasting.refresher")
    if kind == "follow_up":  # the knowledge check's page (a public contract URL)
        return mail.external_url("learn.home").rstrip("/") + "/knowledge-check"
    return mail.external_url("learn.home")


def send_one(user: User, kind: str, errors: list[str] | None = None) -> bool:
    """Send one reminder with its one-click unsubscribe link and headers; return whether it left."""
    unsubscribe = mail.external_url("lasting.unsubscribe", token=unsubscribe_token(user.id))
    body = BODIES[kind].format(link=reminder_link(kind)) + (
        f"\n\nYou get these emails because you asked for reminders. To stop them:\n{unsubscribe}"
    )
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return mail.send(
        user.email, f"A note from {mail.sender_name()}", body, kind=f"reminder-{kind}", headers=headers, errors=errors
    )


def send_queued(now: datetime | None = None) -> Report:
    """Send every queued reminder this run can claim; record what became of each."""
    now = now or utcnow()
    report = Report()
    for row_id, user_id, kind, status, attempts in _sendable(now):
        if not _claim(row_id, status, attempts, now):
            continue
        user, errors = db.session.get(User, user_id), []
        if user is None or not user.active or not wants_reminders(user_id):
            outcome, error = "dropped", None  # opted out (or deactivated) since it was queued
        elif send_one(user, kind, errors):
            outcome, error = "sent", None
        else:
            outcome, error = "failed", (errors or ["NotSent"])[-1][:80]
        db.session.execute(
            sa.update(ReminderMail)
            .where(ReminderMail.id == row_id)
            .values(status=outcome, last_error=error, sent_at=utcnow() if outcome == "sent" else None)
        )
        db.session.commit()
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def run(course: Course, now: datetime | None = None) -> Report:
    """Queue what fell due and send the outbox."""
    now = now or utcnow()
    queued = queue(due_reminders(course, now))
    # Links are built with url_for, which needs a request; mail.external_url puts them on LANTERN_BASE_URL.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"] or None):
        report = send_queued(now)
    report.queued = queued
    return report


reminders_cli = AppGroup("reminders", help="Reminder mail (opt-in).")


@reminders_cli.command("send")
def send_command() -> None:
    """Queue and send the reminders that fell due (safe to run again, or twice at once).

    Exit 0 when the run completed, even if some mail failed (it is retried by the next run);
    exit 1 only when the database could not be reached.
    """
    from course.loaded import get_course

    try:
        report = run(get_course())
    except SQLAlchemyError as error:
        db.session.rollback()
        click.echo(f"Reminders not sent: the database did not answer ({type(error).__name__}).", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"Reminders: {report.queued} newly due, {report.sent} sent, "
        f"{report.failed} failed (retried next run), {report.dropped} no longer wanted."
    )
