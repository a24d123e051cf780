"""A browser-like HTTPS client for what Chromium will not send: forged headers, huge or broken bodies."""

from __future__ import annotations

import http.client
import http.cookies
import re
from urllib.parse import urlencode, urlsplit

from tests.production.stack import unverified_tls


def form_headers(base_url: str, page_path: str, page_headers, page_html: str) -> dict[str, str]:
    """Return what a browser sends with a form from a page: Origin, and a Referer only where the page's policy allows."""
    policy = (page_headers.get("Referrer-Policy") or "strict-origin-when-cross-origin").split(",")[-1].strip().lower()
    meta = re.search(r'<meta[^>]+name="referrer"[^>]+content="([^"]+)"', page_html)
    if meta:  # a browser obeys the page's meta tag over the header
        policy = meta.group(1).strip().lower()
    headers = {"Origin": base_url, "Content-Type": "application/x-www-form-urlencoded"}
    if policy != "no-referrer":
        headers["Referer"] = base_url + ("/" if policy in ("origin", "strict-origin") else page_path)
    return headers


class Visitor:
    """Keeps cookies, reads the CSRF token off the form page, and sends Origin and Referer as a browser would."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        parts = urlsplit(base_url)
        self.host, self.port, self.secure = parts.hostname, parts.port, parts.scheme == "https"
        self.cookies: dict[str, str] = {}

    def connection(self) -> http.client.HTTPConnection:
        if self.secure:
            return http.client.HTTPSConnection(self.host, self.port, context=unverified_tls(), timeout=60)
        return http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """Send one request; return (status, headers, text). Cookies set by the answer are kept."""
        headers = dict(headers or {})
        if self.cookies:
            headers.setdefault("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.msg, text

    def post_form(self, path: str, fields: dict | bytes, extra_headers: dict | None = None):
        """Open the form's page, then send the fields (with its CSRF token) as that page would."""
        status, page_headers, html = self.request("GET", path)
        assert status == 200, f"GET {path} answered {status}"
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        headers = {**form_headers(self.base_url, path, page_headers, html), **(extra_headers or {})}
        if isinstance(fields, bytes):
            body = fields + (b"&csrf_token=" + token.group(1).encode() if token else b"")
        else:
            body = urlencode({**fields, **({"csrf_token": token.group(1)} if token else {})}).encode()
        return self.request("POST", path, body, headers)
