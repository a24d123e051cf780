"""The knowledge check and the outcomes pages in a real browser: keyboard only, axe-core, a 360-px phone, the CSP."""

from __future__ import annotations

import re

import pytest

from course.models import Role
from tests.browser.test_browser import axe_violations, log_in
from tests.group_builders import quick_user
from tests.test_outcomes import group_with_results

pytestmark = pytest.mark.browser


def test_a_learner_takes_the_knowledge_check_with_the_keyboard_only(app, page):
    learner = quick_user(app, name="Maria")
    log_in(page, learner.email)
    page.goto("/learn")
    page.get_by_role("link", name="Take the knowledge check").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/learn/knowledge-check$"))
    answered: set[str] = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; return [e.tagName, e.type || '', e.name || '', e.textContent.trim()]; })()"
        )
        tag, kind, name, text = focused
        if tag == "INPUT" and kind in ("radio", "checkbox") and name not in answered:
            page.keyboard.press("Space")  # the first option: right or wrong, it is the keyboard that is tested
            answered.add(name)
        elif tag == "BUTTON" and text == "See my score":
            page.keyboard.press("Enter")
            break
    page.wait_for_url(re.compile(r"/learn/knowledge-check/before$"))
    main = page.inner_text("main")
    assert re.search(r"\d of 4 right \(\d+%\)", main), main
    assert "How sure are you that you could give naloxone? 1 – Not at all sure" in main
    assert {"confidence_overdose", "confidence_naloxone", "confidence_support"} <= answered
    assert axe_violations(page) == []


def test_check_and_outcomes_pages_pass_axe_fit_a_phone_and_break_no_csp_rule(app, page):
    facilitator, group = group_with_results(app)
    admin = quick_user(app, Role.ADMIN, name="Ada")
    learner = quick_user(app, name="Sam")
    csp_errors: list[str] = []
    page.on("console", lambda message: csp_errors.append(message.text) if "Content Security Policy" in message.text else None)
    problems = []
    for email, paths in (
        (learner.email, ["/learn", "/learn/knowledge-check"]),
        (facilitator.email, [f"/facilitator/groups/{group.id}/outcomes"]),
        (admin.email, ["/admin/outcomes", f"/facilitator/groups/{group.id}/outcomes"]),
    ):
        page.context.clear_cookies()
        log_in(page, email)
        for path in paths:
            for width in (1024, 360):
                page.set_viewport_size({"width": width, "height": 800})
                assert page.goto(path).status == 200, path
                violations = axe_violations(page) if width == 1024 else []
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if violations or overflow > 0:
                    problems.append((path, width, violations, overflow))
    assert problems == []
    assert csp_errors == []
