"""Registration by a confirmed address, login (limits, `next`, landing), logout, password reset."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from course.extensions import db
from course.models import EmailConfirmation, User
from tests.conftest import PASSWORD, csrf_token
from tests.mailbox import body, link_in

NEW_PASSWORD = "a long enough password"


def register(client, email="parent@example.org", name="Worried parent", password=NEW_PASSWORD, confirm=None, query=""):
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


def test_register_mails_a_link_that_creates_the_account_and_logs_in(client, app, mailbox):
    response = register(client, email="Parent@Example.org ")
    assert response.status_code == 200
    assert "Check your email" in response.text
    assert users(app) == []  # nothing exists until the address is confirmed
    message = mailbox.last_to("parent@example.org")
    assert message["Subject"] == "Confirm your email address"
    link = link_in(message, "/register/confirm/")
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/learn"
    [user] = users(app)
    assert user.email == "parent@example.org" and user.role == "learner" and user.display_name == "Worried parent"
    assert user.password_hash.startswith("$argon2id$") and NEW_PASSWORD not in user.password_hash
    assert "Hello, Worried parent" in client.get("/learn").text
    # The link works once.
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account").text)})
    again = client.get(link)
    assert again.status_code == 400 and "This link does not work any more" in again.text
    assert len(users(app)) == 1


def test_registering_a_taken_address_looks_the_same_and_warns_its_owner(client, app, make_user, mailbox):
    make_user(email="taken@example.org", name="Owner")
    taken = register(client, email="TAKEN@example.org")
    fresh = register(app.test_client(), email="fresh@example.org")
    assert taken.status_code == fresh.status_code == 200
    strip = lambda html: html.replace(csrf_token(html), "") if "csrf_token" in html else html  # noqa: E731
    assert strip(taken.text) == strip(fresh.text)
    warning = mailbox.last_to("taken@example.org")
    assert warning["Subject"] == "Someone tried to create an account with your email address"
    assert "/register/confirm/" not in body(warning)
    assert [user.display_name for user in users(app)] == ["Owner"]


def test_the_mail_says_nothing_about_the_course_topic(client, mailbox):
    register(client, email="quiet@example.org")
    message = mailbox.last_to("quiet@example.org")
    words = (message["Subject"] + " " + message["From"] + " " + body(message)).lower()
    for revealing in ("opioid", "overdose", "drug", "addiction", "heroin", "naloxone", "recovery"):
        assert revealing not in words


def test_a_confirmation_link_opened_twice_at_once_makes_one_account(app, client, mailbox):
    register(client, email="twice@example.org")
    register(app.test_client(), email="twice@example.org")  # a second registration, a second link
    first, second = (link_in(m, "/register/confirm/") for m in mailbox.to("twice@example.org"))
    assert app.test_client().get(first).status_code == 302
    late = app.test_client().get(second)
    assert late.status_code == 400  # its row went with the first confirmation
    assert len(users(app)) == 1


def test_an_expired_confirmation_link_is_refused(app, client, mailbox):
    register(client, email="late@example.org")
    link = link_in(mailbox.last_to("late@example.org"), "/register/confirm/")
    with app.app_context():
        db.session.execute(sa.update(EmailConfirmation).values(expires_at=datetime(2000, 1, 1)))
        db.session.commit()
    assert client.get(link).status_code == 400
    assert users(app) == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"password": "short"}, "Use at least 10 characters. Yours has 5."),
        ({"password": "x" * 129}, "Use at most 128 characters. Yours has 129."),
        ({"password": "password1234"}, "Please choose a password that is harder to guess."),
        ({"password": "1234567890"}, "This is a top-100 common password"),
        ({"confirm": "something else entirely"}, "The two passwords are not the same."),
        ({"email": "not-an-email"}, "Please check the email address."),
        ({"name": "   "}, "Please choose a display name."),
        ({"name": "Sam\x00"}, "Please remove the hidden control characters"),
        ({"email": "a\x00b@example.org"}, "Please remove the hidden control characters"),
    ],
)
def test_register_with_bad_input_explains_and_saves_nothing(client, app, mailbox, kwargs, message):
    response = register(client, **kwargs)
    assert response.status_code == 400
    assert message in response.text
    assert users(app) == [] and mailbox.messages == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailConfirmation)) == 0


def test_a_long_passphrase_of_64_characters_is_welcome(client, mailbox):
    phrase = "the blue heron waits by the cold river at dawn for small fish ok"
    assert len(phrase) == 64
    assert register(client, email="long@example.org", password=phrase).status_code == 200
    assert mailbox.last_to("long@example.org")["Subject"] == "Confirm your email address"


def test_login_and_logout(client, auth, make_user):
    user = make_user(name="Alex")
    response = auth.login(user.email.upper())
    assert response.status_code == 302 and response.headers["Location"] == "/learn"
    assert "Hello, Alex" in client.get("/learn").text
    auth.logout()
    response = client.get("/learn")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role, landing", [("learner", "/learn"), ("facilitator", "/facilitator/groups"), ("admin", "/admin/users")])
def test_each_role_lands_where_their_work_is(auth, make_user, role, landing):
    response = auth.login(make_user(role).email)
    assert response.status_code == 302 and response.headers["Location"] == landing


def test_an_old_scrypt_hash_is_upgraded_at_the_next_login(app, auth, make_user):
    from werkzeug.security import generate_password_hash

    user = make_user()
    with app.app_context():
        db.session.get(User, user.id).password_hash = generate_password_hash(PASSWORD, method="scrypt:32768:8:1")
        db.session.commit()
    assert auth.login(user.email).status_code == 302
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


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


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "http:/evil", "/\x00x"]
)
def test_login_ignores_a_next_url_to_another_site(client, make_user, target):
    user = make_user()
    page = client.get("/login")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": target, "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code in (302, 400)
    assert response.status_code == 400 or response.headers["Location"] == "/learn"


def login_from(app, address: str, email: str, password: str):
    browser = app.test_client()
    environ = {"REMOTE_ADDR": address}
    token = csrf_token(browser.get("/login", environ_base=environ).text)
    return browser.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, environ_base=environ
    )


@pytest.fixture
def tight_limits(app):
    app.config.update(
        LOGIN_RATE_LIMIT="3 per minute", LOGIN_ADDRESS_RATE_LIMIT="20 per minute", LOGIN_ACCOUNT_CAP="8 per hour"
    )
    yield
    app.config.update(
        LOGIN_RATE_LIMIT="1000 per minute", LOGIN_ADDRESS_RATE_LIMIT="1000 per minute", LOGIN_ACCOUNT_CAP="1000 per hour"
    )


def test_guessing_from_one_place_is_stopped_and_told_how_to_get_in(app, make_user, tight_limits):
    user = make_user()
    statuses = [login_from(app, "203.0.113.9", user.email, "wrong guess").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    blocked = login_from(app, "203.0.113.9", user.email, PASSWORD)
    assert blocked.status_code == 429
    assert "choose a new password by email" in blocked.text  # the way in that still works
    # The owner, elsewhere, is not locked out by that guesser.
    assert login_from(app, "198.51.100.7", user.email, PASSWORD).status_code == 302


def test_a_flood_from_many_places_trips_the_account_cap_and_a_reset_lifts_it(app, client, make_user, mailbox, tight_limits):
    user = make_user()
    for number in range(8):
        login_from(app, f"203.0.113.{number}", user.email, "wrong guess")
    assert login_from(app, "198.51.100.7", user.email, PASSWORD).status_code == 429
    # The same page for an address with no account: the cap says nothing about who exists.
    for number in range(8):
        login_from(app, f"203.0.113.{number}", "nobody@example.org", "wrong guess")
    nobody = login_from(app, "198.51.100.7", "nobody@example.org", PASSWORD)
    assert nobody.status_code == 429
    request_reset(client, user.email)
    set_new_password(client, link_in(mailbox.last_to(user.email), "/reset/"), "my brand new password")
    assert login_from(app, "198.51.100.7", user.email, "my brand new password").status_code == 302


def test_only_failed_logins_count(app, make_user, tight_limits):
    user = make_user()
    statuses = [login_from(app, "203.0.113.9", user.email, PASSWORD).status_code for _ in range(5)]
    assert statuses == [302] * 5


def test_a_group_logging_in_from_one_address_is_not_locked_out(app, make_user, tight_limits):
    families = [make_user() for _ in range(12)]
    statuses = [login_from(app, "192.0.2.1", family.email, PASSWORD).status_code for family in families]
    assert statuses == [302] * 12


def test_failed_logins_are_logged_without_the_address_typed(app, make_user, caplog, tight_limits):
    user = make_user(email="secret-person@example.org")
    with caplog.at_level("WARNING", logger="lantern.security"):
        login_from(app, "203.0.113.9", user.email, "wrong guess")
        login_from(app, "203.0.113.9", "stranger@example.org", "wrong guess")
    assert f"event=login_failed user={user.id} address=203.0.113.9" in caplog.text
    assert "event=login_failed user=- address=203.0.113.9" in caplog.text
    assert "@example.org" not in caplog.text and "wrong guess" not in caplog.text


def request_reset(client, email: str):
    page = client.get("/reset")
    return client.post("/reset", data={"email": email, "csrf_token": csrf_token(page.text)})


def set_new_password(client, link: str, password: str):
    page = client.get(link)
    assert page.status_code == 200, page.text
    return client.post(link, data={"password": password, "confirm": password, "csrf_token": csrf_token(page.text)})


def test_password_reset_by_a_single_use_link(client, auth, make_user, mailbox):
    user = make_user()
    response = request_reset(client, user.email)
    assert response.status_code == 302
    message = mailbox.last_to(user.email)
    assert message["Subject"] == "Reset your password"
    link = link_in(message, "/reset/")
    response = set_new_password(client, link, "my brand new password")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert auth.login(user.email, PASSWORD).status_code == 400
    assert auth.login(user.email, "my brand new password").status_code == 302
    auth.logout()
    # The link is spent: the password it was made for has changed.
    again = client.get(link, follow_redirects=True)
    assert "That reset link has expired or was already used" in again.text


def test_reset_links_use_the_configured_base_url_not_the_request_host(app, client, make_user, mailbox):
    user = make_user()
    app.config["BASE_URL"] = "https://lantern.clinic.example"
    try:
        page = client.get("/reset")
        client.post(
            "/reset",
            data={"email": user.email, "csrf_token": csrf_token(page.text)},
            headers={"X-Forwarded-Host": "evil.example", "Origin": "https://lantern.clinic.example"},
        )
    finally:
        app.config["BASE_URL"] = ""
    text = body(mailbox.last_to(user.email))
    assert "https://lantern.clinic.example/reset/" in text and "evil.example" not in text


def test_password_reset_answers_the_same_for_unknown_addresses(client, mailbox):
    response = request_reset(client, "nobody@example.org")
    assert response.status_code == 302
    assert mailbox.messages == []
    assert "If that address has an account" in client.get("/login").text


def test_a_tampered_or_expired_reset_link_is_refused(app, client, make_user, mailbox):
    user = make_user()
    request_reset(client, user.email)
    link = link_in(mailbox.last_to(user.email), "/reset/")
    assert "expired or was already used" in client.get(link + "x", follow_redirects=True).text
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        assert "expired or was already used" in client.get(link, follow_redirects=True).text
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


def test_a_mail_server_that_is_down_never_makes_a_500(app, client, make_user):
    user = make_user()
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    try:
        assert request_reset(client, user.email).status_code == 302
        assert register(app.test_client(), email="new@example.org").status_code == 200
    finally:
        app.config["MAIL_PORT"] = port
