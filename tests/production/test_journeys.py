"""Real journeys in Chromium over HTTPS, through nginx, two gunicorn processes, PostgreSQL, Redis and a mail server."""

from __future__ import annotations

import re

import pytest

from tests.production.answers import COURSE
from tests.production.mailbox import links_in
from tests.production.people import (
    ALREADY_REGISTERED_SUBJECT,
    PASSPHRASE,
    RESET_SUBJECT,
    answer_quiz_rightly,
    confirm_registration,
    link_from_mail,
    log_in,
    register,
)
from tests.production.stack import PASSWORDS

pytestmark = pytest.mark.browser


def test_a_new_family_member_registers_by_mail_takes_the_first_module_and_logs_out(stack, new_context):
    context = new_context()
    page = context.new_page()
    email = "river.parent@example.org"

    page.goto("/register")
    register(page, email, "River's mum")
    said_to_new = page.inner_text("main")
    assert "Check your email" in said_to_new
    assert stack.scalar("SELECT count(*) FROM users WHERE email = %s", email) == 0  # not before the mail is opened

    # Someone types an address that already has an account: the same page, and a warning to its owner.
    page.goto("/register")
    register(page, "learner@demo.lantern", "Somebody else")
    assert page.inner_text("main").replace("learner@demo.lantern", email) == said_to_new
    warning = stack.mailbox.wait_for("learner@demo.lantern", ALREADY_REGISTERED_SUBJECT)
    assert not [link for link in links_in(warning) if "/register/confirm/" in link]
    assert stack.scalar("SELECT display_name FROM users WHERE email = 'learner@demo.lantern'") != "Somebody else"

    confirm_registration(page, stack.mailbox, stack.base_url, email)
    assert page.url == stack.base_url + "/learn"
    user_id, name = stack.query("SELECT id, display_name FROM users WHERE email = %s", email)[0]
    assert name == "River's mum"

    module = COURSE.modules[0]
    page.goto(f"/learn/{module.slug}/{module.lessons[0].slug}")
    for lesson in module.lessons:
        assert page.get_by_role("heading", level=1).inner_text() == lesson.title
        page.get_by_role("button", name=re.compile("Mark complete and continue")).click()
        page.wait_for_load_state()
    page.wait_for_url(re.compile(rf"/learn/{module.slug}/quiz$"))
    answer_quiz_rightly(page, module)
    page.wait_for_url(re.compile(rf"/learn/{module.slug}/quiz/attempts/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Your result: 100%"
    assert "You passed." in page.inner_text("main")
    completed = stack.query(
        "SELECT lesson_slug FROM lesson_progress WHERE user_id = %s AND completed_at IS NOT NULL ORDER BY lesson_slug", user_id
    )
    assert [row[0] for row in completed] == sorted(lesson.slug for lesson in module.lessons)
    assert stack.query("SELECT module_slug, score, passed FROM quiz_attempts WHERE user_id = %s", user_id) == [
        (module.slug, 100, True)
    ]

    copied = context.cookies()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert "You are logged out" in page.inner_text("main")
    # Someone who copied the cookie before the logout (a shared computer) gets nothing with it.
    replay = new_context(cookies=copied).new_page()
    replay.goto("/learn")
    assert re.search(r"/login(\?|$)", replay.url), replay.url
    assert "River's mum" not in replay.content()


def test_a_facilitator_starts_a_group_and_sees_the_family_who_joined_by_its_link(stack, new_context):
    facilitator = new_context().new_page()
    log_in(facilitator, "facilitator@demo.lantern", PASSWORDS["facilitator@demo.lantern"])
    facilitator.goto("/facilitator/groups")
    facilitator.get_by_label("Group name").fill("Thursday evening families")
    facilitator.get_by_role("button", name="Start the group").click()
    facilitator.wait_for_url(re.compile(r"/facilitator/groups/\d+$"))
    group_page = facilitator.url
    facilitator.get_by_role("link", name="invite page").click()
    join_link = facilitator.locator("#join-link").inner_text().strip()
    assert join_link.startswith(stack.base_url + "/join/")

    family = new_context().new_page()
    family.goto(join_link)
    family.wait_for_url(re.compile(r"/register\?next="))
    register(family, "thursday.sister@example.org", "Ana (sister)")
    assert "Check your email" in family.inner_text("main")
    confirm_registration(family, stack.mailbox, stack.base_url, "thursday.sister@example.org")
    assert family.url == join_link  # back where the link led, now with an account
    family.get_by_role("button", name="Join the group").click()
    family.wait_for_load_state()

    assert stack.query(
        "SELECT g.name FROM memberships m JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id"
        " WHERE u.email = 'thursday.sister@example.org'"
    ) == [("Thursday evening families",)]
    facilitator.goto(group_page)
    assert "Ana (sister)" in facilitator.inner_text("main")
    assert "thursday.sister@example.org" not in facilitator.content()  # she did not tick "share my email"


def test_a_forgotten_password_is_reset_through_the_link_in_the_mail(stack, page):
    before = stack.scalar("SELECT password_hash FROM users WHERE email = 'learner@demo.lantern'")
    page.goto("/reset")
    page.get_by_label("Email address").fill("learner@demo.lantern")
    page.get_by_role("button", name="Send me a reset link").click()
    page.wait_for_load_state()
    assert "If that address has an account" in page.inner_text("main")

    link = link_from_mail(stack.mailbox, "learner@demo.lantern", RESET_SUBJECT, stack.base_url + "/reset/")
    page.goto(link)
    new_password = "morning tide carries " + PASSPHRASE
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Type the new password again").fill(new_password)
    page.get_by_role("button", name="Save my new password").click()
    page.wait_for_url(re.compile(r"/login"))
    assert stack.scalar("SELECT password_hash FROM users WHERE email = 'learner@demo.lantern'") != before

    log_in(page, "learner@demo.lantern", new_password)
    assert page.get_by_role("heading", level=1).count() == 1
    page.goto(link)  # the link works once
    assert not page.get_by_label("New password", exact=True).count()
