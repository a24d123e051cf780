"""Page pieces kept once per process (course/page_cache.py) always read as a fresh render would."""

from __future__ import annotations

from flask import render_template, render_template_string, url_for

from course import page_cache
from tests.test_learn import WRONG_FIRST, complete, take_quiz


def test_a_kept_address_is_the_one_url_for_gives_under_each_prefix(app):
    page = "{{ 'learn.module'|link(module_slug='first-steps') }} {{ 'public.emergency'|link }}"
    for prefix in ("", "/lantern", "/clinic/family-course"):
        with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": prefix}):
            expected = url_for("learn.module", module_slug="first-steps")
            assert expected == f"{prefix}/learn/first-steps"
            assert render_template_string(page) == f"{expected} {prefix}/emergency"
            assert render_template_string(page) == f"{expected} {prefix}/emergency"  # kept, the same


def test_a_kept_fragment_is_rendered_once_per_key(app):
    modules = app.extensions["lantern_course"].modules
    with app.test_request_context("/"):
        from flask import request

        context = app.jinja_env.from_string("").new_context({"request": request})
        first = page_cache.fragment(context, "learn/_module_card.html", ("probe", "available", None),
                                    module=modules[0], status="available", best=None)
        again = page_cache.fragment(context, "learn/_module_card.html", ("probe", "available", None),
                                    module=modules[1], status="locked", best=None)
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


def test_kept_quiz_choices_follow_the_order_shown_and_what_was_sent(app):
    # learn.choice_items keeps each choice as rendered; what one learner sent must never show for another.
    from werkzeug.datastructures import MultiDict

    from course.grading import field_name
    from course.quiz_layouts import ShownQuestion

    course = app.extensions["lantern_course"]
    questions = [question for module in course.modules for question in module.quiz.questions]
    assert {"order", "single"} <= {question.type for question in questions}
    page = "{{ shown|choice_items(submitted) }}"
    with app.test_request_context("/"):
        for question in questions:
            shown = ShownQuestion(question, tuple(reversed(question.choices)))
            first, last = question.choices[0], question.choices[-1]
            if question.type == "order":
                sent = MultiDict({field_name(question, first.id): "2"})
                marker = lambda choice: f'id="{field_name(question, choice.id)}"'  # noqa: E731
            else:
                sent = MultiDict({field_name(question): first.id})
                marker = lambda choice: f'value="{choice.id}"'  # noqa: E731
            blank = render_template_string(page, shown=shown, submitted=None)
            answered = render_template_string(page, shown=shown, submitted=sent)
            assert render_template_string(page, shown=shown, submitted=None) == blank  # kept, unchanged
            assert "checked" not in blank and "selected" not in blank
            assert answered.count(" checked") + answered.count(" selected") == 1
            chosen_item = next(item for item in answered.split("</li>") if marker(first) in item)
            assert (' selected>2<' in chosen_item) if question.type == "order" else (" checked>" in chosen_item)
            # The items come in the order the attempt shows them.
            assert blank.index(marker(last)) < blank.index(marker(first))
