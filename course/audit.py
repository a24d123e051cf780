"""Security events as structured log lines: `event=login_failed user=12 address=203.0.113.5`.

Never passwords, hashes, tokens, answers or email addresses: name a person by their id, and
an address that has no account by nothing at all.
"""

from __future__ import annotations

import logging

from flask import has_request_context, request

log = logging.getLogger("lantern.security")


def security_event(event: str, **fields: object) -> None:
    """Write one security event (failed login, lockout, role change, reset, deletion ...)."""
    if has_request_context() and "address" not in fields:
        fields["address"] = request.remote_addr or "-"
    details = " ".join(f"{key}={_clean(value)}" for key, value in fields.items())
    log.warning("event=%s %s", event, details)


def _clean(value: object) -> str:
    # One token per value, so a log reader can split the line on spaces.
    text = "-" if value is None else str(value)
    return "".join(char if char.isprintable() and not char.isspace() else "_" for char in text)[:80]
