"""The clock the models use: naive UTC everywhere, so SQLite and PostgreSQL behave the same."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)
