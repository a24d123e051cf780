"""Sessions end when they should: a cookie replayed after logout, a password change,
deactivation or deletion is refused; idle and absolute limits; remember-me bounded and rotated."""

import time
from datetime import timedelta

import sqlalchemy as sa

from course.extensions import db
from course.models import User, UserSession, utcnow
from tests.conftest import PASSWORD, csrf_token


def cookie(client, name: str = "session") -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def replay(app, **cookies):
    """A new browser that has only the copied cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other.get("/learn")


def login(client, email: str, remember: bool = False):
    page = client.get("/login")
    data = {"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.text
    return response


def post(client, url: str, data: dict | None = None):
    page = client.get("/account")
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(page.text)})


def sessions_of(app, user_id: int) -> list[UserSession]:
    with app.app_context():
        return db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user_id)).all()


def test_a_session_cookie_copied_before_logout_is_refused_after_it(app, client, make_user):
    user = make_user()
    login(client, user.email)
    copied = cookie(client)
    assert replay(app, session=copied).status_code == 200  # the copy works while the session lives
    post(client, "/logout")
    response = replay(app, session=copied)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert sessions_of(app, user.id) == []


def test_the_cookie_holds_a_random_token_and_the_database_only_its_hash(app, client, make_user):
    user = make_user()
    login(client, user.email)
    [row] = sessions_of(app, user.id)
    assert len(row.token_hash) == 64 and row.token_hash not in cookie(client)
    assert row.remember is False and row.expires_at - row.created_at == timedelta(hours=12)


def test_remember_me_alone_logs_back_in_once_then_is_rotated(app, client, make_user):
    user = make_user()
    login(client, user.email, remember=True)
    remembered = cookie(client, "remember_token")
    [row] = sessions_of(app, user.id)
    assert row.remember and row.expires_at - row.created_at == timedelta(days=30)
    # The browser was closed: only the remember cookie is left.
    browser = app.test_client()
    browser.set_cookie("remember_token", remembered)
    assert browser.get("/learn").status_code == 200
    assert cookie(browser, "remember_token") != remembered  # rotated on use
    # The old token is spent: a copy of it opens nothing.
    assert replay(app, remember_token=remembered).status_code == 302
    assert browser.get("/learn").status_code == 200


def test_logout_revokes_remember_me(app, client, make_user):
    user = make_user()
    login(client, user.email, remember=True)
    remembered = cookie(client, "remember_token")
    post(client, "/logout")
    assert replay(app, remember_token=remembered).status_code == 302


def test_an_idle_session_ends_and_login_returns_to_the_page(app, client, make_user):
    user = make_user()
    login(client, user.email)
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
        db.session.commit()
    response = client.get("/learn/first-steps")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/learn/first-steps"
    page = client.get(response.headers["Location"])
    assert "You were logged out because the page was left alone for a while" in page.text
    back = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "/learn/first-steps", "csrf_token": csrf_token(page.text)},
    )
    assert back.headers["Location"] == "/learn/first-steps"


def test_the_idle_limit_is_configurable(app, client, make_user):
    user = make_user()
    login(client, user.email)
    app.config["SESSION_IDLE_MINUTES"] = 120
    try:
        with app.app_context():
            db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
            db.session.commit()
        assert client.get("/learn").status_code == 200
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 30


def test_a_session_ends_12_hours_after_login_even_when_busy(app, client, make_user):
    user = make_user()
    login(client, user.email)
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/learn").status_code == 302


def test_a_password_change_ends_every_other_session(app, client, make_user):
    user = make_user()
    other = app.test_client()
    login(other, user.email, remember=True)
    other_session, other_remember = cookie(other), cookie(other, "remember_token")
    login(client, user.email)
    page = client.get("/account")
    response = client.post(
        "/account/password",
        data={
            "change-current_password": PASSWORD,
            "change-password": "another long password",
            "change-confirm": "another long password",
            "change-csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 302
    assert client.get("/learn").status_code == 200
    assert replay(app, session=other_session).status_code == 302
    assert replay(app, remember_token=other_remember).status_code == 302
    assert len(sessions_of(app, user.id)) == 1


def test_deactivation_ends_the_session_at_once(app, client, make_user):
    user = make_user()
    login(client, user.email)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/learn").status_code == 302


def test_deletion_ends_every_session(app, client, make_user):
    user = make_user()
    other = app.test_client()
    login(other, user.email)
    login(client, user.email)
    page = client.get("/account")
    client.post("/account/delete", data={"delete-password": PASSWORD, "delete-csrf_token": csrf_token(page.text)})
    assert other.get("/learn").status_code == 302
    assert sessions_of(app, user.id) == []


def test_cookies_are_secure_httponly_and_lax_in_production(tmp_path, extra_app, make_user, app, monkeypatch):
    monkeypatch.setenv("LANTERN_ENV", "production")
    monkeypatch.setenv("LANTERN_BASE_URL", "https://lantern.clinic.example")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    production = extra_app(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=False)
    user = make_user()
    client = production.test_client()
    base = "https://lantern.clinic.example"
    page = client.get("/login", base_url=base)
    response = client.post(
        "/login",
        base_url=base,
        headers={"Origin": base},
        data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 302
    set_cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        [line] = [c for c in set_cookies if c.startswith(name)]
        assert "Secure" in line and "HttpOnly" in line and "SameSite=Lax" in line
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_post_from_another_site_is_refused(client, make_user):
    user = make_user()
    page = client.get("/login")
    response = client.post(
        "/login",
        headers={"Origin": "https://evil.example"},
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 403


def test_maintenance_purge_deletes_ended_sessions_only(app, client, make_user, runner):
    user = make_user()
    login(client, user.email)
    login(app.test_client(), user.email)
    with app.app_context():
        first = db.session.scalars(sa.select(UserSession).order_by(UserSession.id)).first()
        first.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0 and "Deleted 1 ended session(s)" in result.output
    assert len(sessions_of(app, user.id)) == 1


def test_one_signed_csrf_token_serves_every_page_of_a_session_and_is_checked_on_posts(app, client, make_user):
    # The signature is made once per process (course/csrf_tokens.py); a post must still need it.
    user = make_user()
    login(client, user.email)
    first = csrf_token(client.get("/learn").text)
    time.sleep(1.1)  # a fresh signature would carry another timestamp
    assert csrf_token(client.get("/account").text) == first
    other = app.test_client()
    login(other, make_user().email)
    assert csrf_token(other.get("/account").text) != first  # another browser, another token
    refused = client.post("/account/name", data={"display_name": "Robin", "csrf_token": first + "x"})
    assert refused.status_code == 400
    renamed = client.post("/account/name", data={"display_name": "Robin", "csrf_token": first})
    assert renamed.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).display_name == "Robin"
    assert post(client, "/logout").status_code == 302
    assert client.get("/learn").status_code == 302  # logged out by that token


def test_the_person_of_a_request_is_read_without_the_password_hash_yet_can_check_it(app, client, make_user):
    # The session query leaves the hash out; changing the password must still check the old one.
    user = make_user()
    login(client, user.email)
    page = client.get("/account")
    new = {"change-password": "a brand new passphrase", "change-confirm": "a brand new passphrase",
           "csrf_token": csrf_token(page.text)}
    wrong = client.post("/account/password", data={**new, "change-current_password": "not the password"})
    assert wrong.status_code == 400 and "That is not your current password." in wrong.text
    changed = client.post("/account/password", data={**new, "change-current_password": PASSWORD})
    assert changed.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).check_password("a brand new passphrase")


def test_the_session_cookie_is_signed_as_flask_itself_signs_it(app, client, make_user):
    # course/session_cookie.py keeps Flask's format: cookies from before a deploy stay valid, and back.
    from flask.sessions import SecureCookieSessionInterface

    ours, flasks = app.session_interface.get_signing_serializer(app), SecureCookieSessionInterface().get_signing_serializer(app)
    data = {"_user_id": "a token", "csrf_token": "0123abcd", "_flashes": [("info", "Saved.")]}
    assert flasks.loads(ours.dumps(data)) == data
    assert ours.loads(flasks.dumps(data)) == data
    tampered = ours.dumps(data)[:-2] + "xx"
    assert client.get("/learn", headers={"Cookie": f"session={tampered}"}).status_code == 302  # not logged in
    user = make_user()
    login(client, user.email)
    held = ours.loads(cookie(client))
    assert set(held) == {"_fresh", "_user_id", "csrf_token"}  # no browser fingerprint: protection is off


def test_a_cookie_checked_before_still_expires_and_each_request_gets_its_own_session(app, client, make_user, monkeypatch):
    # course/session_cookie.py checks a cookie's signature once per process and keeps what it holds.
    user = make_user()
    login(client, user.email)
    held = cookie(client)
    browser = app.test_client(use_cookies=False)
    sent = {"Cookie": f"session={held}"}
    assert browser.get("/learn", headers=sent).status_code == 200
    assert browser.get("/learn", headers=sent).status_code == 200  # the kept check
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(seconds=1))
    time.sleep(2.1)
    assert browser.get("/learn", headers=sent).status_code == 302  # too old, kept or not

    # A request that changes its session in place (a second flashed message appended to the
    # cookie's list) must not change what the next request with the same cookie starts from.
    anonymous = app.test_client()
    anonymous.get("/learn")  # "Please log in to see that page." is flashed into the cookie
    with_one_message = {"Cookie": f"session={cookie(anonymous)}"}
    assert browser.get("/healthz", headers=with_one_message).status_code == 200  # checked, and kept
    browser.get("/learn", headers=with_one_message)  # flashes it again, into its own copy
    page = browser.get("/login", headers=with_one_message).text
    assert page.count("Please log in to see that page.") == 1
