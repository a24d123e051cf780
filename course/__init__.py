"""Lantern: a web course for families of people who use heroin and other opioids."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from course import config
from course.content import ContentError, load_course
from course.loaded import long_date
from course.extensions import (
    csrf, db, limiter, login_manager, migrate, ping_on_checkout_except_reads, release_reading_connection,
)
from course.session_cookie import SessionCookie

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")

log = logging.getLogger(__name__)


def create_app(test_config: dict | None = None) -> Flask:
    """Create the Lantern app: config -> extensions -> content -> blueprints -> errors -> cli."""
    app = Flask(__name__, instance_path=os.environ.get("LANTERN_INSTANCE_PATH") or None)
    # Block tags ({% if %}, {% for %}) leave no blank lines or indentation behind: smaller pages, same HTML.
    app.jinja_options = {**app.jinja_options, "trim_blocks": True, "lstrip_blocks": True}
    os.makedirs(app.instance_path, exist_ok=True)
    # Tests name their own key: then the instance folder's key file is never made.
    needs_secret = not (test_config and "SECRET_KEY" in test_config)
    app.config.from_mapping(config.from_environment(app.instance_path, needs_secret))
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    from course import logsafety

    logsafety.install(app.logger)
    register_extensions(app)
    register_content(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        # A database that vanished must make pages answer 503 within seconds, not hang them.
        options.setdefault("connect_args", {"connect_timeout": 3})
    app.session_interface = SessionCookie()
    db.init_app(app)
    app.teardown_appcontext(release_reading_connection)
    # Batch mode: SQLite can only change a table by copying it.
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.login_view = "auth.login"
    # Sessions are server-side rows that logout, a new password or deactivation end (course/sessions.py).
    # Flask-Login's "basic" protection would only mark a session not fresh when the address or browser
    # string changes (a phone moving between networks), and nothing here asks for freshness; it would
    # hash both on every request and rewrite the cookie at each change.
    login_manager.session_protection = None

    from course import models  # noqa: F401  (registers the tables on db.metadata)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _enforce_sqlite_foreign_keys(db.engine)
        else:
            # Dropped connections (a restarted PostgreSQL, an idle cut) are noticed before a query
            # fails. An SQLite file has no connection to lose.
            ping_on_checkout_except_reads(db.engine)


def _enforce_sqlite_foreign_keys(engine: sa.Engine) -> None:
    # SQLite ignores foreign keys (and ON DELETE CASCADE) unless each connection asks.
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def register_content(app: Flask) -> None:
    """Load and render the course once; a broken tree keeps the app from serving it."""
    try:
        app.extensions["lantern_course"] = load_course(
            app.config["CONTENT_DIR"], app.config["CONTENT_MAX_GRADE"], app.config["CONTENT_MAX_AVERAGE_GRADE"]
        )
    except ContentError as error:
        # The command line must still work (`content check` says what is wrong), and
        # /healthz answers 503 so a load balancer keeps traffic on healthy processes.
        app.extensions["lantern_course"] = None
        app.extensions["lantern_content_error"] = error
        log.error(
            "The course content has %d problem(s), so the course is not served. First: %s. "
            "Run `flask --app wsgi content check` for the list.",
            len(error.problems),
            error.problems[0],
        )


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in a URL: a number the database's INTEGER column can hold; a larger one is a 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)  # PostgreSQL refuses larger ids with an error, not "no row"
        super().__init__(url_map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    from course.views import (
        account, admin, auth, branding, facilitator, knowledge_check, lasting, learn, membership, outcomes, public,
    )

    app.url_map.converters["int"] = DatabaseIdConverter
    blueprints = (
        public.bp, auth.bp, lasting.bp, learn.bp, knowledge_check.bp, account.bp, membership.bp, facilitator.bp,
        admin.bp, outcomes.bp, branding.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def register_request_hooks(app: Flask) -> None:
    from course import csrf_tokens, grading, hooks, page_cache

    app.add_template_filter(long_date, "long_date")
    # A filter, not a global: filters are plain calls in compiled templates, and a quiz names many fields.
    app.add_template_filter(grading.field_name, "field_name")
    page_cache.install(app)

    hooks.register_request_hooks(app)
    csrf_tokens.install(app)


def register_errorhandlers(app: Flask) -> None:
    from course import errors

    errors.register_errorhandlers(app)


def register_commands(app: Flask) -> None:
    from course.commands import content_cli, demo_command, groups_cli, maintenance_cli, users_cli
    from course.reminders import reminders_cli

    app.cli.add_command(content_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(groups_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(maintenance_cli)
    app.cli.add_command(reminders_cli)
