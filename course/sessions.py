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
from flask import current_app, g, session
from flask_login import current_user, login_user, logout_user

from course.extensions import db, read
from course.models import LearnerStatus, RoleChecks, User, UserSession, utcnow

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


@dataclass(frozen=True, eq=False)
class SignedIn(RoleChecks):
    """The signed-in person of a request (Flask-Login's current_user), read with their session.

    A plain value, not an ORM row: every logged-in page reads it, and most pages only ask who
    this is and what their role allows. It is frozen, so nothing can change it believing the
    change is saved: code that changes the account works on `row()`.
    """

    id: int
    email: str
    display_name: str
    role: str
    active: bool
    created_at: datetime
    last_seen_at: datetime | None
    session_token: str  # the random token of this browser's session row
    # When anything the course pages read about the learner last changed (their summary's time, which
    # course.dashboard.status moves with every such change): course.kept keeps those reads until it moves.
    learner_stamp: datetime | None = None

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        # Flask-Login keeps this in the session and the remember cookie: the random token of a
        # server-side session row, so logging out or changing the password ends it for real.
        return self.session_token

    def row(self) -> User:
        """Return this person's User row in the request's ORM session, to change the account."""
        user = db.session.get_one(User, self.id)
        user.session_token = self.session_token  # this browser's session, e.g. the one a new password keeps
        return user

    def check_password(self, password: str) -> bool:
        return self.row().check_password(password)

    @classmethod
    def of(cls, user: User | SignedIn, session_token: str) -> SignedIn:
        """Return the person as signed in with this session token (at login, or a remember-me renewal)."""
        return cls(
            **{key: getattr(user, key) for key in _PERSON_FIELDS}, session_token=session_token
        )


def signed_in() -> SignedIn:
    """Return the person of this request itself, for code that asks them several things.

    Flask-Login's current_user is a proxy that looks the person up again on every attribute read.
    Where nobody is logged in (outside login_required pages) this is Flask-Login's anonymous user.
    """
    return current_user._get_current_object()


_PERSON_FIELDS = ("id", "email", "display_name", "role", "active", "created_at", "last_seen_at")


def start(user: User | SignedIn, remember: bool = False) -> None:
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
    login_user(SignedIn.of(user, token), remember=remember, duration=rules.remember)
    # Flask-Login's browser fingerprint is only read by its session protection, which is off
    # (course/__init__.py): without it the cookie is smaller and cheaper to read on every request.
    session.pop("_id", None)


# The session and its person in one query, built once: this runs on every logged-in request.
# A Core query on the tables, read through course.extensions.read: a page that only reads never
# opens an ORM session. The password hash is not read; SignedIn.check_password reads it when asked.
_USERS, _SESSIONS, _STATUS = User.__table__, UserSession.__table__, LearnerStatus.__table__
_SESSION_AND_PERSON = (
    sa.select(
        *(_USERS.c[key] for key in _PERSON_FIELDS),
        _SESSIONS.c.id.label("session_id"),
        _SESSIONS.c.remember.label("session_remember"),
        _SESSIONS.c.last_seen_at.label("session_last_seen_at"),
        _SESSIONS.c.expires_at.label("session_expires_at"),
        _STATUS.c.updated_at.label("learner_stamp"),
    )
    .join(_SESSIONS, _SESSIONS.c.user_id == _USERS.c.id)
    .outerjoin(_STATUS, _STATUS.c.user_id == _USERS.c.id)
    .where(_SESSIONS.c.token_hash == sa.bindparam("token_hash"))
)


@dataclass(frozen=True)
class _SessionTimes:
    remember: bool
    last_seen_at: datetime
    expires_at: datetime


def load(token: str) -> SignedIn | None:
    """Return the active person of a live session token (Flask-Login's user loader), or None."""
    found = read(_SESSION_AND_PERSON, {"token_hash": _hash(token)}).first()
    if found is None:
        return None
    session_id = found.session_id
    times = _SessionTimes(found.session_remember, found.session_last_seen_at, found.session_expires_at)
    now = utcnow()
    if session_expired(times, now, SessionRules.from_config()):
        db.session.execute(sa.delete(UserSession).where(UserSession.id == session_id))
        db.session.commit()
        g.session_expired = True  # the login page says why they must log in again
        return None
    if not found.active:
        return None
    if now - times.last_seen_at > SEEN_RESOLUTION:
        db.session.execute(sa.update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))
        db.session.commit()
    return SignedIn(*found[: len(_PERSON_FIELDS)], session_token=token, learner_stamp=found.learner_stamp)


def rotate_remembered(user: SignedIn) -> None:
    """Replace a remember-me token that was just used, so a copied cookie works once at most."""
    old = user.session_token
    if old:
        db.session.execute(sa.delete(UserSession).where(UserSession.token_hash == _hash(old)))
    start(user, remember=True)


def end(user: SignedIn) -> None:
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
