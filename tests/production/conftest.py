"""The production stack (tests/production/stack.py) for the session, and Chromium contexts that talk to it over HTTPS."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest

from tests.production.stack import StackUnavailable, production_stack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def stack():
    """PostgreSQL, Redis, two gunicorn processes and nginx ending TLS, with the demo data; torn down at the end."""
    try:
        with production_stack() as running:
            yield running
    except StackUnavailable as reason:
        pytest.skip(f"production tests need nginx: {reason}")


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium, stack):
    """Make fresh browser contexts (a person's own browser) on the stack; nothing leaves 127.0.0.1."""
    contexts = []

    def make(cookies: list | None = None):
        context = chromium.new_context(base_url=stack.base_url, ignore_https_errors=True)
        context.outside = []  # type: ignore[attr-defined]
        context.set_default_timeout(20_000)  # a page that needs longer than this has failed the person anyway

        def keep_inside(route):
            if urlsplit(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                context.outside.append((route.request.url, route.request.headers))  # type: ignore[attr-defined]
                route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Elsewhere</title><p>Elsewhere")

        context.route("**/*", keep_inside)
        if cookies:
            context.add_cookies(cookies)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()
