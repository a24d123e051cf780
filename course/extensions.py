"""Flask extensions, created unbound and initialised in create_app()."""

from contextvars import ContextVar

import sqlalchemy as sa
from flask import g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Connection, MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints keep migrations stable across SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def read(statement, params: dict | None = None):
    """Run a Core SELECT (on tables, not ORM classes) for this request; return the Result.

    For the queries every page runs. Session.execute costs more than such a query itself (it
    prepares ORM loading even when there is nothing to load), and a page that only reads need
    not open an ORM session at all: it reads on one plain connection of its own, returned to
    the pool when the request ends. Once the session has a transaction (the request is
    changing something), reads go through the session's connection, so they see those changes.
    """
    if not getattr(statement, "is_select", False):
        # Changes go through the session, whose hooks keep the stored learner summaries current.
        raise TypeError("read() runs SELECT statements only")
    connection = _reading_connection()
    try:
        return connection.execute(statement, params or {})
    except sa.exc.DBAPIError as error:
        if not (error.connection_invalidated and connection is g.get(_READING)):
            raise
        # The database dropped this pooled connection (a restart, an idle cut); SQLAlchemy has
        # discarded it and every older one. A SELECT is safe to run again, on a fresh connection.
        release_reading_connection()
        return _reading_connection().execute(statement, params or {})


def _reading_connection() -> Connection:
    if db.session.registry.has():
        session = db.session()
        if session.in_transaction():
            return session.connection()
    connection = g.get(_READING)
    if connection is None:
        token = _checkout_for_reading.set(True)
        try:
            connection = db.engine.connect()
        finally:
            _checkout_for_reading.reset(token)
        if connection.dialect.name == "postgresql":
            # Autocommit: each SELECT is its own transaction, as under READ COMMITTED it reads anyway,
            # without a BEGIN and a ROLLBACK round trip on every page. (SQLite's driver begins no
            # transaction for a SELECT, and switching costs it more than it saves.)
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        setattr(g, _READING, connection)
    return connection


def release_reading_connection(_error: BaseException | None = None) -> None:
    """Return the request's reading connection to the pool (at the end of a request, or after a database error)."""
    connection = g.pop(_READING, None)
    if connection is not None:
        connection.close()


_READING = "_lantern_reading_connection"
# True while read() checks out its connection: it retries by itself, so it skips the ping.
_checkout_for_reading: ContextVar[bool] = ContextVar("lantern_checkout_for_reading", default=False)


def ping_on_checkout_except_reads(engine: sa.Engine) -> None:
    """Ping a pooled PostgreSQL connection before a request may write on it, but not before a read.

    A connection the database dropped (a restart, a load balancer's idle cut) must be noticed
    before a change half-fails on it. SQLAlchemy's pool_pre_ping does that with one more round
    trip on every checkout, a third of a page's round trips; read() instead runs its SELECT
    again on a fresh connection when the old one turns out dead, so only other checkouts pay.
    """

    @sa.event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, _record, _proxy):
        if _checkout_for_reading.get():
            return
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                # The pool discards this connection and every older one, then connects afresh.
                raise sa.exc.InvalidatePoolError() from error
            raise
