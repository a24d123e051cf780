"""Groups and memberships: create, rename, archive, invite codes, join, leave, remove.

Who may see a group is decided here too: its facilitator and any admin; for everyone
else the group does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort
from sqlalchemy.exc import IntegrityError

from course import codes
from course.extensions import db
from course.models import Group, Membership, User, utcnow

INVITE_CODE_ATTEMPTS = 5


class GroupError(ValueError):
    """A group request that cannot be carried out, with a message for the person."""


@dataclass(frozen=True)
class GroupSummary:
    group: Group
    facilitator_name: str
    member_count: int  # active learners only: deactivated accounts disappear from dashboards


@dataclass(frozen=True)
class MyMembership:
    membership: Membership
    group: Group
    facilitator_name: str


# --- invite codes ----------------------------------------------------------------------


def new_invite_code() -> str:
    """Return a fresh random invite code (read aloud in a meeting, typed on a phone)."""
    return codes.random_code(12)


def normalise_invite_code(raw: str) -> str:
    """Return the code a person typed or pasted: any case, spaces or dashes, even the whole link."""
    last_part = raw.strip().rstrip("/").rsplit("/", 1)[-1]
    return "".join(char for char in last_part if char.isalnum()).upper()[:64]


def format_invite_code(code: str) -> str:
    """Return a code in groups of four, easier to read out: ABCD-EFGH-JKMN."""
    return codes.in_fours(code)


def find_group_by_code(raw: str) -> Group | None:
    code = normalise_invite_code(raw)
    if not code:
        return None
    return db.session.scalar(sa.select(Group).where(Group.invite_code == code))


def _commit_with_fresh_code(group: Group) -> None:
    # A clash between two random 60-bit codes is all but impossible; if one happens, draw again.
    for _ in range(INVITE_CODE_ATTEMPTS):
        group.invite_code = new_invite_code()
        db.session.add(group)
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
    raise RuntimeError("could not draw an unused invite code")


# --- who may see a group ------------------------------------------------------------


def may_see_group(user: User, group: Group) -> bool:
    """A facilitator sees only the groups they lead; an admin sees every group."""
    return user.is_admin or (user.is_facilitator and group.facilitator_id == user.id)


def group_for_facilitator_or_404(group_id: int, user: User) -> Group:
    """Return the group if the user may see it; otherwise 404, so its existence does not leak."""
    group = db.session.get(Group, group_id)
    if group is None or not may_see_group(user, group):
        abort(404)
    return group


def membership_or_404(group: Group, user_id: int) -> Membership:
    """Return an active learner's membership of the group, or 404."""
    membership = db.session.scalar(
        sa.select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group.id, Membership.user_id == user_id, User.active)
    )
    if membership is None:
        abort(404)
    return membership


def _member_counts(group_ids: sa.Select) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Membership.group_id, sa.func.count())
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id.in_(group_ids), User.active)
        .group_by(Membership.group_id)
    ).all()
    return {group_id: count for group_id, count in rows}


def _summaries(where: sa.ColumnElement[bool]) -> list[GroupSummary]:
    rows = db.session.execute(
        sa.select(Group, User.display_name)
        .join(User, User.id == Group.facilitator_id)
        .where(where)
        # Open groups first, then by name.
        .order_by(Group.archived_at.is_not(None), sa.func.lower(Group.name), Group.id)
    ).all()
    counts = _member_counts(sa.select(Group.id).where(where))
    return [GroupSummary(group, name, counts.get(group.id, 0)) for group, name in rows]


def groups_led_by(user_id: int) -> list[GroupSummary]:
    """Return the groups a facilitator leads, with their member counts (two queries)."""
    return _summaries(Group.facilitator_id == user_id)


def all_groups() -> list[GroupSummary]:
    """Return every group, for the admin (two queries)."""
    return _summaries(sa.true())


# --- the facilitator's operations -----------------------------------------------------


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise GroupError("Please give the group a name.")
    if len(cleaned) > 80:
        raise GroupError("Please use a name of at most 80 characters.")
    return cleaned


def create_group(facilitator: User, name: str) -> Group:
    """Create a group led by the facilitator, with a fresh invite code."""
    group = Group(name=_clean_name(name), facilitator_id=facilitator.id)
    _commit_with_fresh_code(group)
    return group


def rename_group(group: Group, name: str) -> None:
    group.name = _clean_name(name)
    db.session.commit()


def regenerate_invite_code(group: Group) -> None:
    """Give the group a new invite code; the old code and link stop working at once."""
    _commit_with_fresh_code(group)


def archive_group(group: Group) -> None:
    """Close the group to new members; its members and their progress stay visible."""
    if group.archived_at is None:
        group.archived_at = utcnow()
        db.session.commit()


def restore_group(group: Group) -> None:
    group.archived_at = None
    db.session.commit()


def delete_membership(membership: Membership) -> None:
    """Take a learner out of a group (they left, or were removed); their account and progress stay."""
    db.session.delete(membership)
    db.session.commit()


# --- the learner's operations -----------------------------------------------------------


def join_group(user: User, group: Group, share_email: bool) -> bool:
    """Add the learner to the group; return False if they were in it already (their choice is updated)."""
    if group.archived_at is not None:
        raise GroupError(f"“{group.name}” is closed, so nobody can join it now. Please ask your group leader.")
    if group.facilitator_id == user.id:
        raise GroupError("You lead this group, so you cannot join it as a learner.")
    existing = _membership(group.id, user.id)
    if existing is not None:
        existing.share_email = share_email
        db.session.commit()
        return False
    db.session.add(Membership(group_id=group.id, user_id=user.id, share_email=share_email))
    try:
        db.session.commit()
    except IntegrityError:
        # The same form arrived twice at once (a double click): one membership is enough.
        db.session.rollback()
        return False
    return True


def _membership(group_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    )


def own_membership_or_404(user: User, group_id: int) -> Membership:
    """Return the user's own membership of a group, or 404."""
    membership = _membership(group_id, user.id)
    if membership is None:
        abort(404)
    return membership


def stop_sharing_email(membership: Membership) -> None:
    membership.share_email = False
    db.session.commit()


def memberships_of(user_id: int) -> list[MyMembership]:
    """Return the groups a learner is in, with their leaders' names (one query)."""
    rows = db.session.execute(
        sa.select(Membership, Group, User.display_name)
        .join(Group, Group.id == Membership.group_id)
        .join(User, User.id == Group.facilitator_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.joined_at, Membership.id)
    ).all()
    return [MyMembership(membership, group, name) for membership, group, name in rows]
