"""Groups and memberships: create, rename, archive, invite codes, join, leave, remove.

A group may have several facilitators (co-facilitators), who all see and manage it; it
can be handed to another facilitator, and outlives any one facilitator's account. Who
may see a group is decided in course.access.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
import sqlalchemy as sa
from flask import abort
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from course import access, codes
from course.extensions import db
from course.models import Group, GroupFacilitator, Membership, User, utcnow

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


def invite_qr_svg(join_link: str) -> Markup:
    """Draw the join link as a QR code, inline SVG made here (no outside service sees the link)."""
    svg = segno.make(join_link, error="m").svg_inline(
        scale=5, svgclass="qr-code", lineclass=None, title="QR code of the join link", omitsize=True
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


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


# --- group summaries -----------------------------------------------------------------


def facilitator_names(group_ids: sa.Select | list[int]) -> dict[int, list[str]]:
    """Return each group's facilitators' display names, longest-serving first (one query)."""
    rows = db.session.execute(
        sa.select(GroupFacilitator.group_id, User.display_name)
        .join(User, User.id == GroupFacilitator.user_id)
        .where(GroupFacilitator.group_id.in_(group_ids))
        .order_by(GroupFacilitator.added_at, GroupFacilitator.user_id)
    ).all()
    names: dict[int, list[str]] = {}
    for group_id, name in rows:
        names.setdefault(group_id, []).append(name)
    return names


def names_in_words(names: list[str]) -> str:
    """Return 'Robin', 'Robin and Sam' or 'Robin, Sam and Kim' ('nobody' for none)."""
    if not names:
        return "nobody yet"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def facilitators_of(group_id: int) -> list[User]:
    """Return the group's facilitators, longest-serving first."""
    return list(db.session.scalars(
        sa.select(User)
        .join(GroupFacilitator, GroupFacilitator.user_id == User.id)
        .where(GroupFacilitator.group_id == group_id)
        .order_by(GroupFacilitator.added_at, GroupFacilitator.user_id)
    ))


def _member_counts(group_ids: sa.Select) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Membership.group_id, sa.func.count())
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id.in_(group_ids), User.active)
        .group_by(Membership.group_id)
    ).all()
    return {group_id: count for group_id, count in rows}


def _summaries(where: sa.ColumnElement[bool]) -> list[GroupSummary]:
    found = db.session.scalars(
        # Open groups first, then by name.
        sa.select(Group).where(where).order_by(Group.archived_at.is_not(None), sa.func.lower(Group.name), Group.id)
    ).all()
    ids = sa.select(Group.id).where(where)
    counts = _member_counts(ids)
    names = facilitator_names(ids)
    return [GroupSummary(group, names_in_words(names.get(group.id, [])), counts.get(group.id, 0)) for group in found]


def groups_led_by(user_id: int) -> list[GroupSummary]:
    """Return the groups a facilitator leads, with member counts and co-facilitators (three queries)."""
    return _summaries(Group.id.in_(access.led_group_ids(user_id)))


def all_groups() -> list[GroupSummary]:
    """Return every group, for the admin (three queries)."""
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
    group = Group(name=_clean_name(name), leader_links=[GroupFacilitator(user_id=facilitator.id)])
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


# --- who leads a group: co-facilitators, handing over ------------------------------------

NOT_A_FACILITATOR = (
    "We could not add that person. Check the email address: it must belong to a facilitator’s account "
    "on this site. An admin can invite a new facilitator."
)


