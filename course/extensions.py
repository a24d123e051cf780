"""Flask extensions, created unbound and initialised in create_app()."""

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
    return _reading_connection().execute(statement, params or {})


def _reading_connection() -> Connection:
    if db.session.registry.has():
        session = db.session()
        if session.in_transaction():
            return session.connection()
    connection = g.get(_READING)
    if connection is None:
        connection = db.engine.connect()
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
