"""The command line contracts: users create, demo."""

import sqlalchemy as sa

from course.extensions import db
from course.models import LessonProgress, QuizAttempt, User


def test_users_create_makes_an_account(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "Admin@Example.org", "--password", "a strong password", "--role", "admin", "--name", "Ada"]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.role, user.display_name) == ("admin@example.org", "admin", "Ada")
        assert user.check_password("a strong password")


def test_users_create_refuses_duplicates_and_bad_input(app, runner):
    args = ["users", "create", "--email", "a@example.org", "--password", "a strong password", "--name", "A"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["users", "create", "--email", "b@example.org", "--password", "short", "--name", "B"])
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    role = runner.invoke(args=["users", "create", "--email", "c@example.org", "--password", "a strong password", "--name", "C", "--role", "king"])
    assert role.exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_demo_is_idempotent_and_prints_the_logins(app, runner, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "learner@demo.lantern" in first.output and "facilitator@demo.lantern" in first.output
    with app.app_context():
        counts = [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (User, LessonProgress, QuizAttempt)]
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (User, LessonProgress, QuizAttempt)] == counts
    # The printed demo learner can log in and sees progress.
    from tests.conftest import csrf_token

    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"email": "learner@demo.lantern", "password": "demo-learner-2026", "csrf_token": token})
    assert response.status_code == 302
    assert "Continue where you left off" in client.get("/learn").text
