"""Hostile bytes and sizes: a friendly 413 for a huge body, a clear 400 for control characters
(with the form kept), and logs that never carry an address, a password, a hash or a token."""

import logging

import pytest
import sqlalchemy as sa

from course.extensions import db
from course.models import User
from tests.conftest import PASSWORD, csrf_token


def test_a_huge_form_body_gets_a_friendly_413_and_is_not_echoed(client):
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024), "password": "p", "csrf_token": token})
    assert response.status_code == 413
    assert "That was too much to send" in response.text and "Nothing was saved" in response.text
    assert len(response.data) < 20_000 and "xxxxxxxxxx" not in response.text


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f"])
def test_control_characters_in_a_login_field_get_a_clear_400_with_the_form_kept(client, make_user, char):
    user = make_user()
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"email": user.email + char, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 400
    assert "Please remove the hidden control characters" in response.text
    assert f'value="{user.email}"' in response.text  # the rest of what was typed is kept
    assert client.get("/learn").status_code == 302


def test_a_nul_byte_in_the_display_name_changes_nothing(app, client, login_as):
    user = login_as(name="Sam")
    token = csrf_token(client.get("/account").text)
    response = client.post("/account/name", data={"display_name": "Sam\x00ie", "csrf_token": token})
    assert response.status_code == 400 and "Please remove the hidden control characters" in response.text
    with app.app_context():
        assert db.session.get(User, user.id).display_name == "Sam"


def test_a_nul_byte_in_a_query_string_is_a_400(client):
    assert client.get("/verify/abc?x=%00").status_code == 400


def test_no_log_line_carries_an_email_a_password_a_hash_or_a_token(app, client, make_user, mailbox, caplog):
    user = make_user(email="private.person@example.org")
    with app.app_context():
        stored_hash = db.session.get(User, user.id).password_hash
    with caplog.at_level(logging.DEBUG):
        token = csrf_token(client.get("/login").text)
        client.post("/login", data={"email": user.email, "password": "wrong secret words", "csrf_token": token})
        client.post("/login", data={"email": "nobody.here@example.org", "password": "other secret", "csrf_token": token})
        page = client.get("/register")
        client.post("/register", data={"email": "new.person@example.org", "display_name": "N", "password": "fresh long password",
                                       "confirm": "fresh long password", "csrf_token": csrf_token(page.text)})
        page = client.get("/reset")
        client.post("/reset", data={"email": user.email, "csrf_token": csrf_token(page.text)})
        # A database error with bound values: a duplicate email straight into the table.
        with app.app_context():
            db.session.add(User(email=user.email, display_name="dup", password_hash=stored_hash))
            with pytest.raises(sa.exc.IntegrityError) as raised:
                db.session.commit()
            logging.getLogger("course").exception("database error", exc_info=raised.value)
            db.session.rollback()
    # Everything the app and its libraries logged (the test's own SMTP server, mail.log, is not ours).
    text = "\n".join(caplog.handler.format(record) for record in caplog.records if not record.name.startswith("mail.log"))
    assert "@example.org" not in text
    for secret in ("wrong secret words", "other secret", "fresh long password", stored_hash, "/reset/", "/register/confirm/"):
        assert secret not in text
    assert "event=login_failed" in text
    assert "IntegrityError" in text  # the traceback was logged, only without the value
