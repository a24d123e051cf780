"""A last guard on every log line of the app: email addresses and database error details are cut out.

The code never logs them on purpose (course/audit.py names people by id, SQL is logged with
hide_parameters), but a database's own message can quote a value — PostgreSQL's
"DETAIL: Key (email)=(…) already exists" — and a traceback would carry it into the log.
"""

from __future__ import annotations

import logging
import re

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
DETAIL = re.compile(r"(DETAIL:\s*Key \([^)]*\)=\()[^)]*(\))")
LOGGERS = ("flask.app", "course", "lantern", "sqlalchemy", "gunicorn.error")


def redact(text: str) -> str:
    return EMAIL.sub("[email]", DETAIL.sub(r"\1[value]\2", text))


class RedactingFilter(logging.Filter):
    """Rewrite a record's message and traceback without addresses or quoted database values."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = redact(message), ()
        return True


def install(app_logger: logging.Logger) -> None:
    """Put the filter on the app's logger and the loggers our code and libraries write to."""
    guard = RedactingFilter()
    for logger in {app_logger, *(logging.getLogger(name) for name in LOGGERS)}:
        if not any(isinstance(existing, RedactingFilter) for existing in logger.filters):
            logger.addFilter(guard)
