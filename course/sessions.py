"""Server-side sessions: a login is a row, so logging out, a new password, deactivation or
deletion end it for real, and a copied cookie is worth nothing afterwards.

The Flask session cookie and the remember-me cookie carry only a random token; the row
holds its SHA-256. A session without remember-me ends after LANTERN_SESSION_IDLE_MINUTES
without a request, and at the latest 12 hours after login. Remember-me (opt-in) lasts at
most LANTERN_REMEMBER_DAYS (30 at most) and its token is replaced each time the cookie is
used to start a new browser session.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g
from flask_login import login_user, logout_user

from course.extensions import db
from course.models import User, UserSession, utcnow

ABSOLUTE_LIFETIME = timedelta(hours=12)
# last_seen_at is written at most this often: not a write per request.
SEEN_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionRules:
    idle: timedelta
    remember: timedelta

    @classmethod
    def from_config(cls) -> SessionRules:
        config = current_app.config
        return cls(timedelta(minutes=config["SESSION_IDLE_MINUTES"]), timedelta(days=config["REMEMBER_DAYS"]))


def session_expired(row, now: datetime, rules: SessionRules) -> bool:
    """Return whether a session (a UserSession, or a row with its times and remember) is over.

    It is over past its end, or when idle too long without remember-me.
    """
    if now >= row.expires_at:
        return True
    return not row.remember and now - row.last_seen_at > rules.idle


def start(user: User, remember: bool = False) -> None:
    """Log the user in on this device: a new session row, its token in the cookies."""
    rules = SessionRules.from_config()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = rules.remember if remember else ABSOLUTE_LIFETIME
    db.session.add(
        UserSession(user_id=user.id, token_hash=_hash(token), remember=remember, created_at=now,
                    last_seen_at=now, expires_at=now + lifetime)
    )
    db.session.commit()
    user.session_token = token
    login_user(user, remember=remember, duration=rules.remember)


# The session and its person in one query, built once: this runs on every logged-in request.
# The session comes back as plain columns (only the person is needed as an object).
_SESSION_AND_PERSON = (
    sa.select(User, UserSession.id, UserSession.remember, UserSession.last_seen_at, UserSession.expires_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token_hash == sa.bindparam("token_hash"))
)


def load(token: str) -> User | None:
    """Return the active user of a live session token (Flask-Login's user loader), or None."""
    found = db.session.execute(_SESSION_AND_PERSON, {"token_hash": _hash(token)}).first()
    if found is None:
        return None
    user, session_id = found.User, found.id
    now = utcnow()
    if session_expired(found, now, SessionRules.from_config()):
        db.session.execute(sa.delete(UserSession).where(UserSession.id == session_id))
        db.session.commit()
        g.session_expired = True  # the login page says why they must log in again
        return None
    if not user.active:
        return None
    if now - found.last_seen_at > SEEN_RESOLUTION:
        db.session.execute(sa.update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))
        db.session.commit()
    user.session_token = token
    return user


def rotate_remembered(user: User) -> None:
    """Replace a remember-me token that was just used, so a copied cookie works once at most."""
    old = user.session_token
    if old:
        db.session.execute(sa.delete(UserSession).where(UserSession.token_hash == _hash(old)))
    start(user, remember=True)


def end(user: User) -> None:
    """Log out on this device: the session row goes, and the cookies with it."""
    if user.session_token:
        db.session.execute(sa.delete(UserSession).where(UserSession.token_hash == _hash(user.session_token)))
        db.session.commit()
    logout_user()


def end_other_sessions(user: User) -> None:
    """End every session of the user but this one (after a password change)."""
    query = sa.delete(UserSession).where(UserSession.user_id == user.id)
    if user.session_token:
        query = query.where(UserSession.token_hash != _hash(user.session_token))
    db.session.execute(query)


def end_all_sessions(user_id: int) -> None:
    """End every session of a user (deactivation, password reset); the caller commits."""
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id))


def purge_expired(now: datetime | None = None) -> int:
    """Delete rows past their absolute end; return how many."""
    result = db.session.execute(sa.delete(UserSession).where(UserSession.expires_at <= (now or utcnow())))
    db.session.commit()
    return result.rowcount or 0
