"""Pages anyone can open: the emergency page, the safety bar on every page, health, headers."""

import re

import pytest


CRISIS_NUMBERS = ("tel:911", "tel:988", "tel:18006624357")


def assert_safety_bar(html: str) -> None:
    assert 'href="/emergency"' in html
    for number in CRISIS_NUMBERS:
        assert number in html
    assert 'class="quick-exit"' in html


def test_emergency_page_is_public_and_lists_the_steps_in_order(client):
    response = client.get("/emergency")
    assert response.status_code == 200
    html = response.text
    positions = [html.index(f"<h2>{step}</h2>") for step in ("Check them", "Call 911", "Give naloxone")]
    assert positions == sorted(positions)
    assert "Call 911 now" in html


@pytest.mark.parametrize("path", ["/", "/emergency", "/about", "/login", "/register", "/reset", "/no-such-page"])
def test_every_public_page_has_the_safety_bar(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert_safety_bar(response.text)


def test_learner_pages_have_the_safety_bar(client, login_as):
    login_as()
    for path in ("/learn", "/learn/first-steps", "/learn/first-steps/hello", "/account"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_safety_bar(response.text)


def test_pages_load_nothing_from_other_sites(client, login_as):
    login_as()
    for path in ("/", "/emergency", "/learn", "/learn/first-steps/hello", "/learn/first-steps/quiz", "/account"):
        html = client.get(path, follow_redirects=True).text
        # Only plain links may point elsewhere; nothing the browser fetches by itself.
        fetched = re.findall(r'<(?:script|img|link|iframe|source|video|audio)\b[^>]*(?:src|href)="([^"]+)"', html)
        assert fetched, path
        assert all(url.startswith("/") and not url.startswith("//") for url in fetched), (path, fetched)
        assert "style=" not in html, path
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, f"inline script on {path}"


def test_security_headers_forbid_inline_code_and_referrers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    # Same-origin: forms get their referrer (the CSRF check over HTTPS), no other site ever does.
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in response.text
    assert response.headers["X-Frame-Options"] == "DENY"


def test_logged_in_pages_are_not_cached(client, login_as):
    login_as()
    assert client.get("/learn").headers["Cache-Control"] == "no-store"


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "content": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path, extra_app):
    broken = extra_app("sqlite:///" + str(tmp_path / "missing-folder" / "db.sqlite3"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_broken_content_keeps_the_emergency_advice_and_fails_health(tmp_path, app, extra_app):
    (tmp_path / "01-empty").mkdir()
    broken = extra_app(app.config["SQLALCHEMY_DATABASE_URI"], content_dir=tmp_path)
    client = broken.test_client()
    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").get_json()["content"] == "invalid"
    emergency = client.get("/emergency")
    assert emergency.status_code == 200
    assert "Call 911" in emergency.text
    assert client.get("/").status_code == 503


def test_about_page_lists_every_modules_sources(client):
    html = client.get("/about").text
    assert "First steps" in html and "Staying safe" in html
    assert "https://www.cdc.gov/stop-overdose/response/index.html" in html
