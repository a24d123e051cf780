"""The learner's account: display name, password, download my data, delete my account."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from course import accounts, groups, privacy, reminders, sessions
from course.forms import ChangePasswordForm, ConfirmForm, DeleteAccountForm, DisplayNameForm, InviteCodeForm, ReminderForm

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def _require_login() -> None:
    """Only the account's owner reaches these pages."""


def _render(name_form=None, password_form=None, delete_form=None, status: int = 200):
    return (
        render_template(
            "account/account.html",
            name_form=name_form or DisplayNameForm(display_name=current_user.display_name, formdata=None),
            password_form=password_form or ChangePasswordForm(formdata=None, prefix="change"),
            delete_form=delete_form or DeleteAccountForm(formdata=None, prefix="delete"),
            export_form=ConfirmForm(formdata=None),
            memberships=groups.memberships_of(current_user.id),
            join_form=InviteCodeForm(formdata=None),
            reminder_form=ReminderForm(formdata=None, email_reminders=bool(reminders.wants_reminders(current_user.id))),
        ),
        status,
    )


@bp.route("")
def show():
    return _render()


@bp.route("/name", methods=["POST"])
def change_name():
    form = DisplayNameForm()
    if not form.validate_on_submit():
        return _render(name_form=form, status=400)
    accounts.rename(current_user.row(), form.display_name.data)
    flash("Your display name is saved.", "success")
    return redirect(url_for("account.show"))


@bp.route("/password", methods=["POST"])
def change_password():
    form = ChangePasswordForm(prefix="change", personal=(current_user.email, current_user.display_name))
    valid = form.validate_on_submit()
    if valid and not current_user.check_password(form.current_password.data):
        form.current_password.errors.append("That is not your current password.")
        valid = False
    if not valid:
        return _render(password_form=form, status=400)
    accounts.change_password(current_user.row(), form.password.data)  # other sessions end
    flash("Your password is changed.", "success")
    return redirect(url_for("account.show"))


@bp.route("/export", methods=["POST"])
def export():
    if not ConfirmForm().validate_on_submit():
        return _render(status=400)
    body = json.dumps(privacy.export_data(current_user), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="lantern-my-data.json"'},
    )


@bp.route("/delete", methods=["POST"])
def delete():
    form = DeleteAccountForm(prefix="delete")
    valid = form.validate_on_submit()
    if valid and not current_user.check_password(form.password.data):
        form.password.errors.append("That is not your password. Nothing was deleted.")
        valid = False
    if not valid:
        return _render(delete_form=form, status=400)
    user = current_user.row()
    sessions.end(sessions.signed_in())
    privacy.delete_account(user)
    flash("Your account and everything tied to it have been deleted.", "success")
    return redirect(url_for("public.index"))
