"""Mail through a server that demands STARTTLS and a login (MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD)."""

import email
import email.policy
import shutil
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from course import mail
from tests.mailbox import free_port

if not shutil.which("openssl"):
    pytest.skip("openssl is needed to make the test's certificate", allow_module_level=True)


class StrictServer:
    """Accepts mail only after STARTTLS and a login as lantern / s3cret-pass."""

    def __init__(self):
        self.messages = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"lantern",
            b"s3cret-pass",
        )
        self.logins.append(ok)
        return AuthResult(success=ok)


@pytest.fixture
def strict_smtp(tmp_path, monkeypatch):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the app verifies the server's certificate: trust this one
    handler = StrictServer()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=handler.authenticate,
    )
    controller.start()
    yield handler, port
    controller.stop()


def test_a_reminder_goes_out_over_starttls_with_a_login(app, strict_smtp):
    handler, port = strict_smtp
    settings = {
        "MAIL_PORT": port,
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": "lantern",
        "MAIL_PASSWORD": "s3cret-pass",
        "MAIL_TIMEOUT": 3,
    }
    with app.test_request_context():
        saved = {name: app.config[name] for name in settings}
        app.config.update(settings)
        try:
            assert mail.send("someone@example.org", "A note from Lantern", "Hello.", kind="test")
            app.config["MAIL_PASSWORD"] = "wrong"
            errors = []
            assert not mail.send("someone@example.org", "A note from Lantern", "Hello.", kind="test", errors=errors)
            assert errors and errors[0].startswith("SMTP")  # refused, or cut off after the refusal
            app.config["MAIL_USE_TLS"] = False  # the server refuses to go on in the clear
            errors = []
            assert not mail.send("someone@example.org", "A note", "Hello.", kind="test", errors=errors) and errors
        finally:
            app.config.update(saved)
    assert [m["Subject"] for m in handler.messages] == ["A note from Lantern"]
    assert handler.logins[:2] == [True, False]
