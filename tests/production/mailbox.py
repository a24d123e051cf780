"""A real SMTP server (aiosmtpd) in this process that keeps every message it receives."""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s<>\"']+")


class Mailbox:
    """Collects the messages the app sends; tests wait for the one addressed to someone."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition(threading.RLock())
        self._controller: Controller | None = None
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def start(self, port: int) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=port)
        self._controller.start()
        self.port = port

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        """Return every message received so far for an address."""
        with self._arrived:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def matching(self, address: str, subject: str) -> list[EmailMessage]:
        """Return the messages received so far for an address with this subject."""
        with self._arrived:
            return [m for m in self.to(address) if m["Subject"] == subject]

    def wait_for(self, address: str, subject: str, timeout: float = 20, after: int = 0) -> EmailMessage:
        """Return the message to an address with this subject (the one after `after` earlier ones), waiting for it."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = self.matching(address, subject)
                if len(found) > after:
                    return found[after]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(str(m["To"]), m["Subject"]) for m in self.messages]
                    raise AssertionError(f"no mail {subject!r} to {address} within {timeout}s; received: {seen}")
                self._arrived.wait(remaining)


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the mail has no plain-text part"
    return part.get_content()


def links_in(message: EmailMessage) -> list[str]:
    """Return every http(s) link in a message's plain text."""
    return LINK.findall(body_of(message))
