"""Admins invite facilitators and admins by email; the clinic's name, contact, logo and accent
colour; scripts/demo serves where it says. Real HTTP on a real database."""

import hashlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from course import config, user_admin
from course.certificates import Organisation, certificate_pdf
from course.extensions import db
from course.models import Role, StaffInvite, User, utcnow
from course.views.branding import accent_css
from tests.conftest import PASSWORD, csrf_token
from tests.group_builders import quick_user, text_of

PROJECT = Path(__file__).resolve().parent.parent


def invite_from_the_mailbox(mailbox, address: str) -> tuple[str, str]:
    """Return (recipient, link) of the invitation the test's SMTP server received."""
    message = mailbox.last_to(address)
    link = re.search(r"(\S+/welcome/\S+)", message.get_body(preferencelist=("plain",)).get_content()).group(1)
    return message["To"], link


def send_invite(client, email: str, role: str = "facilitator"):
    token = csrf_token(client.get("/admin/invites").text)
    return client.post("/admin/invites", data={"email": email, "role": role, "csrf_token": token})


def accept(client, path: str, name: str = "Jo Counsellor", password: str = "a long new password"):
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"display_name": name, "password": password, "confirm": password, "csrf_token": csrf_token(page.text)})


@pytest.fixture
def admin(app, auth):
    user = quick_user(app, Role.ADMIN, "Site admin", email="admin@example.org")
    auth.login(user.email)
    return user


def test_an_invited_facilitator_sets_their_name_and_password_once(app, client, auth, admin, mailbox):
    response = send_invite(client, " Jo@Clinic.example ")
    assert response.status_code == 302
    assert "The invitation is on its way to jo@clinic.example" in text_of(client.get("/admin/invites").text)
    to, link = invite_from_the_mailbox(mailbox, "jo@clinic.example")
    assert to == "jo@clinic.example" and "/welcome/" in link
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        invite = db.session.scalar(sa.select(StaffInvite))
        # Only a hash of the token is stored.
        assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in invite.token_hash
        assert invite.expires_at - invite.created_at == timedelta(days=7)
    assert "jo@clinic.example · facilitator" in text_of(client.get("/admin/invites").text)
    auth.logout()

    path = "/welcome/" + token
    assert "You were invited to Lantern as a facilitator" in text_of(client.get(path).text)
    too_short = accept(client, path, password="short")
    assert too_short.status_code == 400 and "Use at least 10 characters." in too_short.text
    response = accept(client, path)
    assert response.status_code == 302 and response.location == "/facilitator/groups"
    assert "Welcome, Jo Counsellor." in text_of(client.get("/facilitator/groups").text)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "jo@clinic.example"))
        assert (user.role, user.display_name) == (Role.FACILITATOR, "Jo Counsellor")
    auth.logout()
    # Single use: the same link now says it does not work, and makes nothing.
    again = client.get(path)
    assert again.status_code == 404 and "This link does not work" in text_of(again.text)
    assert auth.login("jo@clinic.example", "a long new password").status_code == 302


def test_an_expired_or_wrong_link_does_not_work(app, client, auth, admin):
    with app.app_context():
        token = user_admin.invite_staff(None, "late@example.org", Role.ADMIN, utcnow() - timedelta(days=8))
    auth.logout()
    for path in ("/welcome/" + token, "/welcome/not-a-token", "/welcome/" + "x" * 500):
        response = accept(client, path)
        assert response.status_code == 404 and "This link does not work" in text_of(response.text)
    assert client.get("/welcome/%00").status_code == 400  # a NUL byte in any URL
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "late@example.org")) is None


def test_a_new_invitation_replaces_the_old_one(app, admin):
    with app.app_context():
        first = user_admin.invite_staff(None, "twice@example.org", Role.FACILITATOR, utcnow())
        second = user_admin.invite_staff(None, "twice@example.org", Role.ADMIN, utcnow())
        assert user_admin.valid_invite(first, utcnow()) is None
        assert user_admin.valid_invite(second, utcnow()).role == Role.ADMIN


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [("admin@example.org", "facilitator", "already has an account"), ("new@example.org", "learner", "Not a valid choice."),
     ("not an email", "admin", "Please check the email address.")],
)
def test_bad_invitations_are_refused_and_save_nothing(app, client, admin, email, role, message):
    response = send_invite(client, email, role)
    assert response.status_code == 400 and message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffInvite)) == 0


@pytest.mark.parametrize("role", ["anonymous", Role.LEARNER, Role.FACILITATOR])
def test_only_admins_can_invite(app, client, auth, role):
    if role != "anonymous":
        auth.login(quick_user(app, role).email)
    page = client.get("/account" if role != "anonymous" else "/login")
    response = client.post("/admin/invites", data={"email": "x@example.org", "role": "admin", "csrf_token": csrf_token(page.text)})
    assert response.status_code in (302, 404) and (role != "anonymous" or response.location.startswith("/login"))
    assert client.get("/admin/invites").status_code in (302, 404)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffInvite)) == 0


