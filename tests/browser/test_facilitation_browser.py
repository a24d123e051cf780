"""Issue 10 in a real Chromium: the matrix of the shipped course fits 1280 px and keeps its
names column on a 360-px phone; the copy button; recording a contact; axe-core on the new pages."""

from __future__ import annotations

import re

import pytest

from course import builders
from course.extensions import db
from course.models import Role
from tests.browser.test_browser import axe_violations, log_in
from tests.group_builders import add_member, make_group, quick_user

pytestmark = pytest.mark.browser


@pytest.fixture
def shipped_group(app, real_course_server):
    """A group of twelve on the shipped course (seven modules), some far along, some stuck."""
    shipped, base_url = real_course_server
    facilitator = quick_user(app, Role.FACILITATOR, name="Robin")
    group = make_group(app, facilitator, name="Tuesday family group")
    course = shipped.extensions["lantern_course"]
    with app.app_context():
        for number in range(12):
            learner = quick_user(app, name=f"Maria Fernanda Gonzalez {number}")
            add_member(app, group, learner, joined_days_ago=30)
            # The widest cells: modules passed, then a quiz not passed yet after two tries.
            for index, module in enumerate(course.modules[: number % 7 + 1]):
                if index < number % 7:
                    builders.pass_module(learner, module)
                else:
                    builders.finish_lessons(learner, module)
                    every_answer_wrong = builders.right_answers(module, wrong=tuple(q.id for q in module.quiz.questions))
                    for _ in range(2):
                        builders.take_quiz(learner, module, every_answer_wrong)
            db.session.commit()  # before the next quick_user writes from its own app context
    return facilitator, group, base_url, course


def matrix_geometry(page) -> dict:
    return page.evaluate(
        """() => {
        const box = document.querySelector('.table-scroll');
        const name = document.querySelector('.matrix tbody th[scope=row]');
        return {scroll: box.scrollWidth, client: box.clientWidth, page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                boxLeft: box.getBoundingClientRect().left, nameLeft: name.getBoundingClientRect().left};
    }"""
    )


def test_the_matrix_fits_1280px_and_keeps_the_names_on_a_phone(browser, shipped_group):
    facilitator, group, base_url, course = shipped_group
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        log_in(page, facilitator.email)
        page.goto(f"/facilitator/groups/{group.id}")
        assert len(course.modules) >= 11  # the whole shipped course, every module a column
        wide = matrix_geometry(page)
        assert wide["scroll"] <= wide["client"] and wide["page"] <= 0, wide
        # Abbreviated headings, with the full name available.
        first = course.modules[0]
        assert page.locator(f'.matrix abbr[title="1. {first.title}"]').inner_text() == "M1"

        page.set_viewport_size({"width": 360, "height": 800})
        page.goto(f"/facilitator/groups/{group.id}")
        phone = matrix_geometry(page)
        assert phone["scroll"] > phone["client"] and phone["page"] <= 0, phone
        page.evaluate("document.querySelector('.table-scroll').scrollLeft = 400")
        scrolled = matrix_geometry(page)
        # position: sticky: the names column stays at the left edge while the modules scroll.
        assert abs(scrolled["nameLeft"] - scrolled["boxLeft"]) <= 1.5, scrolled
        assert page.evaluate("getComputedStyle(document.querySelector('.matrix tbody th')).position") == "sticky"
    finally:
        context.close()


def test_the_copy_button_copies_the_join_link_and_is_hidden_without_javascript(app, browser, live_server):
    facilitator = quick_user(app, Role.FACILITATOR, name="Robin")
    group = make_group(app, facilitator, name="Tuesday family group")
    context = browser.new_context(base_url=live_server, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        log_in(page, facilitator.email)
        page.goto(f"/facilitator/groups/{group.id}/settings")
        button = page.get_by_role("button", name="Copy the link")
        button.focus()
        page.keyboard.press("Enter")
        page.get_by_text("Copied. Paste it into a message to the families.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == f"{live_server}/join/{group.invite_code}"
    finally:
        context.close()
    plain = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = plain.new_page()
    try:
        log_in(page, facilitator.email)
        page.goto(f"/facilitator/groups/{group.id}/settings")
        assert not page.get_by_role("button", name="Copy the link").is_visible()
        assert page.locator("#join-link").inner_text() == f"{live_server}/join/{group.invite_code}"
    finally:
        plain.close()


def test_a_facilitator_records_a_contact_from_the_check_in_list(app, page):
    facilitator = quick_user(app, Role.FACILITATOR, name="Robin")
    group = make_group(app, facilitator, name="Tuesday family group")
    quiet = quick_user(app, name="Lee")
    add_member(app, group, quiet, joined_days_ago=30)
    log_in(page, facilitator.email)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"/facilitator/groups/{group.id}/check-ins")
    page.get_by_text("Record a contact or snooze").click()
    page.get_by_label("Private note (optional)").fill("Left a voicemail.")
    page.get_by_role("button", name="Record the contact").click()
    page.wait_for_url(re.compile(rf"/facilitator/groups/{group.id}/check-ins$"))
    assert "Saved: you contacted Lee on" in page.inner_text("main")
    assert re.search(r"last contacted \w+ \d+, \d{4}", page.inner_text("main"))
    page.goto(f"/facilitator/groups/{group.id}/learners/{quiet.id}")
    assert "by Robin: Left a voicemail." in page.inner_text("main")


def test_the_new_pages_pass_axe_and_fit_a_360px_phone(app, page):
    admin = quick_user(app, Role.ADMIN, name="Ada")
    group = make_group(app, admin, name="Tuesday family group")
    learner = quick_user(app, name="Kwame")
    add_member(app, group, learner, joined_days_ago=30)
    log_in(page, admin.email)
    problems = []
    for path in (
        f"/facilitator/groups/{group.id}/questions?module=first-steps",
        f"/facilitator/groups/{group.id}/invite-sheet",
        f"/facilitator/groups/{group.id}/check-ins",
        f"/facilitator/groups/{group.id}/learners/{learner.id}",
        f"/facilitator/groups/{group.id}/settings",
        "/admin/invites",
    ):
        for width in (1024, 360):
            page.set_viewport_size({"width": width, "height": 800})
            assert page.goto(path).status == 200, path
            if width == 360 and "check-ins" in path:
                page.get_by_text("Record a contact or snooze").click()
            violations = axe_violations(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if violations or overflow > 0:
                problems.append((path, width, violations, overflow))
    assert problems == []
