"""Joining: a learner joins a group (with its code or link), leaves it, or stops sharing
their email; an invited facilitator or admin accepts their invitation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from course import access, groups, sessions, user_admin
from course.forms import AcceptStaffInviteForm, ConfirmForm, InviteCodeForm, JoinGroupForm
from course.models import utcnow

# No rate limit here: a 60-bit code cannot be guessed, and a whole group joins at once
# from one clinic's network (one IP address) at its first meeting.
bp = Blueprint("membership", __name__)


@bp.route("/join", methods=["GET", "POST"])
@login_required
def find_group():
    form = InviteCodeForm()
    if form.validate_on_submit():
        group = groups.find_group_by_code(form.code.data)
        if group is not None:
            return redirect(url_for("membership.join", code=group.invite_code))
        form.code.errors.append("We could not find a group with that code. Please check it with your group leader.")
    return render_template("membership/find_group.html", form=form), 400 if form.errors else 200


def _link_does_not_work():
    form = InviteCodeForm(formdata=None)
    form.code.errors = [
        "That invite link does not work. It may be mistyped, or your group leader may have made a new one. "
        "Please ask them for the current code."
    ]
    return render_template("membership/find_group.html", form=form), 404


@bp.route("/join/<code>", methods=["GET", "POST"])
def join(code: str):
    if not current_user.is_authenticated:
        # New families come through the link: make the account, then come back here to join.
        # The same answer for every code, so the link page tells a stranger nothing.
        flash("Create an account, or log in, to join your group. It is free.", "info")
        return redirect(url_for("auth.register", next=url_for("membership.join", code=code)))
    group = groups.find_group_by_code(code)
    if group is None:
        return _link_does_not_work()
    form = JoinGroupForm()
    problem = ""
    if form.validate_on_submit():
        try:
            joined = groups.join_group(current_user, group, share_email=form.share_email.data)
        except groups.GroupError as error:
            problem = str(error)
        else:
            flash(f"You joined “{group.name}”." if joined else
                  f"You are already in “{group.name}”. Your choice about your email address is saved.", "success")
            return redirect(url_for("learn.home"))
    leaders = groups.names_in_words(groups.facilitator_names([group.id]).get(group.id, []))
    return render_template(
        "membership/join.html", group=group, facilitator_name=leaders, form=form, problem=problem,
        leads=access.leads_group(current_user.id, group.id),
    ), 400 if problem or form.errors else 200


@bp.route("/account/groups/<int:group_id>/leave", methods=["POST"])
@login_required
def leave(group_id: int):
    membership = groups.own_membership_or_404(current_user, group_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = membership.group.name
    groups.delete_membership(membership)
    flash(f"You left “{name}”. Its leader no longer sees your progress.", "success")
    return redirect(url_for("account.show"))


@bp.route("/account/groups/<int:group_id>/stop-sharing-email", methods=["POST"])
@login_required
def stop_sharing_email(group_id: int):
    membership = groups.own_membership_or_404(current_user, group_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    groups.stop_sharing_email(membership)
    flash(f"The leader of “{membership.group.name}” no longer sees your email address.", "success")
    return redirect(url_for("account.show"))


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def accept_staff_invite(token: str):
    invite = user_admin.valid_invite(token, utcnow())
    if invite is None or current_user.is_authenticated:
        # The same page for a wrong, used or expired link: it tells a stranger nothing.
        return render_template("membership/staff_invite.html", invite=None), 404
    form = AcceptStaffInviteForm()
    if form.validate_on_submit():
        try:
            user = user_admin.accept_invite(invite, form.display_name.data, form.password.data, utcnow())
        except user_admin.UserAdminError as error:
            form.password.errors = [str(error)]
        else:
            sessions.start(user)
            flash(f"Welcome, {user.display_name}. Your account is ready.", "success")
            return redirect(url_for("facilitator.groups"))
    return render_template("membership/staff_invite.html", invite=invite, form=form), 400 if form.errors else 200
