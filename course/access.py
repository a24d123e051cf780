"""Who may see whom: the one home for the rules.

- An admin sees every group, every member and every note.
- A facilitator sees the groups they lead (alone or with co-facilitators), and in them
  only the active members (a deactivated account disappears from dashboards).
- Anyone else sees none of it; a group or learner that is not theirs is a 404, so even
  its existence does not leak.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from course.extensions import db
from course.models import Group, GroupFacilitator, Membership, User


def led_group_ids(user_id: int) -> sa.Select:
    """Select the ids of the groups the user leads (as facilitator or co-facilitator)."""
    return sa.select(GroupFacilitator.group_id).where(GroupFacilitator.user_id == user_id)


def leads_group(user_id: int, group_id: int) -> bool:
    """Return whether the user is one of the group's facilitators."""
    return db.session.scalar(
        sa.select(sa.literal(True)).where(GroupFacilitator.group_id == group_id, GroupFacilitator.user_id == user_id)
    ) is not None


def may_manage_group(user: User, group: Group) -> bool:
    """An admin manages every group; a facilitator only those they lead."""
    if not user.is_authenticated or not user.is_facilitator:
        return False
    return user.is_admin or leads_group(user.id, group.id)


def group_or_404(group_id: int, user: User) -> Group:
    """Return the group if the user may manage it; otherwise 404."""
    group = db.session.get(Group, group_id)
    if group is None or not may_manage_group(user, group):
        abort(404)
    return group


def active_member_ids(group_id: int, user_id: int | None = None) -> sa.Select:
    """Select the ids of the group's active members (or of one of them)."""
    select = (
        sa.select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group_id, User.active)
    )
    return select.where(Membership.user_id == user_id) if user_id is not None else select


def active_membership_or_404(group: Group, user_id: int) -> Membership:
    """Return an active learner's membership of the group, or 404."""
    membership = db.session.scalar(
        sa.select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group.id, Membership.user_id == user_id, User.active)
    )
    if membership is None:
        abort(404)
    return membership
