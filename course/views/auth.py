"""Register, log in, log out, reset a forgotten password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from course import accounts
from course.extensions import limiter
from course.forms import ConfirmForm, LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm

bp = Blueprint("auth", __name__)


def _account_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _account_key() -> str:
    # Guessing one person's password is limited per account, so that a whole family
    # group logging in from the clinic's one Wi-Fi address is not locked out.
    return "account:" + accounts.normalise_email(request.form.get("email", ""))


def _after_login_url(target: str | None) -> str:
    return target if accounts.is_safe_next_url(target) else url_for("learn.home")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learn.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.password.data, form.display_name.data)
        except accounts.AccountError as error:  # the same email registered a moment ago
            form.email.errors.append(str(error))
        else:
            login_user(user)
            flash("Welcome to Lantern. Your account is ready.", "success")
            return redirect(_after_login_url(request.args.get("next")))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learn.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_after_login_url(form.next.data))
        form.password.errors.append("That email address and password do not match an account.")
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if ConfirmForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "success")
    return redirect(url_for("public.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data)
        if user is not None and user.active:
            link = url_for("auth.reset_password", token=accounts.make_reset_token(user), _external=True)
            accounts.send_reset_link(user, link)
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
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)
        logout_user()
        flash("Your password is changed. Please log in with it.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 400 if form.errors else 200
