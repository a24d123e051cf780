"""Failed-login limits that slow a guesser without letting a stranger lock the owner out.

Three counters of FAILED logins, each in its own moving window (Flask-Limiter's storage, so
Redis shares them between processes in production):
- per account and address: one place guessing one person's password (LANTERN_LOGIN_RATE_LIMIT);
- per address: one place trying many accounts (LANTERN_LOGIN_ADDRESS_RATE_LIMIT), high because a
  whole family group logs in from one clinic Wi-Fi address;
- per account, from everywhere: a separate, higher cap (LANTERN_LOGIN_ACCOUNT_CAP) against guessing
  spread over many addresses.
A guesser elsewhere only trips the account-wide cap, and a password reset (which proves the
inbox) clears it. Keys hold an HMAC of the address, never the address itself, and expire with
their window.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

from flask import current_app
from limits import RateLimitItem, parse_many

from course.extensions import limiter


class Lock(StrEnum):
    ACCOUNT_HERE = "account-and-address"
    ADDRESS = "address"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Counter:
    lock: Lock
    config_key: str

    def limits(self) -> list[RateLimitItem]:
        return parse_many(current_app.config[self.config_key])


COUNTERS = (
    Counter(Lock.ACCOUNT_HERE, "LOGIN_RATE_LIMIT"),
    Counter(Lock.ADDRESS, "LOGIN_ADDRESS_RATE_LIMIT"),
    Counter(Lock.ACCOUNT, "LOGIN_ACCOUNT_CAP"),
)


def _account_key(email: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def _identifiers(counter: Counter, email: str, address: str) -> tuple[str, ...]:
    if counter.lock is Lock.ACCOUNT_HERE:
        return ("login-failures", _account_key(email), address)
    if counter.lock is Lock.ADDRESS:
        return ("login-failures-address", address)
    return ("login-failures-account", _account_key(email))


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def locked(email: str, address: str) -> Lock | None:
    """Return which limit stops this login attempt now, or None."""
    if not _enabled():
        return None
    for counter in COUNTERS:
        for item in counter.limits():
            if not limiter.limiter.test(item, *_identifiers(counter, email, address)):
                return counter.lock
    return None


def record_failure(email: str, address: str) -> None:
    """Count one failed login against every counter."""
    if not _enabled():
        return
    for counter in COUNTERS:
        for item in counter.limits():
            limiter.limiter.hit(item, *_identifiers(counter, email, address))


def clear_account(email: str) -> None:
    """Forget the account-wide failures (after a password reset proved the inbox)."""
    counter = COUNTERS[2]
    for item in counter.limits():
        limiter.limiter.clear(item, *_identifiers(counter, email, ""))
