"""The production stack (tests/production/stack.py) for the session, and Chromium contexts (the session's `browser`) on it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.production.stack import StackUnavailable, production_stack


@pytest.fixture(scope="session")
def stack():
    """PostgreSQL, Redis, two gunicorn processes and nginx ending TLS, with the demo data; torn down at the end."""
    try:
        with production_stack() as running:
            yield running
    except StackUnavailable as reason:
        pytest.skip(f"production tests need nginx: {reason}")


@pytest.fixture
def new_context(browser, stack):
    """Make fresh browser contexts (a person's own browser) on the stack; nothing leaves 127.0.0.1."""
    contexts = []

    def make(cookies: list | None = None):
        context = browser.new_context(base_url=stack.base_url, ignore_https_errors=True)
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
