"""What production must hold at its edges: forged headers, oversized and broken bodies, HTTPS headers and cookies."""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from tests.production.answers import COURSE
from tests.production.mailbox import links_in
from tests.production.people import RESET_SUBJECT, log_in
from tests.production.stack import DEPLOY, PASSWORDS, ROOT, unit_commands
from tests.production.visitor import Visitor, form_headers

FORGED = "evil.example"


@pytest.mark.parametrize("through", ["nginx", "gunicorn itself"])
def test_a_forged_host_never_changes_the_link_in_a_reset_mail(stack, through):
    """Through the proxy, and even straight at gunicorn (which trusts one proxy's X-Forwarded-Host)."""
    email = "admin@demo.lantern"
    already = len(stack.mailbox.matching(email, RESET_SUBJECT))
    visitor = Visitor(stack.base_url if through == "nginx" else stack.app_url)
    forged = {"X-Forwarded-Host": FORGED}
    if through == "nginx":
        forged["Host"] = FORGED
    else:  # straight at gunicorn, as if from a page of the real site (another Origin is refused with 403)
        forged["Origin"] = stack.base_url
    status, _, _ = visitor.post_form("/reset", {"email": email}, forged)
    assert status in (302, 303)

    message = stack.mailbox.wait_for(email, RESET_SUBJECT, after=already)
    links = links_in(message)
    assert links and all(link.startswith(stack.base_url + "/") for link in links), links
    assert FORGED not in message.as_string()


def test_a_20_mb_form_body_is_refused_with_a_413_page(stack):
    status, _, html = Visitor(stack.base_url).request(
        "POST", "/login", b"email=" + b"x" * (20 * 1024 * 1024), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 413
    assert "<html" in html.lower() and "413" in html


@pytest.mark.parametrize("path", ["/login", "/register", "/reset"])
def test_non_ascii_and_nul_bodies_get_a_clear_answer_never_a_500(stack, path):
    visitor = Visitor(stack.base_url)
    users_before = stack.scalar("SELECT count(*) FROM users")
    bodies = [
        {"email": "nul\x00@example.org", "display_name": "\x00", "password": "p\x00" * 8, "confirm": "p\x00" * 8},
        {"email": "mère@exämple.org", "display_name": "Zoë 💛 ☕", "password": "ça va très bien merci", "confirm": "x"},
        b"email=%FF%FE%00%C3&password=%ED%A0%80&display_name=%C0%AF",  # not UTF-8 at all
        b"\xff\xfe\x00\x00garbage=\x00\x01",  # not even form-encoded
    ]
    for body in bodies:
        status, _, html = visitor.post_form(path, body)
        assert status < 500, (path, body, status)
        assert "Something went wrong on our side" not in html
    assert stack.scalar("SELECT count(*) FROM users") == users_before


@pytest.mark.browser
def test_https_answers_carry_hsts_private_cookies_and_send_no_referrer_to_other_sites(stack, page):
    log_in(page, "admin@demo.lantern", PASSWORDS["admin@demo.lantern"], remember=True)
    module = COURSE.modules[0]
    response = page.goto(f"/learn/{module.slug}/{module.lessons[0].slug}")
    headers = response.all_headers()

    hsts = re.search(r"max-age=(\d+)", headers.get("strict-transport-security", ""))
    assert hsts and int(hsts.group(1)) >= 180 * 24 * 3600
    # The page's meta tag, where there is one, overrides the header: both must keep the referrer home.
    meta = page.locator('meta[name="referrer"]')
    policies = [headers.get("referrer-policy", "").split(",")[-1].strip()]
    policies += [meta.get_attribute("content").strip()] if meta.count() else []
    assert set(policies) <= {"no-referrer", "same-origin"}, policies
    cookies = page.context.cookies()
    assert cookies, "logging in set no cookie"
    for cookie in cookies:
        assert (cookie["name"], cookie["secure"], cookie["httpOnly"], cookie["sameSite"]) == (cookie["name"], True, True, "Lax")

    # The quick exit leaves for another site: that site must not learn which page the person was on.
    page.locator("a.quick-exit").click()
    page.wait_for_url(re.compile(r"^https://www\.weather\.gov/"))
    (url, sent), *_ = page.context.outside
    assert url.startswith("https://www.weather.gov/")
    assert "referer" not in {name.lower() for name in sent}


def test_the_daily_reminder_timer_runs_its_command_with_the_production_settings(stack):
    """What deploy/systemd/lantern-reminders.timer starts, against the running stack's database and mail server."""
    command = unit_commands(DEPLOY / "systemd" / "lantern-reminders.service")["ExecStart"]
    assert command[-3:] == ["wsgi", "reminders", "send"]
    result = subprocess.run(command, cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_lesson_done_through_one_process_shows_on_every_page_of_both(stack):
    """Each gunicorn process keeps a learner's state until their progress moves (course.progress):
    after a lesson is completed, no page from either process may show the state from before."""
    learner = Visitor(stack.base_url)
    status, _, _ = learner.post_form("/login", {"email": "learner@demo.lantern",
                                                "password": PASSWORDS["learner@demo.lantern"]})
    assert status == 302

    def steps_done_on_the_home(times: int) -> set[str]:
        # Several at once, so both processes (2 workers × 4 threads) answer and keep what they read.
        with ThreadPoolExecutor(max_workers=8) as pool:
            pages = list(pool.map(lambda _: learner.request("GET", "/learn"), range(times)))
        assert {status for status, _, _ in pages} == {200}
        return {re.search(r"(\d+) of \d+ steps done", html).group(1) for _, _, html in pages}

    (before,) = steps_done_on_the_home(24)
    _, _, home = learner.request("GET", "/learn")
    next_lesson = re.search(r'<a class="button" href="(/learn/[a-z0-9-]+/[a-z0-9-]+)">', home).group(1)
    assert not next_lesson.endswith("/quiz"), "the demo learner's next step is a lesson"
    _, page_headers, html = learner.request("GET", next_lesson)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    status, _, _ = learner.request(
        "POST", next_lesson + "/complete", urlencode({"csrf_token": token}).encode(),
        form_headers(stack.base_url, next_lesson, page_headers, html),
    )
    assert status == 302
    assert steps_done_on_the_home(24) == {str(int(before) + 1)}
