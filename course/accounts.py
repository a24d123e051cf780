"""Accounts: registration, sign-in, password reset, the learner's data export and deletion."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from functools import cache
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from course.extensions import db
from course.models import AttemptAnswer, Certificate, Group, LessonProgress, Membership, QuizAttempt, Role, User, utcnow

log = logging.getLogger(__name__)

LAST_SEEN_RESOLUTION = timedelta(minutes=5)


@cache
def _dummy_password_hash() -> str:
    # Checking a password against an account that does not exist still costs a hash,
    # so "no such email" and "wrong password" take the same time.
    return generate_password_hash("no account has this password")


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with a message for the person."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_user(session_id: str) -> User | None:
    """Return the user a session names, if it still matches their current password."""
    user_id, _, fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.password_fingerprint() != fingerprint:
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(email: str, password: str, display_name: str, role: str = Role.LEARNER) -> User:
    """Create an account, or raise AccountError when the email is taken."""
    if role not in set(Role):
        raise AccountError(f"Role must be one of {', '.join(Role)}.")
    if find_user_by_email(email) is not None:
        raise AccountError("An account with this email address already exists.")
    user = User(email=normalise_email(email), display_name=display_name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (the same for every failure)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_password_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def touch_last_seen(user: User) -> None:
    """Note that the user is here, at most every few minutes (not a write per request)."""
    now = utcnow()
    if user.last_seen_at is None or now - user.last_seen_at > LAST_SEEN_RESOLUTION:
        user.last_seen_at = now
        db.session.commit()


def is_safe_next_url(target: str | None) -> bool:
    """Return whether a `next` URL stays on this site (a path, no scheme, no host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
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


def send_reset_link(user: User, link: str) -> None:
    """Email the reset link, or write it to the log where no mail server is configured."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        log.warning("Password reset link for user #%s (no MAIL_SERVER configured): %s", user.id, link)
        return
    message = EmailMessage()
    message["Subject"] = "Reset your Lantern password"
    message["From"] = config["MAIL_FROM"]
    message["To"] = user.email
    message.set_content(
        "Someone asked to reset the password of your Lantern account.\n\n"
        f"To choose a new password, open this link within an hour:\n{link}\n\n"
        "If it was not you, you can ignore this email."
    )
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        smtp.send_message(message)


def rename(user: User, display_name: str) -> None:
    user.display_name = display_name.strip()
    db.session.commit()


def set_password(user: User, password: str) -> None:
    user.set_password(password)
    db.session.commit()


# --- the learner's own data -----------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def export_data(user: User) -> dict:
    """Return everything Lantern stores about a user, for the 'download my data' button."""
    memberships = db.session.execute(
        sa.select(Membership, Group.name).join(Group).where(Membership.user_id == user.id).order_by(Membership.id)
    ).all()
    progress = db.session.scalars(
        sa.select(LessonProgress).where(LessonProgress.user_id == user.id).order_by(LessonProgress.id)
    ).all()
    attempts = db.session.scalars(
        sa.select(QuizAttempt).where(QuizAttempt.user_id == user.id).order_by(QuizAttempt.id)
    ).all()
    answers = db.session.scalars(
        sa.select(AttemptAnswer)
        .join(QuizAttempt)
        .where(QuizAttempt.user_id == user.id)
        .order_by(AttemptAnswer.id)
    ).all()
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == user.id))
    answers_by_attempt: dict[int, list[AttemptAnswer]] = {}
    for answer in answers:
        answers_by_attempt.setdefault(answer.attempt_id, []).append(answer)
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role,
            "created_at": _iso(user.created_at),
            "last_seen_at": _iso(user.last_seen_at),
        },
        "groups": [
            {"group": name, "joined_at": _iso(m.joined_at), "facilitator_may_see_email": m.share_email}
            for m, name in memberships
        ],
        "lessons": [
            {
                "module": row.module_slug,
                "lesson": row.lesson_slug,
                "started_at": _iso(row.started_at),
                "completed_at": _iso(row.completed_at),
            }
            for row in progress
        ],
        "quiz_attempts": [
            {
                "module": attempt.module_slug,
                "submitted_at": _iso(attempt.submitted_at),
                "score_percent": attempt.score,
                "passed": attempt.passed,
                "content_version": attempt.content_version,
                "answers": [
                    {"question": a.question_id, "chosen": a.chosen, "correct": a.is_correct}
                    for a in answers_by_attempt.get(attempt.id, [])
                ],
            }
            for attempt in attempts
        ],
        "certificate": (
            {"code": certificate.code, "issued_at": _iso(certificate.issued_at)} if certificate is not None else None
        ),
    }


def delete_account(user: User) -> None:
    """Delete a user and everything tied to them (the database cascades the rest)."""
    user_id = user.id
    db.session.expunge(user)
    db.session.execute(sa.delete(User).where(User.id == user_id))
    db.session.commit()
