"""The course in a real browser: keyboard only, a 360-px phone, axe-core, quick exit, no outside requests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.mailbox import link_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

AXE = Axe()


def axe_violations(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)  # each role lands on its own home


def test_a_family_member_uses_the_course_with_the_keyboard_only(page, mailbox):
    page.goto("/register")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.get_by_label("Email address").focus()
    page.keyboard.type("keyboard.parent@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("Keyboard parent")
    page.keyboard.press("Tab")
    page.keyboard.type("a long enough password")
    page.keyboard.press("Tab")
    page.keyboard.type("a long enough password")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your email").wait_for()
    page.goto(link_in(mailbox.last_to("keyboard.parent@example.org"), "/register/confirm/"))
    page.wait_for_url(re.compile(r"/learn$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Keyboard parent"

    page.get_by_role("link", name=re.compile("Start the course")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/learn/first-steps/hello$"))
    for expected in (r"/learn/first-steps/second$", r"/learn/first-steps/quiz$"):
        page.get_by_role("button", name=re.compile("Mark complete and continue")).focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(expected))

    # Radios with Space, checkboxes with Space, the submit button with Enter.
    page.get_by_label("A health problem that can be treated.").focus()
    page.keyboard.press("Space")
    for label in ("Treatment", "Support from family"):
        page.get_by_label(label, exact=True).focus()
        page.keyboard.press("Space")
    page.locator('input[name="q-call-911"][value="true"]').focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Check my answers").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/quiz/attempts/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Your result: 100%"
    assert "You passed." in page.inner_text("main")


def _open_staying_safe_quiz(page, app, make_user):
    user = make_user()
    _finish_module_one_in_db(app, user.id)
    log_in(page, user.email)
    page.goto("/learn/staying-safe/steps")
    page.get_by_role("button", name=re.compile("Mark complete")).click()
    page.wait_for_url(re.compile(r"/learn/staying-safe/quiz$"))
    return user


def _shown_quiz(page) -> list[tuple[str, list[str]]]:
    """Return (question id, choice texts in the order shown) for every question on the quiz page."""
    shown = []
    for fieldset in page.locator("fieldset.question").all():
        question_id = fieldset.get_attribute("id").removeprefix("question-")
        texts = [text.strip() for text in fieldset.locator("ul.choices li, ul.order-items li label").all_inner_texts()]
        shown.append((question_id, texts))
    return shown


def _answer_right(page, question_ids) -> None:
    from tests.test_learn import COURSE

    quiz = COURSE.module("staying-safe").quiz
    for question_id in question_ids:
        question = quiz.question(question_id)
        if question.type == "order":
            continue  # answered with the keyboard by the test
        for choice_id in question.correct_answer:
            page.locator(f'input[name="q-{question_id}"][value="{choice_id}"]').check()


def test_put_in_order_works_with_the_keyboard(page, make_user, app):
    _open_staying_safe_quiz(page, app, make_user)
    for step, position in (("Check them", "1"), ("Call 911", "2"), ("Give naloxone", "3")):
        select = page.get_by_label(step, exact=True)
        select.focus()
        for _ in range(int(position)):
            page.keyboard.press("ArrowDown")
        assert select.input_value() == position
    _answer_right(page, [question_id for question_id, _ in _shown_quiz(page)])
    page.get_by_role("button", name="Check my answers").press("Enter")
    page.wait_for_url(re.compile(r"/quiz/attempts/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Your result: 100%"


def test_choices_keep_their_shuffled_order_on_reload_and_in_the_review(page, make_user, app):
    import sqlalchemy as sa

    from course.extensions import db
    from course.models import QuizLayout
    from tests.test_learn import COURSE

    user = _open_staying_safe_quiz(page, app, make_user)
    shown = _shown_quiz(page)
    quiz = COURSE.module("staying-safe").quiz
    with app.app_context():
        layout = db.session.scalar(sa.select(QuizLayout).where(QuizLayout.user_id == user.id))
        stored = [(q, [quiz.question(q).choice(c).text for c in choices]) for q, choices in layout.questions]
    assert shown == stored  # the page shows the layout drawn for this learner
    steps = dict(shown)["response-order"]
    assert steps != ["Check them", "Call 911", "Give naloxone"]  # never shown in the right order
    page.reload()
    assert _shown_quiz(page) == shown
    for position, step in enumerate(["Check them", "Call 911", "Give naloxone"], start=1):
        page.get_by_label(step, exact=True).select_option(str(position))
    _answer_right(page, [question_id for question_id, _ in shown])
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_url(re.compile(r"/quiz/attempts/\d+$"))
    reviewed = [
        (item.locator("h3.prompt").inner_text(), item.locator(".choices-review .choice-text").all_inner_texts())
        for item in page.locator("li.review-item").all()
    ]
    assert [prompt.removesuffix(" (must get right)") for prompt, _ in reviewed] == [quiz.question(q).prompt for q, _ in shown]
    for (_, review_texts), (question_id, quiz_texts) in zip(reviewed, shown):
        if quiz.question(question_id).type != "order":
            assert [text.strip() for text in review_texts] == quiz_texts, question_id


def _finish_module_one_in_db(app, user_id: int) -> None:
    from course.loaded import get_course
    from course.builders import pass_module
    from course.extensions import db
    from course.models import User

    with app.app_context():
        pass_module(db.session.get(User, user_id), get_course().module("first-steps"))
        db.session.commit()


PAGES = ["/", "/emergency", "/about", "/login", "/register", "/reset", "/learn", "/learn/first-steps",
         "/learn/first-steps/hello", "/learn/first-steps/quiz", "/account", "/learn/first-steps/handout"]


@pytest.fixture
def learner_with_an_attempt(page, make_user, app):
    user = make_user()
    _finish_module_one_in_db(app, user.id)
    log_in(page, user.email)
    return user


def test_pages_pass_axe_and_fit_a_360px_phone(page, learner_with_an_attempt):
    attempt_link = None
    page.goto("/learn/first-steps")
    attempt_link = page.locator("ul.attempt-list a").first.get_attribute("href")
    for path in PAGES + [attempt_link]:
        page.set_viewport_size({"width": 1024, "height": 800})
        page.goto(path)
        assert axe_violations(page) == [], path
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"


def test_nothing_is_requested_from_another_site(page, learner_with_an_attempt):
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    hosts = {urlsplit(url).hostname for url in page.requested}
    assert hosts == {"127.0.0.1"}


def test_quick_exit_leaves_and_replaces_the_history_entry(page):
    page.goto("/about")
    page.goto("/emergency")
    page.get_by_role("link", name=re.compile("Quick exit")).click()
    page.wait_for_url("https://www.weather.gov/")
    page.go_back()
    # The course page the person was on is gone from the history: back goes to the page before it.
    assert page.url.endswith("/about")


def test_escape_three_times_also_leaves(page):
    page.goto("/emergency")
    for _ in range(3):
        page.keyboard.press("Escape")
    page.wait_for_url("https://www.weather.gov/")


def test_the_emergency_page_prints_without_the_navigation(page):
    page.goto("/emergency")
    page.emulate_media(media="print")
    assert not page.locator(".safety-bar").is_visible()
    assert not page.locator(".site-header").is_visible()
    assert page.get_by_role("heading", name="Call 911").is_visible()
