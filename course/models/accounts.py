"""Accounts: people and their roles, their logins, waiting registrations and staff invitations."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from course import passwords
from course.extensions import db
from course.models.clock import utcnow


class Role(StrEnum):
    LEARNER = "learner"
    FACILITATOR = "facilitator"
    ADMIN = "admin"


class RoleChecks:
    """What a role allows, for the User row and the signed-in person of a request (course/sessions.py, SignedIn)."""

    role: str

    @property
    def is_facilitator(self) -> bool:
        return self.role in (Role.FACILITATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class User(RoleChecks, db.Model):
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

    # Rules such as access.may_manage_group take a row, the signed-in person or Flask-Login's anonymous visitor.
    is_authenticated = True

    # Not a column: the browser session a change to the account is made from (SignedIn.row() sets it),
    # which a new password keeps while it ends the others. Flask-Login never sees this row.
    session_token = None

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        return passwords.verify_password(self.password_hash, password)

    def password_fingerprint(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]


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
