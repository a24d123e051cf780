"""Learner state: users, groups, lesson progress, quiz layouts, quiz attempts and their answers.

Content (modules, lessons, questions) lives in files; rows point to it by slug.
Times are naive UTC everywhere, so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from course import passwords
from course.extensions import db


def utcnow() -> datetime:
    """Return the current time as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class Role(StrEnum):
    LEARNER = "learner"
    FACILITATOR = "facilitator"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint("role IN ('learner', 'facilitator', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint ignores case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(60))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.LEARNER)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]

    # The server-side session this request belongs to (see course/sessions.py); not a column.
    session_token = None

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        return passwords.verify_password(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_facilitator(self) -> bool:
        return self.role in (Role.FACILITATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def get_id(self) -> str:
        # Flask-Login keeps this in the session and the remember cookie: the random token of a
        # server-side session row, so logging out or changing the password ends it for real.
        if not self.session_token:
            raise RuntimeError("log in through course.sessions.start(), which makes the session row")
        return self.session_token

    def password_fingerprint(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]


class Group(db.Model):
    """A group of families; led by one or more facilitators (group_facilitators)."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    invite_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    leader_links: Mapped[list[GroupFacilitator]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class GroupFacilitator(db.Model):
    """One facilitator of a group; a group may have several, who all see and manage it.

    Deleting the account deletes only this row, never the group and its members' data.
    """

    __tablename__ = "group_facilitators"

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Whether the learner let the facilitator see their email address (default: no).
    share_email: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[Group] = relationship()
    user: Mapped[User] = relationship()


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (sa.UniqueConstraint("user_id", "module_slug", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    lesson_slug: Mapped[str] = mapped_column(sa.String(80))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # One attempt per quiz form: a double click or a replayed form records nothing new.
        sa.UniqueConstraint("user_id", "submission_token"),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="score_percent"),
        sa.CheckConstraint("correct_count >= 0 AND correct_count <= question_count", name="counts"),
        sa.Index("ix_quiz_attempts_user_module", "user_id", "module_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    submission_token: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[int]
    correct_count: Mapped[int]
    question_count: Mapped[int]
    passed: Mapped[bool]
    missed_critical: Mapped[bool]
    # The quiz file's hash when the attempt was taken, to review it against what was asked.
    content_version: Mapped[str] = mapped_column(sa.String(64))

    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", passive_deletes=True, order_by="AttemptAnswer.id"
    )


class AttemptAnswer(db.Model):
    __tablename__ = "attempt_answers"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(sa.String(80))
    # Choice ids; for a put-in-order question, in the order the learner put them.
    chosen: Mapped[list[str]] = mapped_column(sa.JSON)
    is_correct: Mapped[bool]

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")


class QuizLayout(db.Model):
    """What one attempt at a quiz shows: the questions drawn from the pool and each one's choice order.

    Made when the learner opens the quiz; its token is the form's submission token, so the
    answers are graded against exactly what was shown. Linked to the attempt it became, so the
    review shows the questions and choices in the order the learner saw them.
    """

    __tablename__ = "quiz_layouts"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "token"),
        sa.Index("ix_quiz_layouts_user_module", "user_id", "module_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    token: Mapped[str] = mapped_column(sa.String(64))
    # The quiz file's hash when it was drawn: answers to another version are not graded against it.
    content_version: Mapped[str] = mapped_column(sa.String(64))
    # [[question id, [choice ids in the order shown]], ...], questions in the order shown.
    questions: Mapped[list] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The attempt it became; None while the quiz is open (a reload shows the same layout).
    attempt_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"), unique=True
    )


class Certificate(db.Model):
    """A certificate of completion; anyone with its code can check it at /verify/<code>."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class UserSession(db.Model):
    """A login on one device; the cookie holds a random token, the row only its hash."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class EmailConfirmation(db.Model):
    """A registration waiting for its address to be confirmed by the link mailed to it.

    No account exists until the link is opened, so registering never reveals whether an
    address already has one. Rows expire; several may wait for one address.
    """

    __tablename__ = "email_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    display_name: Mapped[str] = mapped_column(sa.String(60))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    next_url: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class KnowledgeCheck(db.Model):
    """One learner's knowledge check: before the course, at its end, or three months later.

    Its questions come from its own bank (not the module quizzes); the three confidence
    answers are 1 (not at all sure) to 5 (very sure). One row per learner and kind: the
    first one taken counts, so outcomes compare like with like.
    """

    __tablename__ = "knowledge_checks"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind"),
        sa.CheckConstraint("kind IN ('before', 'after', 'follow_up')", name="kind"),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="score_percent"),
        sa.CheckConstraint(
            "confidence_overdose BETWEEN 1 AND 5 AND confidence_naloxone BETWEEN 1 AND 5 "
            "AND confidence_support BETWEEN 1 AND 5",
            name="confidence_scale",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[int]
    correct_count: Mapped[int]
    question_count: Mapped[int]
    # "How sure are you that you could respond to an overdose / give naloxone / support your loved one?"
    confidence_overdose: Mapped[int]
    confidence_naloxone: Mapped[int]
    confidence_support: Mapped[int]
    # [{"question": id, "chosen": [choice ids], "correct": bool}, ...]
    answers: Mapped[list] = mapped_column(sa.JSON)
    content_version: Mapped[str] = mapped_column(sa.String(64))


class CheckInAction(db.Model):
    """A facilitator contacted a learner (with an optional private note) or snoozed their check-in.

    Private to the group's facilitators and admins; in the learner's own data export;
    deleted with the learner's account.
    """

    __tablename__ = "check_in_actions"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('contacted', 'snoozed')", name="kind"),
        sa.Index("ix_check_in_actions_group_learner", "group_id", "learner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Who recorded it; kept (as unknown) when the facilitator's account is deleted.
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    contacted_on: Mapped[date | None]  # the day of the call or meeting, for "contacted"
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    snoozed_until: Mapped[datetime | None]  # for "snoozed"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffInvite(db.Model):
    """An admin's invitation to become a facilitator or admin: a single-use, expiring link.

    Only a hash of the link's token is stored, so a copy of the database cannot be used to accept it.
    """

    __tablename__ = "staff_invites"
    __table_args__ = (sa.CheckConstraint("role IN ('facilitator', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


# --- learning that lasts: practice, refreshers, the overdose-response certificate, reminders ---


class PracticeAnswer(db.Model):
    """One answer given on /learn/review; practice never touches quiz attempts or scores."""

    __tablename__ = "practice_answers"
    __table_args__ = (sa.Index("ix_practice_answers_user_question", "user_id", "module_slug", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    question_id: Mapped[str] = mapped_column(sa.String(80))
    chosen: Mapped[list[str]] = mapped_column(sa.JSON)
    is_correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class RefresherAttempt(db.Model):
    """A short refresher of the always-open module: drawn when opened, graded once when submitted."""

    __tablename__ = "refresher_attempts"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "token"),
        sa.Index("ix_refresher_attempts_user_passed", "user_id", "passed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    token: Mapped[str] = mapped_column(sa.String(64))
    content_version: Mapped[str] = mapped_column(sa.String(64))
    # [[question id, [choice ids in the order shown]], ...], as quiz_layouts stores a layout.
    questions: Mapped[list] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when graded; None while the refresher is open.
    submitted_at: Mapped[datetime | None]
    score: Mapped[int | None]
    passed: Mapped[bool] = mapped_column(default=False)
    missed_critical: Mapped[bool] = mapped_column(default=False)
    # {question id: [choice ids]} as answered.
    answers: Mapped[dict | None] = mapped_column(sa.JSON)


class ResponseCertificate(db.Model):
    """The overdose-response certificate: current while refreshers are passed in time."""

    __tablename__ = "response_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class ReminderPreference(db.Model):
    """Whether the person wants reminder mail (off unless they said yes); no row: not asked yet."""

    __tablename__ = "reminder_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    email_reminders: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderMail(db.Model):
    """The reminder outbox: one row per person, kind and period, so no run sends a reminder twice."""

    __tablename__ = "reminder_mails"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "period"),
        sa.CheckConstraint("kind IN ('away', 'refresher', 'follow_up')", name="kind"),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'dropped')", name="status"),
        sa.Index("ix_reminder_mails_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    # The day the thing became due (ISO date): a new absence or a new refresher is a new period.
    period: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # The class of the last sending error (never the address).
    last_error: Mapped[str | None] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class LearnerStatus(db.Model):
    """Each learner's dashboard summary (cells, steps, check-in reasons), kept as data.

    Rewritten in the same transaction as every change to their lessons or attempts
    (course.dashboard.status), so a group's pages read one row per learner.
    """

    __tablename__ = "learner_status"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # Which shape of the course the summary was computed for: another shape means recompute.
    content_version: Mapped[str] = mapped_column(sa.String(64))
    # JSON text (course.dashboard.summary.encode), read as text so unchanged summaries decode from a cache.
    summary: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
