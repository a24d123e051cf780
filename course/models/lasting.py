"""Learning that lasts: knowledge checks, practice, refreshers, the overdose-response certificate, reminders."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.models.accounts import User
from course.models.clock import utcnow


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
