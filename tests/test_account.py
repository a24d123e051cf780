"""The learner's own account: display name, password, download my data, delete my account."""

import json
import re

import sqlalchemy as sa

from course.extensions import db
from course.models import AttemptAnswer, LessonProgress, Membership, QuizAttempt, User
from tests.conftest import PASSWORD, csrf_token
from tests.group_builders import add_member, finish_lessons, make_group
from tests.test_learn import finish_module_one


def post_form(client, path: str, data: dict, prefix: str = ""):
    """Post one of the account page's forms; the password and delete forms carry a prefix."""
    token = csrf_token(client.get("/account").text)
    fields = {**data, "csrf_token": token}
    return client.post(path, data={(f"{prefix}-{k}" if prefix else k): v for k, v in fields.items()})


def test_account_page_needs_a_login(client):
    assert client.get("/account").status_code == 302


def test_change_display_name(app, client, login_as):
    user = login_as()
    response = post_form(client, "/account/name", {"display_name": "  Sam's mum  "})
    assert response.status_code == 302
    assert "Hello, Sam&#39;s mum" in client.get("/learn").text
    with app.app_context():
        assert db.session.get(User, user.id).display_name == "Sam's mum"


def test_a_blank_display_name_is_refused(app, client, login_as):
    user = login_as()
    response = post_form(client, "/account/name", {"display_name": "   "})
    assert response.status_code == 400
    assert "Please choose a display name." in response.text
    with app.app_context():
        assert db.session.get(User, user.id).display_name == user.display_name


def test_change_password_needs_the_current_one(app, client, auth, login_as):
    user = login_as()
    response = post_form(
        client, "/account/password",
        {"current_password": "wrong guess", "password": "a new long password", "confirm": "a new long password"},
        prefix="change",
    )
    assert response.status_code == 400
    assert "That is not your current password." in response.text
    response = post_form(
        client, "/account/password",
        {"current_password": PASSWORD, "password": "a new long password", "confirm": "a new long password"},
        prefix="change",
    )
    assert response.status_code == 302
    auth.logout()
    assert auth.login(user.email, "a new long password").status_code == 302


def test_the_account_page_has_no_duplicate_ids(client, login_as):
    login_as()
    html = client.get("/account").text
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert sorted(ids) == sorted(set(ids)), [i for i in set(ids) if ids.count(i) > 1]


def test_download_my_data_has_everything_about_me_and_nothing_else(app, client, auth, login_as, make_user):
    other = make_user(email="other@example.org")
    facilitator = make_user("facilitator")
    group = make_group(app, facilitator, "Tuesday group")
    finish_lessons(app, other, "first-steps", count=1)
    user = login_as(email="me@example.org", name="Me")
    add_member(app, group, user, share_email=True)
    finish_module_one(client)
    response = post_form(client, "/account/export", {})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="lantern-my-data.json"'
    data = json.loads(response.data)
    assert data["account"]["email"] == "me@example.org" and data["account"]["display_name"] == "Me"
    records = data["records"]
    [membership] = records["memberships"]
    assert membership["group_name"] == "Tuesday group" and membership["share_email"] is True
    assert [(row["module_slug"], row["lesson_slug"]) for row in records["lesson_progress"]] == [
        ("first-steps", "hello"), ("first-steps", "second")
    ]
    [attempt] = records["quiz_attempts"]
    # Every column of the attempt, not a summary.
    assert {"score", "passed", "correct_count", "question_count", "missed_critical", "content_version",
            "submission_token", "submitted_at"} <= set(attempt)
    assert attempt["score"] == 100 and attempt["passed"] is True
    assert {a["question_id"] for a in records["attempt_answers"]} == {"health-problem", "what-helps", "call-911"}
    assert len(records["user_sessions"]) == 1 and "token_hash" not in records["user_sessions"][0]
    assert records["group_facilitators"] == []  # leads none
    assert "other@example.org" not in response.text and "password_hash" not in response.text
    assert "$argon2" not in response.text


def test_a_facilitator_download_lists_the_groups_they_lead(app, client, login_as, make_user):
    facilitator = login_as("facilitator")
    make_group(app, facilitator, "Thursday group")
    data = json.loads(post_form(client, "/account/export", {}).data)
    assert [row["group_name"] for row in data["records"]["group_facilitators"]] == ["Thursday group"]


def test_delete_my_account_removes_everything_tied_to_it(app, client, login_as, make_user):
    other = make_user()
    finish_lessons(app, other, "first-steps", count=1)
    user = login_as()
    finish_module_one(client)
    add_member(app, make_group(app, make_user("facilitator"), "G"), user)

    refused = post_form(client, "/account/delete", {"password": "not my password"}, prefix="delete")
    assert refused.status_code == 400
    assert "Nothing was deleted" in refused.text

    response = post_form(client, "/account/delete", {"password": PASSWORD}, prefix="delete")
    assert response.status_code == 302
    assert "Your account and everything tied to it have been deleted." in client.get("/").text
    assert client.get("/learn").status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id) is None
        for model in (LessonProgress, QuizAttempt, Membership):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.user_id == user.id)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AttemptAnswer)) == 0
        # Other people's data stays.
        assert db.session.get(User, other.id) is not None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)) == 1


def test_account_forms_without_csrf_are_refused(app, client, login_as):
    user = login_as()
    assert client.post("/account/delete", data={"delete-password": PASSWORD}).status_code == 400
    assert client.post("/account/export").status_code == 400
    with app.app_context():
        assert db.session.get(User, user.id) is not None

