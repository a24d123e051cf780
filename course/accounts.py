"""Accounts: registration by a confirmed address, sign-in, password reset, profile changes.

Registration never says whether an address has an account: every registration answers
"check your email". A new address gets a confirmation link; the owner of an existing one
gets a note that someone tried to sign up with it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from course import login_limits, mail, passwords, sessions
from course.audit import security_event
from course.extensions import db
from course.models import EmailConfirmation, Role, User, utcnow

LAST_SEEN_RESOLUTION = timedelta(minutes=5)
CONFIRMATION_LIFETIME = timedelta(hours=24)


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with a message for the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str, display_name: str, role: str = Role.LEARNER) -> User:
    """Create a confirmed account at once (command line, demo, tests), or raise AccountError."""
    if role not in set(Role):
        raise AccountError(f"Role must be one of {', '.join(Role)}.")
    if find_user_by_email(email) is not None:
        raise AccountError("An account with this email address already exists.")
    user = User(email=normalise_email(email), display_name=display_name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


# --- registration ------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_registration(email: str, password: str, display_name: str, next_url: str = "") -> None:
    """Mail a confirmation link to a new address, or a warning to an existing one's owner."""
    email = normalise_email(email)
    password_hash = passwords.hash_password(password)  # both ways cost a hash: same timing
    if find_user_by_email(email) is not None:
        mail.send(
            email,
            "Someone tried to create an account with your email address",
            "Someone tried to create a new account with this email address. You already have an account,\n"
            "so nothing was changed.\n\n"
            f"If it was you, you can log in here: {mail.external_url('auth.login')}\n"
            f"Forgot your password? Choose a new one here: {mail.external_url('auth.reset_request')}\n\n"
            "If it was not you, you can ignore this email.",
            kind="registration-existing",
        )
        return
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        EmailConfirmation(
            token_hash=_token_hash(token), email=email, display_name=display_name.strip(),
            password_hash=password_hash, next_url=next_url if is_safe_next_url(next_url) else "",
            created_at=now, expires_at=now + CONFIRMATION_LIFETIME,
        )
    )
    db.session.commit()
    mail.send(
        email,
        "Confirm your email address",
        "Please confirm your email address to finish creating your account.\n\n"
        f"Open this link within 24 hours:\n{mail.external_url('auth.confirm_registration', token=token)}\n\n"
        "If you did not ask for this, you can ignore this email. No account is made without it.",
        kind="registration-confirm",
    )


def confirm_registration(token: str) -> tuple[User | None, str]:
    """Create the account a confirmation link is for; return (user, where to go next).

    Returns (None, "") for a link that is unknown, used or expired, and (None, "exists")
    when the address got an account in the meantime (another link, opened first).
    """
    row = db.session.scalar(sa.select(EmailConfirmation).where(EmailConfirmation.token_hash == _token_hash(token)))
    if row is None or row.expires_at <= utcnow():
        return None, ""
    email, next_url = row.email, row.next_url
    user = User(email=email, display_name=row.display_name, password_hash=row.password_hash, role=Role.LEARNER)
    try:
        with db.session.begin_nested():  # a savepoint: a race on the address must not lose the rest
            db.session.add(user)
        db.session.execute(sa.delete(EmailConfirmation).where(EmailConfirmation.email == email))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None, "exists"
    security_event("account_created", user=user.id)
    return user, next_url


def purge_expired_confirmations() -> int:
    result = db.session.execute(sa.delete(EmailConfirmation).where(EmailConfirmation.expires_at <= utcnow()))
    db.session.commit()
    return result.rowcount or 0


# --- signing in ----------------------------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (the same for every failure).

    A matching hash made with older parameters is replaced by one at today's.
    """
    user = find_user_by_email(email)
    if user is None:
        passwords.verify_password(passwords.dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.set_password(password)
        db.session.commit()
    return user


def log_in(email: str, password: str, address: str, remember: bool) -> tuple[User | None, login_limits.Lock | None]:
    """Check the failed-login limits and the password; start a session when both agree."""
    lock = login_limits.locked(email, address)
    if lock is not None:
        security_event("login_locked", limit=lock)
        return None, lock
    user = authenticate(email, password)
    if user is None:
        login_limits.record_failure(email, address)
        known = find_user_by_email(email)
        security_event("login_failed", user=known.id if known else None)
        return None, None
    sessions.start(user, remember=remember)
    return user, None


def touch_last_seen(person: sessions.SignedIn) -> None:
    """Note that the person is here, at most every few minutes (not a write per request)."""
    now = utcnow()
    if person.last_seen_at is None or now - person.last_seen_at > LAST_SEEN_RESOLUTION:
        db.session.execute(sa.update(User).where(User.id == person.id).values(last_seen_at=now))
        db.session.commit()


def is_safe_next_url(target: str | None) -> bool:
    """Return whether a `next` URL stays on this site (a path, no scheme, no host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(char) < 32 for char in target):
        return False
    parts = urlsplit(target)
    return parts.scheme == "" and parts.netloc == ""


# --- password reset ------------------------------------------------------------------


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lantern-password-reset")


def make_reset_token(user: User) -> str:
    # The token names the current password: once it is changed, the token is spent.
    return _reset_serializer().dumps({"user": user.id, "password": user.password_fingerprint()})


def user_for_reset_token(token: str) -> User | None:
    """Return the user a reset token is for, if it is genuine, fresh and unused."""
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or not user.active or user.password_fingerprint() != data.get("password"):
        return None
    return user


def send_reset_link(email: str) -> None:
    """Mail a reset link if the address has an active account; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    link = mail.external_url("auth.reset_password", token=make_reset_token(user))
    mail.send(
        user.email,
        "Reset your password",
        "Someone asked to reset the password of your account.\n\n"
        f"To choose a new password, open this link within an hour:\n{link}\n\n"
        "If it was not you, you can ignore this email. Your password stays the same.",
        kind="password-reset",
    )
    security_event("password_reset_requested", user=user.id)


def reset_password(user: User, password: str) -> None:
    """Set a new password from a reset link: every session ends and login limits are lifted."""
    user.set_password(password)
    sessions.end_all_sessions(user.id)
    db.session.commit()
    login_limits.clear_account(user.email)
    security_event("password_reset", user=user.id)


def rename(user: User, display_name: str) -> None:
    user.display_name = display_name.strip()
    db.session.commit()


def change_password(user: User, password: str) -> None:
    """Change the password; every other session of the user ends, this one stays."""
    user.set_password(password)
    sessions.end_other_sessions(user)
    db.session.commit()
    security_event("password_changed", user=user.id)
