"""Mail: links built from LANTERN_BASE_URL, and messages sent through MAIL_SERVER.

Every message is plain text with a neutral sender and subject: someone else may read
the inbox. Sending never raises into a page: a mail server that is down is logged
(without the address) and reported as False, and the caller decides what to say.
Without MAIL_SERVER, development writes each message to instance/outbox/ (so a newcomer
can follow a link) and production drops it with a log line that names only its kind.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from urllib.parse import urljoin

from flask import current_app, url_for

log = logging.getLogger(__name__)


def external_url(endpoint: str, **values) -> str:
    """Return an absolute URL on LANTERN_BASE_URL, never on the request's Host header."""
    base = current_app.config["BASE_URL"]
    path = url_for(endpoint, _external=False, **values)
    if not base:  # development without a base URL: the request's own address
        return url_for(endpoint, _external=True, **values)
    return urljoin(base.rstrip("/") + "/", path.lstrip("/"))


def sender_name() -> str:
    return current_app.config["ORG_NAME"] or "Lantern"


def build_message(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = formataddr((sender_name(), config["MAIL_FROM"]))
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or "localhost")
    for name, value in (headers or {}).items():
        message[name] = value
    contact = config["ORG_CONTACT"]
    footer = f"\n\n--\n{sender_name()}" + (f"\n{contact}" if contact else "")
    message.set_content(body + footer)
    return message


def send(
    to: str, subject: str, body: str, kind: str, headers: dict[str, str] | None = None, errors: list[str] | None = None
) -> bool:
    """Send one message; return whether it left (or was written to the development outbox).

    `errors`, when given, receives the class name of what went wrong (for an outbox to record).
    """
    config = current_app.config
    message = build_message(to, subject, body, headers)
    if not config["MAIL_SERVER"]:
        if config["LANTERN_ENV"] == "production":
            log.warning("mail not sent kind=%s reason=no-MAIL_SERVER", kind)
            if errors is not None:
                errors.append("NoMailServer")
            return False
        return _write_to_outbox(message, kind)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        # The address stays out of the log; the error's class says enough to act on.
        log.warning("mail not sent kind=%s error=%s", kind, type(error).__name__)
        if errors is not None:
            errors.append(type(error).__name__)
        return False
    log.info("mail sent kind=%s", kind)
    return True


def _write_to_outbox(message: EmailMessage, kind: str) -> bool:
    outbox = Path(current_app.instance_path) / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_") + ".eml"
    path = outbox / name
    path.write_bytes(bytes(message))
    path.chmod(0o600)
    log.info("mail written to the development outbox kind=%s file=%s", kind, path.name)
    return True
