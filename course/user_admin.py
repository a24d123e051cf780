"""User administration for the admin pages and the command line: find, change role, deactivate,
and invite facilitators and admins by email (a single-use link that expires).

A deactivated account cannot log in and disappears from dashboards, but its history
stays until the account is deleted.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from course import accounts, passwords, sessions
from course.audit import security_event

from course.access import led_group_ids
from course.extensions import db
from course.models import Group, Membership, Role, StaffInvite, User

USERS_PER_PAGE = 50
MAX_PAGE = 1_000_000


class UserAdminError(ValueError):
    """A change to an account that is refused, with a message for the admin."""


def search_users(text: str, page: int, per_page: int = USERS_PER_PAGE) -> Pagination:
    """Return a page of accounts whose email or display name contains the text (any case).

    A page number out of range gives the nearest page there is.
    """
    select = sa.select(User).order_by(User.email)
    # PostgreSQL refuses NUL in text, and no email or name holds control characters.
    wanted = "".join(char for char in text if char.isprintable()).strip().lower()
    if wanted:
        # Escape LIKE's wildcards so "50%" or "a_b" match themselves.
        pattern = "%" + wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        select = select.where(
            sa.or_(User.email.like(pattern, escape="\\"), sa.func.lower(User.display_name).like(pattern, escape="\\"))
        )
    # Bounded before it reaches SQL: OFFSET overflows on absurd page numbers.
    found = db.paginate(select, page=min(max(page, 1), MAX_PAGE), per_page=per_page, error_out=False)
    if found.page > 1 and not found.items and found.total:
        found = db.paginate(select, page=found.pages, per_page=per_page, error_out=False)
    return found


def groups_of(user: User) -> tuple[list[Group], list[Group]]:
    """Return (groups the user leads, groups the user is a member of)."""
    led = db.session.scalars(sa.select(Group).where(Group.id.in_(led_group_ids(user.id))).order_by(Group.name)).all()
    member_of = db.session.scalars(
        sa.select(Group).join(Membership, Membership.group_id == Group.id).where(Membership.user_id == user.id).order_by(Group.name)
    ).all()
    return list(led), list(member_of)


def change_role(acting: User | None, user: User, role: str) -> None:
    """Give an account a role; an admin cannot take away their own admin role."""
    if role not in set(Role):
        raise UserAdminError(f"Role must be one of {', '.join(Role)}.")
    if acting is not None and acting.id == user.id and role != Role.ADMIN:
        raise UserAdminError("You cannot take away your own admin role. Ask another admin to do it.")
    user.role = role
    db.session.commit()
    security_event("role_changed", user=user.id, role=role, by=acting.id if acting else "command-line")


def set_active(acting: User | None, user: User, active: bool) -> None:
    """Deactivate or reactivate an account; an admin cannot deactivate themselves."""
    if acting is not None and acting.id == user.id and not active:
        raise UserAdminError("You cannot deactivate your own account. Ask another admin to do it.")
    user.active = active
    if not active:
        sessions.end_all_sessions(user.id)  # a deactivated account is logged out everywhere at once
    db.session.commit()
    security_event("account_reactivated" if active else "account_deactivated", user=user.id,
                   by=acting.id if acting else "command-line")


# --- inviting facilitators and admins by email ----------------------------------------------

INVITE_VALID_FOR = timedelta(days=7)
STAFF_ROLES = (Role.FACILITATOR, Role.ADMIN)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_staff(acting: User | None, email: str, role: str, now: datetime) -> str:
    """Invite a new facilitator or admin; return the link's token (only its hash is stored).

    A newer invitation to the same address replaces any earlier one that was not used.
    """
    if role not in STAFF_ROLES:
        raise UserAdminError("Invite a facilitator or an admin. Learners sign up on their own.")
    email = accounts.normalise_email(email)
    existing = accounts.find_user_by_email(email)
    if existing is not None:
        raise UserAdminError(f"{email} already has an account. Change its role on its page instead.")
    db.session.execute(sa.delete(StaffInvite).where(StaffInvite.email == email, StaffInvite.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    db.session.add(
        StaffInvite(
            email=email, role=role, token_hash=_token_hash(token), invited_by_id=acting.id if acting else None,
            created_at=now, expires_at=now + INVITE_VALID_FOR,
        )
    )
    db.session.commit()
    return token


def invite_mail_body(role: str, link: str, inviter: str) -> str:
    """Say who invited the person, to do what, and how long the link works."""
    what = "run groups of families on Lantern" if role == Role.FACILITATOR else "help run Lantern as an admin"
    return (
        f"{inviter} invited you to {what}.\n\n"
        f"To choose your name and password, open this link within {INVITE_VALID_FOR.days} days:\n{link}\n\n"
        "The link works once. If you did not expect this email, you can ignore it."
    )


def valid_invite(token: str, now: datetime) -> StaffInvite | None:
    """Return the unused, unexpired invitation for this link's token, if any."""
    if not token or len(token) > 100:
        return None
    invite = db.session.scalar(sa.select(StaffInvite).where(StaffInvite.token_hash == _token_hash(token)))
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return None
    return invite


def accept_invite(invite: StaffInvite, display_name: str, password: str, now: datetime) -> User:
    """Make the invited account with its role; the link stops working at once."""
    problem = passwords.password_problem(password, (invite.email, display_name))
    if problem:  # the one password rule, as on every other form
        raise UserAdminError(problem)
    # Marked used first: two submissions at once make one account at most.
    claimed = db.session.execute(
        sa.update(StaffInvite).where(StaffInvite.id == invite.id, StaffInvite.used_at.is_(None)).values(used_at=now)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise UserAdminError("This invitation was used already. Log in, or ask an admin for a new one.")
    try:
        return accounts.create_user(invite.email, password, display_name, role=invite.role)
    except accounts.AccountError as error:
        db.session.rollback()
        raise UserAdminError("An account with this email address exists already. Log in instead.") from error


def pending_invites(now: datetime) -> list[StaffInvite]:
    """Return the invitations not used yet and still valid, newest first."""
    return list(db.session.scalars(
        sa.select(StaffInvite)
        .where(StaffInvite.used_at.is_(None), StaffInvite.expires_at > now)
        .order_by(StaffInvite.created_at.desc())
    ))
