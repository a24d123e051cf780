"""What the benchmarks share: a gunicorn server on 127.0.0.1, a browser-like client, query counts."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark password"
# One browser's name, sent by every request of a benchmark's learner (wrk included). Flask-Login ties a
# session to the browser that logged in; a request from "another browser" would rewrite the session cookie.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) lantern-bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict, workers: int, threads: int = 1, target: str = "wsgi:app", ready_path: str = "/healthz"):
    """Serve an app (wsgi:app by default) with gunicorn on a free local port; yield its base URL once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT, env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + ready_path, timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


class Browser:
    """One person's browser: a cookie jar, and the CSRF token read off the pages."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]
        self.email = email

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> str:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.read().decode()

    @staticmethod
    def hidden(html: str, name: str) -> str:
        match = re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]+)"', html)
        assert match, f"no {name} on the page"
        return match.group(1)

    def log_in(self) -> None:
        page = self.get("/login")
        self.post("/login", {"email": self.email, "password": PASSWORD, "csrf_token": self.hidden(page, "csrf_token")})


def count_queries(env: dict, email: str, paths: dict[str, str], warm_up: str = "/learn") -> dict[str, int]:
    """Return the SQL statements each page runs for a logged-in user, through the app in this process."""
    import sqlalchemy as sa

    from course import create_app
    from course.extensions import db

    os.environ.update(env)
    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    # Requests outside any app context: each gets its own session, as in production.
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    client.get(warm_up)  # the first page after logging in also notes "last seen"
    counts = {}
    for name, path in paths.items():
        statements.clear()
        assert client.get(path).status_code == 200, path
        counts[name] = len(statements)
    with app.app_context():
        db.engine.dispose()
    return counts


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
