"""Fixtures: a real app on a real database (SQLite by default, PostgreSQL with
TEST_DATABASE_URL), a test client, the CLI runner, and builders for users and progress."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from course import builders, create_app
from course.extensions import db, limiter
from course.models import Role, User

TESTS_DIR = Path(__file__).resolve().parent
FIXTURE_CONTENT = TESTS_DIR / "content"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def mail_server():
    """One real SMTP server for the whole session; the app sends every mail to it."""
    from tests.mailbox import Mailbox

    server = Mailbox().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(mail_server):
    """The session's SMTP server, emptied for this test."""
    mail_server.clear()
    return mail_server


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def make_app(database: str, content_dir: Path = FIXTURE_CONTENT, **overrides):
    config = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,  # set to the test SMTP server by the app fixture; nothing listens on port 1
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database,
        "CONTENT_DIR": str(content_dir),
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_ADDRESS_RATE_LIMIT": "1000 per minute",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(tmp_path_factory, mail_server):
    """One app for the session; the schema comes from the migrations, as in production."""
    from flask_migrate import upgrade

    app = make_app(database_url(tmp_path_factory), MAIL_PORT=mail_server.port)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()


@pytest.fixture
def extra_app():
    """Build another app (other content, a broken database); its connections are closed after the test."""
    made = []

    def build(database: str, **kwargs):
        made.append(make_app(database, **kwargs))
        return made[-1]

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(autouse=True)
def clean_database(request, app):
    """Give every test empty tables and a fresh rate limiter."""
    yield
    with app.app_context():
        db.session.remove()
        tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    connection.execute(sa.text(f"DELETE FROM {name}"))
    limiter.reset()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Return a builder: make_user(role="facilitator", email=..., name=...) -> user id."""
    counter = iter(range(1, 1_000_000))

    def build(role: str = Role.LEARNER, email: str | None = None, name: str | None = None, active: bool = True) -> User:
        number = next(counter)
        with app.app_context():
            user = builders.make_user(
                email or f"{role}{number}@example.org", name or f"{role.capitalize()} {number}", role,
                password=PASSWORD, active=active,
            )
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return build


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, follow_redirects: bool = False):
        page = self.client.get("/login")
        return self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
            follow_redirects=follow_redirects,
        )

    def logout(self):
        page = self.client.get("/account")
        return self.client.post("/logout", data={"csrf_token": csrf_token(page.text)})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login_as(client, auth, make_user):
    """Log in as a new user of a role and return it."""

    def login(role: str = Role.LEARNER, **kwargs) -> User:
        user = make_user(role, **kwargs)
        response = auth.login(user.email)
        assert response.status_code == 302, response.text
        return user

    return login


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'id="{re.escape(name)}" name="{re.escape(name)}" type="hidden" value="([^"]*)"', html
    )
    assert match, f"no hidden field {name} on the page"
    return match.group(1)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, one for the whole session (tests/browser and tests/production share it:
    Playwright's sync API allows one instance at a time)."""
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