def _staff_by_email(email: str) -> User | None:
    """Return the active facilitator or admin account with this email, if any."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not user.is_facilitator:
        return None
    return user


def add_facilitator(group: Group, email: str) -> User:
    """Make the facilitator with this email a co-facilitator of the group."""
    user = _staff_by_email(email)
    if user is None:
        raise GroupError(NOT_A_FACILITATOR)
    if access.leads_group(user.id, group.id):
        raise GroupError(f"{user.display_name} already leads “{group.name}”.")
    if _membership(group.id, user.id) is not None:
        raise GroupError(f"{user.display_name} is a learner in “{group.name}”, so they cannot lead it too.")
    db.session.add(GroupFacilitator(group_id=group.id, user_id=user.id))
    db.session.commit()
    return user


def remove_facilitator(group: Group, user_id: int) -> None:
    """Take a facilitator off the group; the last one cannot leave (hand the group over instead)."""
    leaders = facilitators_of(group.id)
    if user_id not in {leader.id for leader in leaders}:
        abort(404)
    if len(leaders) == 1:
        raise GroupError("A group needs at least one facilitator. Hand it to someone else instead.")
    db.session.execute(
        sa.delete(GroupFacilitator).where(GroupFacilitator.group_id == group.id, GroupFacilitator.user_id == user_id)
    )
    db.session.commit()


def hand_over(group: Group, from_user: User, email: str) -> User:
    """Give the group to another facilitator: they lead it from now on, and from_user no longer does."""
    new_leader = _staff_by_email(email)
    if new_leader is None:
        raise GroupError(NOT_A_FACILITATOR)
    if new_leader.id == from_user.id:
        raise GroupError("That is your own email address. Give the email address of the person taking over.")
    if _membership(group.id, new_leader.id) is not None:
        raise GroupError(f"{new_leader.display_name} is a learner in “{group.name}”, so they cannot lead it.")
    if not access.leads_group(new_leader.id, group.id):
        db.session.add(GroupFacilitator(group_id=group.id, user_id=new_leader.id))
    db.session.execute(
        sa.delete(GroupFacilitator).where(GroupFacilitator.group_id == group.id, GroupFacilitator.user_id == from_user.id)
    )
    db.session.commit()
    return new_leader


def hand_over_before_deletion(user_id: int) -> list[tuple[Group, User | None]]:
    """Before a facilitator's account is deleted, hand each group they lead alone to an admin.

    Groups with other facilitators keep them. Returns (group, admin who took it over) for each
    group handed over; the admin is None when there is no other active admin (the group is kept,
    and every admin sees it). The caller commits, together with the deletion.
    """
    alone = db.session.scalars(
        sa.select(Group)
        .where(Group.id.in_(access.led_group_ids(user_id)))
        .where(~sa.exists().where(GroupFacilitator.group_id == Group.id, GroupFacilitator.user_id != user_id))
        .order_by(Group.id)
    ).all()
    admin = db.session.scalar(
        sa.select(User).where(User.role == "admin", User.active, User.id != user_id).order_by(User.created_at, User.id)
    )
    handed = []
    for group in alone:
        if admin is not None and _membership(group.id, admin.id) is None:
            db.session.add(GroupFacilitator(group_id=group.id, user_id=admin.id))
            handed.append((group, admin))
        else:
            handed.append((group, None))
    db.session.execute(sa.delete(GroupFacilitator).where(GroupFacilitator.user_id == user_id))
    db.session.flush()
    return handed


def delete_membership(membership: Membership) -> None:
    """Take a learner out of a group (they left, or were removed); their account and progress stay."""
    db.session.delete(membership)
    db.session.commit()


# --- the learner's operations -----------------------------------------------------------


def join_group(user: User, group: Group, share_email: bool) -> bool:
    """Add the learner to the group; return False if they were in it already (their choice is updated)."""
    if group.archived_at is not None:
        raise GroupError(f"“{group.name}” is closed, so nobody can join it now. Please ask your group leader.")
    if access.leads_group(user.id, group.id):
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
    """Return the groups a learner is in, with their leaders' names (two queries)."""
    rows = db.session.execute(
        sa.select(Membership, Group)
        .join(Group, Group.id == Membership.group_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.joined_at, Membership.id)
    ).all()
    names = facilitator_names(sa.select(Membership.group_id).where(Membership.user_id == user_id))
    return [MyMembership(membership, group, names_in_words(names.get(group.id, []))) for membership, group in rows]
