"""Error pages: friendly words, the crisis numbers (from the layout), and the right status.

None of them may need the database: they are what a person sees when it is gone.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import RequestEntityTooLarge

from course.content import ContentError
from course.extensions import db, release_reading_connection
from course.hooks import DatabaseUnavailable

log = logging.getLogger(__name__)

# A refused large body is read away (up to this much) so the browser sees the 413 page
# instead of a connection reset; anything larger is cut off.
DRAIN_LIMIT = 32 * 1024 * 1024
# The database is down or unreachable (not a bug in a query): a 503 page, never a 500.
CONNECTION_ERRORS = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    sa_exc.PendingRollbackError,
)


def render_error(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _as_anonymous() -> None:
    # After a database error the logged-in user's attributes cannot be loaded again:
    # the page is drawn for an anonymous visitor.
    g._login_user = AnonymousUserMixin()


def _drain_request_body() -> None:
    stream = request.environ.get("wsgi.input")
    remaining = min(request.content_length or 0, DRAIN_LIMIT)
    try:
        while stream is not None and remaining > 0:
            chunk = stream.read(min(65536, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
    except OSError:
        pass


def database_unavailable_page():
    db.session.rollback()
    release_reading_connection()
    _as_anonymous()
    if request.endpoint == "public.emergency":
        from course.views.public import emergency

        return emergency()
    return render_error(
        503,
        "Lantern is not available right now",
        "We are having a problem on our side. Please try again in a few minutes. "
        "If someone may be overdosing, call 911 now and give naloxone if you have it.",
    )


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(400)
    def bad_request(error):
        return render_error(400, "Something in that request was not right", getattr(error, "description", ""))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, "This form has expired", "Please go back, reload the page and try again. Nothing was saved."
        )

    @app.errorhandler(403)
    def forbidden(error):
        return render_error(403, "You cannot open this page", "Your account does not have access to it.")

    @app.errorhandler(404)
    def not_found(error):
        return render_error(404, "Page not found", "We could not find that page.")

    @app.errorhandler(405)
    def method_not_allowed(error):
        return render_error(405, "That did not work", "This page cannot be used that way.")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        _drain_request_body()
        limit_kb = current_app.config["MAX_CONTENT_LENGTH"] // 1024
        return render_error(
            413, "That was too much to send",
            f"Lantern's forms take at most {limit_kb} KB. Nothing was saved. Please go back and try again with less.",
        )

    @app.errorhandler(429)
    def too_many(error):
        return render_error(429, "Too many tries", "For your safety, please wait a minute before you try again.")

    @app.errorhandler(DatabaseUnavailable)
    def no_database(error):
        return database_unavailable_page()

    def database_gone(error):
        log.error("database unavailable on %s: %s", request.endpoint, type(error).__name__)
        return database_unavailable_page()

    for kind in CONNECTION_ERRORS:
        app.register_error_handler(kind, database_gone)

    @app.errorhandler(500)
    def server_error(error):
        return render_error(500, "Something went wrong on our side", "Please try again in a moment.")

    @app.errorhandler(ContentError)
    def content_broken(error):
        return render_error(
            503, "Lantern is being updated", "The course is not available right now. Please try again soon."
        )