def test_a_logged_in_person_cannot_use_someone_elses_invitation(app, client, admin):
    with app.app_context():
        token = user_admin.invite_staff(None, "someone@example.org", Role.FACILITATOR, utcnow())
    assert client.get("/welcome/" + token).status_code == 404


def test_the_command_line_keeps_working(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "cli@example.org", "--password", PASSWORD, "--role", "admin", "--name", "CLI"])
    assert result.exit_code == 0
    assert runner.invoke(args=["users", "role", "cli@example.org", "facilitator"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(User.role).where(User.email == "cli@example.org")) == Role.FACILITATOR


# --- the clinic's identity ----------------------------------------------------------------------


def test_without_a_clinic_the_pages_still_read_well(client):
    for path in ("/", "/about"):
        words = text_of(client.get(path).text)
        assert "Offered by" not in words and "Who runs this site" not in words and "None" not in words
    assert client.get("/brand/logo").status_code == 404
    assert client.get("/brand/accent.css").status_code == 404


def test_the_clinics_name_contact_logo_and_colour(app, client, tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>')
    app.config.update(ORG_NAME="Riverside Family Clinic", ORG_CONTACT="(555) 010-2000, family@riverside.example",
                      ORG_LOGO=str(logo), ORG_ACCENT="#6a1b9a")
    try:
        landing, about = client.get("/"), client.get("/about")
        assert "Offered by Riverside Family Clinic" in text_of(landing.text)
        assert "To reach us: (555) 010-2000, family@riverside.example" in text_of(landing.text)
        assert "This site is run by Riverside Family Clinic." in text_of(about.text)
        for page in (landing, about):
            assert '<img class="org-logo" src="/brand/logo" alt="Riverside Family Clinic">' in page.text
            assert '<link rel="stylesheet" href="/brand/accent.css">' in page.text
        with client.get("/brand/logo") as served:
            assert served.status_code == 200 and served.mimetype == "image/svg+xml" and b"<rect" in served.data
            assert served.headers["Content-Security-Policy"].startswith("default-src 'none'")
        css = client.get("/brand/accent.css")
        assert css.mimetype == "text/css" and "--brand: #6a1b9a;" in css.text
    finally:
        app.config.update(ORG_NAME="", ORG_CONTACT="", ORG_LOGO="", ORG_ACCENT="")


def test_the_certificate_names_the_clinic():
    pdf = certificate_pdf("Ana", "November 23, 2026", "ABCD-EFGH-JKLM", "http://x/verify/ABCD", ["One"],
                          Organisation("Riverside Family Clinic", "(555) 010-2000"))
    assert pdf.startswith(b"%PDF") and b"/Author (Riverside Family Clinic)" in pdf
    assert b"/Author (Lantern)" in certificate_pdf("Ana", "November 23, 2026", "ABCD", "http://x/v", ["One"])


def test_the_overdose_response_certificate_names_the_clinic_too():
    from course.response_certificates import response_pdf

    clinic = Organisation("Riverside Family Clinic", "(555) 010-2000")
    pdf = response_pdf("Ana", "Overdose", "November 23, 2026", "February 21, 2027", "ABCD", "http://x/v", clinic)
    assert pdf.startswith(b"%PDF") and b"/Author (Riverside Family Clinic)" in pdf
    assert b"/Author (Lantern)" in response_pdf("Ana", "Overdose", "November 23, 2026", "February 21, 2027", "ABCD", "http://x/v")


def test_the_accent_colour_and_logo_settings_are_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("LANTERN_ORG_ACCENT", "#0B5394")
    assert config.org_accent() == "#0b5394"
    monkeypatch.setenv("LANTERN_ORG_ACCENT", "#333")
    assert config.org_accent() == "#333333"
    for bad, message in (("blue", "must be a colour like"), ("#ffff00", "too light")):
        monkeypatch.setenv("LANTERN_ORG_ACCENT", bad)
        with pytest.raises(config.ConfigError, match=message):
            config.org_accent()
    monkeypatch.setenv("LANTERN_ORG_LOGO", str(tmp_path / "missing.png"))
    with pytest.raises(config.ConfigError, match="does not exist"):
        config.org_logo()
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    monkeypatch.setenv("LANTERN_ORG_LOGO", str(tmp_path / "logo.gif"))
    with pytest.raises(config.ConfigError, match=".png, .jpg, .svg or .webp"):
        config.org_logo()
    assert accent_css("#6a1b9a") == ":root { --brand: #6a1b9a; --brand-dark: #4a126b; }\n"


# --- scripts/demo -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_demo_script_prints_the_address_it_really_serves(tmp_path):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "LANTERN_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": ""}
    env.pop("LANTERN_BASE_URL", None)
    process = subprocess.Popen(["bash", "scripts/demo"], cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline, printed = time.monotonic() + 240, ""
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            printed += line
            if line.startswith("Serving Lantern at"):
                break
        address = re.search(r"Serving Lantern at (\S+)", printed).group(1)
        assert address == f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(address + "/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"nothing answers at {address}")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        process.stdout.close()
