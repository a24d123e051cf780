"""The browser session cookie: Flask's signed cookie, with its signer built once per app and each
cookie's signature checked once per process.

Flask builds a new serializer (and derives its signing key) for every request, and signs with
a pure-Python HMAC because it names SHA-1 through a wrapper function. The cookie read and written
here is byte for byte the one Flask would make (same salt, key derivation and SHA-1), so cookies
survive a deploy either way; it only costs less on every request.

A browser sends the same cookie on every page until its session changes, so a cookie whose
signature was checked is kept with what it holds and the time it was signed: the next request
with exactly that cookie skips the HMAC, base64 and JSON, but its age is still checked, and it
gets its own copy of the data (a request may change its session). Only the signature's work is
saved: whether the session token inside is still live is for course/sessions.py to say.
"""

from __future__ import annotations

import copy
import hashlib
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

# Distinct cookies kept per process (one per browser session seen); past this the kept ones start over.
MAX_KEPT = 10_000


class SessionCookie(SecureCookieSessionInterface):
    digest_method = staticmethod(hashlib.sha1)  # OpenSSL's HMAC-SHA1 instead of Python's

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        return self._signing(app)[0]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer, verified = self._signing(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        kept = verified.get(value)
        if kept is not None:
            signed_at, data = kept
            if 0 <= time.time() - signed_at <= max_age:  # itsdangerous' own test of a timed signature
                return self.session_class(copy.deepcopy(data))
            verified.pop(value, None)  # another thread may have dropped it already
            return self.session_class()
        try:
            data, signed = serializer.loads(value, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if len(verified) >= MAX_KEPT:
            verified.clear()
        verified[value] = (signed.timestamp(), copy.deepcopy(data))
        return self.session_class(data)

    def _signing(self, app: Flask) -> tuple[URLSafeTimedSerializer | None, dict]:
        # One serializer and one set of checked cookies per app and signing keys: new keys, new cookies.
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("lantern_session_serializer")
        if kept is None or kept[0] != keys:
            kept = app.extensions["lantern_session_serializer"] = (keys, super().get_signing_serializer(app), {})
        return kept[1], kept[2]
