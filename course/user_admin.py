"""User administration for the admin pages and the command line: find, change role, deactivate.

A deactivated account cannot log in and disappears from dashboards, but its history
stays until the account is deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from course.access import led_group_ids
from course.extensions import db
from course.models import Group, Membership, Role, User

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


def set_active(acting: User | None, user: User, active: bool) -> None:
    """Deactivate or reactivate an account; an admin cannot deactivate themselves."""
    if acting is not None and acting.id == user.id and not active:
        raise UserAdminError("You cannot deactivate your own account. Ask another admin to do it.")
    user.active = active
    db.session.commit()
