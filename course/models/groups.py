"""Groups of families: their facilitators, their members, and the facilitators' check-ins."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.extensions import db
from course.models.accounts import User
from course.models.clock import utcnow


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
