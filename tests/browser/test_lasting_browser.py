"""Practice, the refresher, its certificate and the reminder pages of the shipped course, in a real browser:
keyboard use, axe-core clean, no sideways scrolling at 360 px."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.browser.test_browser import axe_violations, log_in

pytestmark = pytest.mark.browser


def _answer_fields(questions) -> MultiDict:
    fields = MultiDict()
    for question in questions:
        if question.type == "order":
            for position, choice_id in enumerate(question.correct_answer, start=1):
                fields.add(f"q-{question.id}-{choice_id}", str(position))
        else:
            for choice_id in question.correct_answer:
                fields.add(f"q-{question.id}", choice_id)
    return fields


def _prepare(shipped, user_id: int) -> tuple[int, str, str]:
    """Pass the overdose module 100 days ago, slip once in the first module, pass a refresher; return
    (refresher result id, certificate code, unsubscribe token)."""
    from course import refreshers, reminders, response_certificates
    from course.loaded import get_course
    from course.builders import finish_lessons, pass_module, take_quiz
    from course.demo_lasting import _one_slip
    from course.extensions import db
    from course.models import QuizAttempt, User, utcnow

    with shipped.app_context():
        learner = db.session.get(User, user_id)
        course = get_course()
        overdose = refreshers.overdose_module(course)
        first = course.modules[0]
        pass_module(learner, overdose)
        finish_lessons(learner, first)
        take_quiz(learner, first, _one_slip(first), days_ago=0.1)
        db.session.execute(
            sa.update(QuizAttempt)
            .where(QuizAttempt.module_slug == overdose.slug)
            .values(submitted_at=utcnow() - timedelta(days=100))
        )
        db.session.commit()
        certificate = response_certificates.issue(learner, course)
        row = refreshers.open_refresher(user_id, overdose)
        graded, _ = refreshers.submit_refresher(
            overdose, row, _answer_fields(refreshers.layout_of(overdose, row).question_list)
        )
        db.session.execute(
            sa.update(type(graded))
            .where(type(graded).id == graded.id)
            .values(submitted_at=utcnow() - timedelta(days=95))
        )
        db.session.commit()
        return graded.id, certificate.code, reminders.unsubscribe_token(user_id)


def test_learning_that_lasts_pages_work_with_the_keyboard_and_pass_axe_at_360px(browser, real_course_server, make_user):
    shipped, base_url = real_course_server
    user = make_user()
    result_id, code, token = _prepare(shipped, user.id)
    context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        log_in(page, user.email)
        home = page.inner_text("main")
        assert "Your overdose refresher is due" in home and "Practise what you missed (1 question)" in home
        assert "Would you like reminders by email?" in home

        page.get_by_role("link", name=re.compile("Practise what you missed")).focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/learn/review$"))
        page.locator("fieldset.question input").first.focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Check my answer").focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", level=1, name=re.compile(r"^(Right|Not right yet)$")).wait_for()
        problems = []
        for path in (
            None,
            "/learn",
            "/learn/review",
            "/learn/refresher",
            f"/learn/refresher/{result_id}",
            "/learn/response-certificate",
            "/account",
            f"/reminders/unsubscribe/{token}",
            f"/verify/{code}",
        ):
            if path:
                assert page.goto(path).status == 200, path
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            violations = axe_violations(page)
            if violations or overflow > 0:
                problems.append((path or "practice feedback", violations, overflow))
        assert problems == []
        assert "It is not current" in page.inner_text("main")  # the refresher passed 95 days ago
    finally:
        context.close()
