"""Page pieces kept once per process (course/page_cache.py) always read as a fresh render would."""

from __future__ import annotations

from flask import render_template, url_for

from course import page_cache
from tests.test_learn import WRONG_FIRST, complete, take_quiz


def test_a_kept_address_is_the_one_url_for_gives_under_each_prefix(app):
    for prefix in ("", "/lantern", "/clinic/family-course"):
        with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": prefix}):
            expected = url_for("learn.module", module_slug="first-steps")
            assert expected == f"{prefix}/learn/first-steps"
            assert page_cache.link("learn.module", module_slug="first-steps") == expected
            assert page_cache.link("public.emergency") == f"{prefix}/emergency"


def test_a_kept_fragment_is_rendered_once_per_key(app):
    with app.test_request_context("/"):
        first = page_cache.fragment("learn/_module_card.html", ("probe", "available", None),
                                    module=app.extensions["lantern_course"].modules[0], status="available", best=None)
        again = page_cache.fragment("learn/_module_card.html", ("probe", "available", None),
                                    module=app.extensions["lantern_course"].modules[1], status="locked", best=None)
        # The same key gives the kept piece back, whatever else is passed: the key must name what matters.
        assert again is first
        assert "Ready to start" in first


def _fresh_cards(app, statuses: dict[str, str], best=None) -> list[str]:
    """Render each module's card directly (nothing kept), as the learner home should show it."""
    course = app.extensions["lantern_course"]
    with app.test_request_context("/"):
        return [render_template("learn/_module_card.html", module=module, status=statuses[module.slug], best=best)
                for module in course.modules]


def test_the_cards_on_the_home_follow_each_learners_status_and_score(app, client, auth, login_as):
    login_as()
    assert "Ready to start" in client.get("/learn").text
    complete(client, "first-steps", "hello")
    complete(client, "first-steps", "second")
    take_quiz(client, "first-steps", WRONG_FIRST)
    home = client.get("/learn").text
    assert "In progress" in home and "Passed" not in home
    take_quiz(client, "first-steps")  # every answer right
    home = client.get("/learn").text
    assert "Passed, best score 100%" in home
    assert home.count("Ready to start") == 1  # the next module opened

    # Another learner, served by the same process, sees their own cards, each as a fresh render.
    auth.logout()
    login_as(email="second@example.org")
    home = client.get("/learn").text
    assert "Passed" not in home and "In progress" not in home
    for card in _fresh_cards(app, {"first-steps": "available", "staying-safe": "locked"}):
        assert card in home
