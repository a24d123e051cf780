"""The database vanishes and comes back (a real PostgreSQL behind a proxy the test cuts):
/emergency stays whole for everyone, other pages answer a friendly 503 with the crisis numbers,
/healthz 503; afterwards everything works again without a restart and nothing acknowledged is lost."""

import secrets

import psycopg
import pytest
import sqlalchemy as sa

from course.extensions import db
from course.models import LessonProgress, User
from tests.conftest import PASSWORD, csrf_token
from tests.tcp_proxy import CuttableProxy

PG = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def outage_app(extra_app):
    """An app on its own PostgreSQL database, reached through a proxy the test can cut."""
    name = f"lantern_outage_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    admin.execute(f"CREATE DATABASE {name}")
    proxy = CuttableProxy("127.0.0.1", 5432).start()
    app = extra_app(f"postgresql://postgres@127.0.0.1:{proxy.port}/{name}")
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    yield app, proxy
    proxy.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


def logged_in(app, email: str):
    """A new account and a browser logged in to it."""
    from course import accounts

    with app.app_context():
        accounts.create_user(email, PASSWORD, "Parent")
    client = app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    return client


def finish_the_lessons_of_module_one(client) -> None:
    for lesson in ("hello", "second"):
        text = client.get(f"/learn/first-steps/{lesson}").text
        client.post(f"/learn/first-steps/{lesson}/complete", data={"csrf_token": csrf_token(text)})


def test_a_database_outage_keeps_the_emergency_page_and_loses_nothing(outage_app):
    app, proxy = outage_app
    client = logged_in(app, "parent@example.org")
    lesson = client.get("/learn/first-steps/hello")
    assert lesson.status_code == 200
    done = client.post("/learn/first-steps/hello/complete", data={"csrf_token": csrf_token(lesson.text)})
    assert done.status_code == 302  # acknowledged

    proxy.cut()
    emergency = client.get("/emergency")  # logged in, with a session cookie the app cannot check
    assert emergency.status_code == 200
    assert "911" in emergency.text and "988" in emergency.text and "naloxone" in emergency.text.lower()
    anonymous = app.test_client().get("/emergency")
    assert anonymous.status_code == 200 and "911" in anonymous.text
    for path in ("/learn", "/learn/first-steps/second", "/account", "/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "Lantern is not available right now" in response.text and "tel:911" in response.text
        assert "tel:988" in response.text and "1-800-662-4357" in response.text
    assert client.get("/healthz").status_code == 503
    assert app.test_client().get("/login").status_code == 200  # needs no database to show

    proxy.restore()
    assert client.get("/healthz").status_code == 200
    home = client.get("/learn")
    assert home.status_code == 200  # the same session, no restart, no new login
    with app.app_context():
        rows = db.session.scalars(sa.select(LessonProgress)).all()
    assert [(row.lesson_slug, row.completed_at is not None) for row in rows] == [("hello", True)]


def test_a_database_that_vanishes_mid_quiz_answers_503_and_saves_nothing_half_way(outage_app):
    app, proxy = outage_app
    client = logged_in(app, "quiz@example.org")
    finish_the_lessons_of_module_one(client)
    quiz = client.get("/learn/first-steps/quiz")
    assert quiz.status_code == 200
    proxy.cut()
    response = client.post("/learn/first-steps/quiz", data={"csrf_token": csrf_token(quiz.text)})
    assert response.status_code == 503
    proxy.restore()
    with app.app_context():
        from course.models import QuizAttempt

        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0


def test_connections_the_database_dropped_are_replaced_without_a_failed_page(outage_app):
    """PostgreSQL restarts between two clicks: every pooled connection is dead, nobody sees a 503."""
    app, proxy = outage_app
    client = logged_in(app, "restart@example.org")
    lesson = client.get("/learn/first-steps/hello")
    assert lesson.status_code == 200

    proxy.cut()  # resets every open connection, the pooled ones included
    proxy.restore()
    again = client.get("/learn/first-steps/hello")  # a page that only reads: its SELECT runs again
    assert again.status_code == 200 and "Mark complete and continue" in again.text

    proxy.cut()
    proxy.restore()
    done = client.post("/learn/first-steps/hello/complete", data={"csrf_token": csrf_token(again.text)})
    assert done.status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(LessonProgress)).all()
    assert [(row.lesson_slug, row.completed_at is not None) for row in rows] == [("hello", True)]


def test_a_change_gets_a_live_connection_after_the_database_dropped_them_all(outage_app):
    """The ORM session (which writes) never starts on a dead pooled connection: it is pinged first."""
    app, proxy = outage_app
    with app.app_context():
        pooled = [db.engine.connect() for _ in range(3)]
        for connection in pooled:
            connection.execute(sa.text("SELECT 1"))
            connection.close()  # back to the pool, alive
    proxy.cut()
    proxy.restore()
    with app.app_context():
        from course import accounts

        accounts.create_user("after@example.org", PASSWORD, "After")
        db.session.remove()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_a_page_that_only_reads_pays_no_ping_and_a_change_does(outage_app, monkeypatch):
    # A ping is one more round trip on every checkout; read() retries a dropped connection itself.
    app, _proxy = outage_app
    with app.app_context():
        dialect = db.engine.dialect
    pings: list[object] = []
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda dbapi_connection: pings.append(1) or real_ping(dbapi_connection))
    client = logged_in(app, "pings@example.org")
    finish_the_lessons_of_module_one(client)
    for path in ("/learn", "/learn/first-steps/hello", "/learn/first-steps/quiz"):
        client.get(path)  # the quiz's first opening writes its layout
        pings.clear()
        assert client.get(path).status_code == 200
        assert pings == [], path
    text = client.get("/account").text
    assert client.post("/logout", data={"csrf_token": csrf_token(text)}).status_code == 302
    assert pings, "the connection of a change was not checked first"
