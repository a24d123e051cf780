"""Going through the course: lesson progress, quiz layouts, attempts and answers, the summary, the certificate."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.models.accounts import User
from course.models.clock import utcnow


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


class LatestAnswer(db.Model):
    """A learner's answer to a question on the latest attempt that asked it, kept as data.

    Rewritten with the learner's summary (course.dashboard.status), so the per-question results
    of a group count one row per member and question instead of ranking every answer ever given.
    """

    __tablename__ = "latest_answers"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    module_slug: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    question_id: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    is_correct: Mapped[bool]
    chosen: Mapped[list[str]] = mapped_column(sa.JSON)  # as in AttemptAnswer
