"""The signed CSRF token of a browser session, signed once per process rather than on every page.

Flask-WTF signs the session's random CSRF token anew on each request that shows a form: a
timestamp, JSON, zlib, base64 and an HMAC, about 60 µs on every logged-in page, since the
layout carries the logout form. With WTF_CSRF_TIME_LIMIT = None (config.py) every signature of
the session's token stays valid for as long as that token does, so a signature made once can be
handed out again: what a page carries and what Flask-WTF checks on a post are unchanged.
"""

from __future__ import annotations

from flask import Flask, g, session

# Raw tokens are per browser session; past this many the kept signatures start over.
MAX_KEPT = 10_000


def install(app: Flask) -> None:
    """Reuse this process's signature of the session's CSRF token; sign fresh if tokens expire."""
    if app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return  # a timed token must carry a fresh timestamp
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    kept: dict[str, str] = {}

    @app.before_request
    def _reuse_signed_token() -> None:
        # Flask-WTF's generate_csrf returns g's token when there is one, for forms and templates alike.
        signed = kept.get(session.get(field))
        if signed is not None:
            setattr(g, field, signed)

    @app.after_request
    def _keep_signed_token(response):
        raw, signed = session.get(field), g.get(field)
        if raw and signed and raw not in kept:
            if len(kept) >= MAX_KEPT:
                kept.clear()
            kept[raw] = signed
        return response
