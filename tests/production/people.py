"""What a person does in the browser, step by step, and what they read in their mail."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from course.content import Module
from tests.production.answers import asked_questions, right_answers
from tests.production.mailbox import Mailbox, links_in
# Long and uncommon, as the password rules ask.
PASSPHRASE = "lanterns glow over quiet harbours"
CONFIRM_SUBJECT = "Confirm your email address"
ALREADY_REGISTERED_SUBJECT = "Someone tried to create an account with your email address"
RESET_SUBJECT = "Reset your password"


def register(page: Page, email: str, name: str, password: str = PASSPHRASE) -> None:
    """Fill in and send the registration form on the page that is open."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Type the password again").fill(password)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state()


def log_in(page: Page, email: str, password: str, remember: bool = False) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    if remember:
        page.get_by_label("Keep me logged in on this device").check()
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)  # each role lands on its own home


def link_from_mail(mailbox: Mailbox, address: str, subject: str, starts_with: str) -> str:
    """Return the one link in the mail that starts as expected (the site's own address and path)."""
    links = [link for link in links_in(mailbox.wait_for(address, subject)) if link.startswith(starts_with)]
    assert len(links) == 1, f"expected one link starting {starts_with} in {subject!r}, found {links}"
    return links[0]


def confirm_registration(page: Page, mailbox: Mailbox, base_url: str, email: str) -> None:
    """Open the confirmation link from the mail in the same browser."""
    page.goto(link_from_mail(mailbox, email, CONFIRM_SUBJECT, f"{base_url}/register/confirm/"))
    page.wait_for_load_state()


def answer_quiz_rightly(page: Page, module: Module) -> None:
    """Answer every question the quiz page shows, as a person who read the lessons would, and send it."""
    for control, name, value in right_answers(module, asked_questions(page.content())):
        if control == "select":
            page.select_option(f'select[name="{name}"]', value)
        else:
            page.check(f'input[name="{name}"][value="{value}"]')
    page.get_by_role("button", name="Check my answers").click()
