"""Registration, login (with its rate limit and `next`), logout, password reset."""

import logging
import re

import pytest
import sqlalchemy as sa

from course.extensions import db
from course.models import User
from tests.conftest import PASSWORD, csrf_token


def register(client, email="parent@example.org", name="Worried parent", password="a long enough password", confirm=None, query=""):
    page = client.get("/register" + query)
    return client.post(
        "/register" + query,
        data={
            "email": email,
            "display_name": name,
            "password": password,
            "confirm": password if confirm is None else confirm,
            "csrf_token": csrf_token(page.text),
        },
    )


def users(app) -> list[User]:
    with app.app_context():
        return db.session.scalars(sa.select(User)).all()


def test_register_creates_a_learner_and_logs_them_in(client, app):
    response = register(client, email="Parent@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/learn"
    [user] = users(app)
    assert user.email == "parent@example.org"
    assert user.role == "learner"
    assert user.password_hash.startswith("scrypt:") and "a long enough password" not in user.password_hash
    home = client.get("/learn")
    assert "Hello, Worried parent" in home.text


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"password": "short"}, "Use at least 10 characters."),
        ({"confirm": "something else entirely"}, "The two passwords are not the same."),
        ({"email": "not-an-email"}, "Please check the email address."),
        ({"name": "   "}, "Please choose a display name."),
    ],
)
def test_register_with_bad_input_explains_and_saves_nothing(client, app, kwargs, message):
    response = register(client, **kwargs)
    assert response.status_code == 400
    assert message in response.text
    assert users(app) == []


def test_register_refuses_an_email_taken_in_any_case(client, app, make_user):
    make_user(email="taken@example.org")
    response = register(client, email="TAKEN@example.org")
    assert response.status_code == 400
    assert "An account with this email address already exists" in response.text
    assert len(users(app)) == 1


def test_login_and_logout(client, auth, make_user):
    user = make_user(name="Alex")
    response = auth.login(user.email.upper())
    assert response.status_code == 302 and response.headers["Location"] == "/learn"
    assert "Hello, Alex" in client.get("/learn").text
    auth.logout()
    response = client.get("/learn")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_logout_needs_a_post_with_csrf(client, auth, make_user):
    auth.login(make_user().email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/learn").status_code == 200  # still logged in


def test_wrong_password_and_unknown_email_get_the_same_answer(client, auth, make_user):
    user = make_user()
    wrong_password = auth.login(user.email, "not the password")
    no_such_user = auth.login("nobody@example.org", PASSWORD)
    message = "That email address and password do not match an account."
    assert wrong_password.status_code == no_such_user.status_code == 400
    assert message in wrong_password.text and message in no_such_user.text


def test_a_deactivated_account_cannot_log_in(client, auth, make_user):
    user = make_user(active=False)
    response = auth.login(user.email)
    assert response.status_code == 400
    assert client.get("/learn").status_code == 302


@pytest.mark.parametrize("target", ["/learn/first-steps", "/account"])
def test_login_returns_to_a_safe_next_page(client, make_user, target):
    user = make_user()
    page = client.get(f"/login?next={target}")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": target, "csrf_token": csrf_token(page.text)}
    )
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "http:/evil"])
def test_login_ignores_a_next_url_to_another_site(client, make_user, target):
    user = make_user()
    page = client.get("/login")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": target, "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/learn"


def test_login_is_rate_limited(app, client, make_user):
    user = make_user()
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        token = csrf_token(client.get("/login").text)
        statuses = [
            client.post("/login", data={"email": user.email, "password": "wrong", "csrf_token": token}).status_code
            for _ in range(4)
        ]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert statuses == [400, 400, 400, 429]
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        blocked = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert blocked.status_code == 429 and "Too many tries" in blocked.text
    assert client.get("/learn").status_code == 302  # even the right password was not tried


def test_a_group_logging_in_from_one_address_is_not_locked_out(app, client, make_user):
    families = [make_user() for _ in range(6)]
    app.config.update(LOGIN_RATE_LIMIT="3 per minute", LOGIN_ADDRESS_RATE_LIMIT="5 per minute")
    try:
        statuses = []
        for family in families:
            browser = app.test_client()
            token = csrf_token(browser.get("/login").text)
            statuses.append(
                browser.post("/login", data={"email": family.email, "password": PASSWORD, "csrf_token": token}).status_code
            )
    finally:
        app.config.update(LOGIN_RATE_LIMIT="1000 per minute", LOGIN_ADDRESS_RATE_LIMIT="1000 per minute")
    # Each account is far below its own limit; only the address's overall limit stops the sixth.
    assert statuses == [302, 302, 302, 302, 302, 429]


def request_reset(client, email: str):
    page = client.get("/reset")
    return client.post("/reset", data={"email": email, "csrf_token": csrf_token(page.text)})


def reset_link_from_log(caplog) -> str:
    match = re.search(r"http://localhost(/reset/\S+)", caplog.text)
    assert match, caplog.text
    return match.group(1)


def set_new_password(client, link: str, password: str):
    page = client.get(link)
    assert page.status_code == 200, page.text
    return client.post(link, data={"password": password, "confirm": password, "csrf_token": csrf_token(page.text)})


def test_password_reset_by_a_single_use_link(client, auth, make_user, caplog):
    user = make_user()
    with caplog.at_level(logging.WARNING, logger="course.accounts"):
        response = request_reset(client, user.email)
    assert response.status_code == 302
    link = reset_link_from_log(caplog)
    response = set_new_password(client, link, "my brand new password")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert auth.login(user.email, PASSWORD).status_code == 400
    assert auth.login(user.email, "my brand new password").status_code == 302
    auth.logout()
    # The link is spent: the password it was made for has changed.
    again = client.get(link, follow_redirects=True)
    assert "That reset link has expired or was already used" in again.text


def test_password_reset_answers_the_same_for_unknown_addresses(client, caplog):
    with caplog.at_level(logging.WARNING, logger="course.accounts"):
        response = request_reset(client, "nobody@example.org")
    assert response.status_code == 302
    assert "/reset/" not in caplog.text
    assert "If that address has an account" in client.get("/login").text


def test_a_tampered_or_expired_reset_link_is_refused(app, client, make_user, caplog):
    user = make_user()
    with caplog.at_level(logging.WARNING, logger="course.accounts"):
        request_reset(client, user.email)
    link = reset_link_from_log(caplog)
    assert "expired or was already used" in client.get(link + "x", follow_redirects=True).text
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        assert "expired or was already used" in client.get(link, follow_redirects=True).text
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


def test_changing_the_password_signs_out_other_sessions(app, make_user, auth, client):
    user = make_user()
    other_device = app.test_client()
    token = csrf_token(other_device.get("/login").text)
    other_device.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert other_device.get("/learn").status_code == 200
    auth.login(user.email)
    page = client.get("/account")
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "another long password",
            "confirm": "another long password",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert client.get("/learn").status_code == 200
    assert other_device.get("/learn").status_code == 302
