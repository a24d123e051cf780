"""The browser session cookie: Flask's signed cookie, with its signer built once per app.

Flask builds a new serializer (and derives its signing key) for every request, and signs with
a pure-Python HMAC because it names SHA-1 through a wrapper function. The cookie read and written
here is byte for byte the one Flask would make (same salt, key derivation and SHA-1), so cookies
survive a deploy either way; it only costs less on every request.
"""

from __future__ import annotations

import hashlib

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionCookie(SecureCookieSessionInterface):
    digest_method = staticmethod(hashlib.sha1)  # OpenSSL's HMAC-SHA1 instead of Python's

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("lantern_session_serializer")
        if kept is None or kept[0] != keys:
            kept = app.extensions["lantern_session_serializer"] = (keys, super().get_signing_serializer(app))
        return kept[1]
