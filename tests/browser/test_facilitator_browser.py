"""The facilitator's and admin's side in a real browser: the invite-link journey, axe-core, a 360-px phone."""

from __future__ import annotations

import re

import pytest

from course.models import Role
from tests.browser.test_browser import axe_violations, log_in
from tests.mailbox import link_in
from tests.group_builders import add_member, make_group, pass_module, quick_user, take_quiz

pytestmark = pytest.mark.browser


def test_a_family_joins_through_the_invite_link_and_the_facilitator_sees_them(app, page, browser, live_server, mailbox):
    facilitator = quick_user(app, Role.FACILITATOR, name="Robin")
    group = make_group(app, facilitator, name="Tuesday family group")

    # A parent opens the link with no account: register, then land back on the join page.
    page.goto(f"/join/{group.invite_code}")
    page.wait_for_url(re.compile(r"/register\?next="))
    page.get_by_label("Email address").fill("new.parent@example.org")
    page.get_by_label("Display name").fill("New parent")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Type the password again").fill("a long enough password")
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    page.goto(link_in(mailbox.last_to("new.parent@example.org"), "/register/confirm/"))
    page.wait_for_url(re.compile(rf"/join/{group.invite_code}$"))
    assert "Your email address only if you tick the box below" in page.inner_text("main")
    page.get_by_role("button", name=re.compile("Join")).click()
    page.wait_for_url(re.compile(r"/learn|/account"))

    # The facilitator sees the new family by display name, and not their email.
    other = browser.new_context(base_url=live_server)
    facilitator_page = other.new_page()
    try:
        log_in(facilitator_page, facilitator.email)
        facilitator_page.goto(f"/facilitator/groups/{group.id}")
        main = facilitator_page.inner_text("main")
        assert "New parent" in main
        assert "new.parent@example.org" not in facilitator_page.content()
    finally:
        other.close()


def test_facilitator_and_admin_pages_pass_axe_and_fit_a_360px_phone(app, page):
    facilitator = quick_user(app, Role.FACILITATOR, name="Robin")
    admin = quick_user(app, Role.ADMIN, name="Ada")
    group = make_group(app, facilitator, name="Tuesday family group")
    learners = [quick_user(app, name=name) for name in ("Maria G.", "Kwame", "Lee", "=HYPERLINK(\"x\")")]
    for learner in learners:
        add_member(app, group, learner, joined_days_ago=30)
    pass_module(app, learners[0], "first-steps", days_ago=3)
    pass_module(app, learners[1], "first-steps", days_ago=5)
    take_quiz(app, learners[1], "staying-safe", wrong=("response-order",), days_ago=2)

    facilitator_pages = [
        "/facilitator/groups",
        f"/facilitator/groups/{group.id}",
        f"/facilitator/groups/{group.id}?sort=activity",
        f"/facilitator/groups/{group.id}/check-ins",
        f"/facilitator/groups/{group.id}/questions",
        f"/facilitator/groups/{group.id}/learners/{learners[1].id}",
        f"/facilitator/groups/{group.id}/settings",
    ]
    admin_pages = ["/admin/users", f"/admin/users/{learners[0].id}", "/admin/groups"]
    problems = []
    for email, paths in ((facilitator.email, facilitator_pages), (admin.email, admin_pages)):
        page.context.clear_cookies()
        log_in(page, email)
        for path in paths:
            for width in (1024, 360):
                page.set_viewport_size({"width": width, "height": 800})
                response = page.goto(path)
                assert response.status == 200, path
                violations = axe_violations(page) if width == 1024 else []
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if violations or overflow > 0:
                    problems.append((path, width, violations, overflow))
    assert problems == []
