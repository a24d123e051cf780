"""A real HTTP server on 127.0.0.1 and a real Chromium (Debian's) driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

QUICK_EXIT_PREFIX = "https://www.weather.gov/"

if not shutil.which("chromium"):
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the session's app over real HTTP on a free local port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies), with every request recorded; nothing leaves the machine."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1024, "height": 800})
    requested: list[str] = []

    def route(route):
        url = route.request.url
        requested.append(url)
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        elif url.startswith(QUICK_EXIT_PREFIX):
            route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Weather</title><p>Weather</p>")
        else:
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.requested = requested  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture(scope="session")
def real_course_server(app):
    """Serve the shipped course (modules/) over real HTTP, on the session's database."""
    from course.config import PROJECT_ROOT
    from course.extensions import db
    from tests.conftest import make_app

    shipped = make_app(app.config["SQLALCHEMY_DATABASE_URI"], content_dir=PROJECT_ROOT / "modules")
    server = make_server("127.0.0.1", 0, shipped, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield shipped, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with shipped.app_context():
        db.session.remove()
        db.engine.dispose()
