"""Register (by a confirmed address), log in, log out, reset a forgotten password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from course import accounts, sessions
from course.extensions import limiter
from course.forms import ConfirmForm, LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm
from course.login_limits import Lock

bp = Blueprint("auth", __name__)

LOCK_MESSAGES = {
    Lock.ACCOUNT_HERE: "There have been too many tries to log in to this account from here.",
    Lock.ADDRESS: "There have been too many tries to log in from this network.",
    Lock.ACCOUNT: "There have been too many tries to log in to this account.",
}


def _address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def home_for(user) -> str:
    """Where a person lands after logging in: their groups, the admin's dashboard, or the course."""
    if user.is_admin:
        return url_for("admin.users")
    if user.is_facilitator:
        return url_for("facilitator.groups")
    return url_for("learn.home")


def _after_login_url(user, target: str | None) -> str:
    return target if accounts.is_safe_next_url(target) else home_for(user)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        accounts.request_registration(
            form.email.data, form.password.data, form.display_name.data, request.args.get("next", "")
        )
        # The same page whether the address is new or already has an account.
        return render_template("auth/register_sent.html", outbox=_development_outbox())
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


def _development_outbox() -> bool:
    return current_app.config["LANTERN_ENV"] != "production" and not current_app.config["MAIL_SERVER"]


@bp.route("/register/confirm/<token>")
def confirm_registration(token: str):
    user, next_url = accounts.confirm_registration(token)
    if user is None:
        if next_url == "exists":
            flash("This email address already has an account. Please log in.", "info")
            return redirect(url_for("auth.login"))
        return render_template("auth/confirm_failed.html"), 400
    sessions.start(user)
    flash("Welcome to Lantern. Your email address is confirmed and your account is ready.", "success")
    return redirect(_after_login_url(user, next_url))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    lock = None
    if form.validate_on_submit():
        user, lock = accounts.log_in(form.email.data, form.password.data, request.remote_addr or "", form.remember.data)
        if user is not None:
            return redirect(_after_login_url(user, form.next.data))
        if lock is None:
            form.password.errors.append("That email address and password do not match an account.")
    status = 429 if lock else 400 if form.errors else 200
    return render_template("auth/login.html", form=form, lock_message=LOCK_MESSAGES.get(lock)), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if ConfirmForm().validate_on_submit():
        sessions.end(current_user._get_current_object())
        flash("You are logged out.", "success")
    return redirect(url_for("public.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.send_reset_link(form.email.data)
        # The same answer whether or not the address has an account.
        flash("If that address has an account, we have sent it a link to reset the password.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        flash("That reset link has expired or was already used. Please ask for a new one.", "error")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm(personal=(user.email, user.display_name))
    if form.validate_on_submit():
        accounts.reset_password(user, form.password.data)
        if current_user.is_authenticated:
            sessions.end(current_user._get_current_object())
        flash("Your password is changed. Please log in with it.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 400 if form.errors else 200

