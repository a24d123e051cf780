"""The admin's pages: every account (search, role, deactivate), invitations for new
facilitators and admins, and every group.

Admins only; for anyone else these pages do not exist (404).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from course import accounts, groups, mail, user_admin
from course.extensions import db
from course.forms import ConfirmForm, RoleForm, StaffInviteForm
from course.models import User, utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _require_admin() -> None:
    if not current_user.is_admin:
        abort(404)


@bp.route("/users")
def users():
    text = request.args.get("q", "")[:254]
    return render_template(
        "admin/users.html",
        page=user_admin.search_users(text, request.args.get("page", 1, type=int)),
        q=text,
    )


def _render_user(user: User, problem: str = "", status: int = 200):
    led, member_of = user_admin.groups_of(user)
    return render_template(
        "admin/user.html",
        user=user,
        form=RoleForm(formdata=None, role=user.role),
        led=led,
        member_of=member_of,
        problem=problem,
    ), status


@bp.route("/users/<int:user_id>")
def user(user_id: int):
    return _render_user(db.get_or_404(User, user_id))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, "That is not a role.")
    try:
        user_admin.change_role(current_user, user, form.role.data)
    except user_admin.UserAdminError as error:
        return _render_user(user, str(error), 400)
    flash(f"{user.email} is now a {user.role}.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _set_active(user_id: int, active: bool):
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        user_admin.set_active(current_user, user, active)
    except user_admin.UserAdminError as error:
        return _render_user(user, str(error), 400)
    if active:
        flash(f"{user.email} can log in again.", "success")
    else:
        flash(f"{user.email} is deactivated: they cannot log in and no longer appear on dashboards.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int):
    return _set_active(user_id, True)


@bp.route("/groups")
def all_groups():
    return render_template("admin/groups.html", summaries=groups.all_groups())


@bp.route("/invites")
def invites():
    return _render_invites(StaffInviteForm(formdata=None))


def _render_invites(form: StaffInviteForm, status: int = 200):
    return render_template("admin/invites.html", form=form, pending=user_admin.pending_invites(utcnow())), status


@bp.route("/invites", methods=["POST"])
def send_invite():
    form = StaffInviteForm()
    if not form.validate_on_submit():
        return _render_invites(form, 400)
    try:
        token = user_admin.invite_staff(current_user, form.email.data, form.role.data, utcnow())
    except user_admin.UserAdminError as error:
        form.email.errors = [str(error)]
        return _render_invites(form, 400)
    email = accounts.normalise_email(form.email.data)
    link = mail.external_url("membership.accept_staff_invite", token=token)
    body = user_admin.invite_mail_body(form.role.data, link, current_user.display_name)
    if mail.send(email, "You are invited to help run Lantern", body, kind="staff-invite"):
        flash(f"The invitation is on its way to {email}. The link works once, for 7 days.", "success")
    else:
        flash(f"The mail could not be sent. Give {email} this link yourself: {link}", "error")
    return redirect(url_for("admin.invites"))
