"""Tampered requests get a 4xx with a page, never a server error: every URL, every method, junk input."""

import pytest

from tests.conftest import csrf_token

JUNK_VALUES = {"int": [0, 2**31, 999999], "default": ["x", "no-such-thing", "%00", "' OR 1=1 --", "<script>"]}


def junk_urls(app) -> list[tuple[str, str]]:
    """Every route with junk in each of its URL parts, with the methods it takes."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        converters = {name: type(conv).__name__ for name, conv in rule._converters.items()}
        if not converters:
            urls += [(method, rule.rule) for method in methods]
            continue
        for index in range(len(JUNK_VALUES["default"])):
            values = {}
            for name, kind in converters.items():
                pool = JUNK_VALUES["int"] if kind == "IntegerConverter" else JUNK_VALUES["default"]
                values[name] = pool[index % len(pool)]
            path = rule.rule
            for name, value in values.items():
                path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
            urls += [(method, path) for method in methods]
    return urls


JUNK_FORM = {"email": "x" * 5000, "password": "", "q-health-problem": ["a", "b"], "display_name": "\x00", "code": "'; DROP TABLE users; --"}


@pytest.mark.parametrize("who", ["anonymous", "learner", "facilitator", "admin"])
def test_no_url_answers_a_server_error(app, client, login_as, who):
    if who != "anonymous":
        login_as(who)
    token = csrf_token(client.get("/login" if who == "anonymous" else "/account").text)
    failures = []
    for method, path in junk_urls(app):
        for data in (None, JUNK_FORM, {**JUNK_FORM, "csrf_token": token}):
            if method == "GET" and data is not None:
                continue
            if path == "/logout" and data is not None and "csrf_token" in data:
                continue  # would end this test's session
            response = client.open(path, method=method, data=data)
            if response.status_code >= 500:
                failures.append((method, path, response.status_code))
    assert failures == []
