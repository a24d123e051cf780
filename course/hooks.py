"""What happens around every request: who is logged in, same-origin posts, security headers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, g, redirect, request, url_for
from flask_login import user_loaded_from_cookie
from sqlalchemy.exc import SQLAlchemyError

from course import sessions
from course.extensions import db, login_manager, release_reading_connection

# Pages that must work with the database gone: the emergency page above all.
NO_DATABASE_ENDPOINTS = {"public.emergency", "public.healthz", "static"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


_EVERYWHERE = (
    ("Content-Security-Policy", CSP),  # no inline scripts or styles, nothing from elsewhere
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # The referrer stays on this site (forms need it); no other site learns where the person was.
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
# Every response's security headers, by whether this is production (HTTPS, so HSTS too).
SECURITY_HEADERS = {
    False: _EVERYWHERE,
    True: _EVERYWHERE + (("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),),
}


class DatabaseUnavailable(RuntimeError):
    """The database did not answer; pages say so with a 503 (see course/errors.py)."""


def load_user(token: str):
    """Flask-Login's user loader: a live server-side session, or nobody."""
    try:
        return sessions.load(token)
    except SQLAlchemyError:
        db.session.rollback()
        release_reading_connection()  # a broken connection is not read on again
        g.database_unavailable = True  # the visitor is anonymous for this request
        return None


def _rotate_remember_token(_app, user) -> None:
    sessions.rotate_remembered(user)


def _unauthorized():
    if g.get("session_expired"):
        flash("You were logged out because the page was left alone for a while. Please log in again.", "info")
    else:
        flash("Please log in to see that page.", "info")
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target.rstrip("?") if target else None))


def _same_origin(url: str, expected: str) -> bool:
    parts, wanted = urlsplit(url), urlsplit(expected)
    return (parts.scheme, parts.netloc) == (wanted.scheme, wanted.netloc)


def register_request_hooks(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_unauthorized)
    user_loaded_from_cookie.connect(_rotate_remember_token, app)

    @app.before_request
    def _refuse_control_characters_in_url() -> None:
        # The query string is checked raw (a NUL can only arrive as %00), so no page pays to parse it here.
        query = request.query_string
        if "\x00" in request.path or b"%00" in query or b"\x00" in query:
            abort(400, "That address has characters that cannot be used.")

    @app.before_request
    def _check_origin() -> None:
        # Cross-site form posts are refused even before the CSRF token is checked. A browser that
        # sends neither header (strict privacy settings) still needs a valid token.
        if request.method not in UNSAFE_METHODS:
            return
        expected = current_app.config["BASE_URL"] or request.host_url
        origin = request.headers.get("Origin")
        if origin and origin != "null":
            if not _same_origin(origin, expected):
                abort(403)
        elif request.referrer and not _same_origin(request.referrer, expected):
            abort(403)

    @app.before_request
    def _note_the_visitor() -> None:
        if request.endpoint in NO_DATABASE_ENDPOINTS:
            return
        from course.accounts import touch_last_seen

        person = sessions.signed_in()
        if person.is_authenticated:
            touch_last_seen(person)
        if g.get("database_unavailable"):
            raise DatabaseUnavailable()

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        # A view may set its own (the accent stylesheet, a download); the rest get the site's.
        present = {name.lower() for name in headers.keys()}
        for name, value in SECURITY_HEADERS[current_app.config["LANTERN_ENV"] == "production"]:
            if name.lower() not in present:
                headers.add(name, value)
        if request.endpoint != "static" and _logged_in():
            # A shared family computer: the back button after logging out must show nothing.
            headers["Cache-Control"] = "no-store"
        return response


def _logged_in() -> bool:
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)
