"""Every page of the shipped course, in a real browser: axe-core clean and readable on a 360-px phone."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_browser import axe_violations, log_in

pytestmark = pytest.mark.browser


def test_every_shipped_lesson_quiz_and_handout_passes_axe_at_360px(browser, real_course_server, make_user):
    shipped, base_url = real_course_server
    from course.loaded import get_course
    from course.builders import pass_module
    from course.extensions import db
    from course.models import User

    user = make_user()
    with shipped.app_context():
        learner = db.session.get(User, user.id)
        course = get_course()
        for module in course.modules:
            pass_module(learner, module)
        db.session.commit()
        paths = ["/emergency", "/about", "/learn"]
        for module in course.modules:
            paths += [f"/learn/{module.slug}", f"/learn/{module.slug}/quiz", f"/learn/{module.slug}/handout"]
            paths += [f"/learn/{module.slug}/{lesson.slug}" for lesson in module.lessons]

    context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        log_in(page, user.email)
        problems = []
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, path
            violations = axe_violations(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if violations or overflow > 0:
                problems.append((path, violations, overflow))
        assert problems == []
        # The printed handout leaves the navigation out and ends with the sources.
        page.goto(f"/learn/{course.modules[2].slug}/handout")
        page.emulate_media(media="print")
        assert not page.locator(".site-header").is_visible()
        assert re.search(r"Sources", page.inner_text("main"))
    finally:
        context.close()


def test_the_emergency_page_prints_on_one_page(browser, real_course_server):
    _, base_url = real_course_server
    page = browser.new_page(base_url=base_url)
    try:
        page.goto("/emergency")
        for paper in ("Letter", "A4"):
            pdf = page.pdf(format=paper)
            assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, paper
    finally:
        page.close()
