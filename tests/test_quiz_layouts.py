"""Per-attempt draws and shuffles, as plain functions of the quiz, what was asked before and a random source."""

import random
from collections import Counter

import pytest
from werkzeug.datastructures import MultiDict

from course.content import load_course
from course.grading import TamperedSubmission, grade, read_answers
from course.quiz_layouts import draw_layout, draw_questions, shuffled_choices
from tests.conftest import FIXTURE_CONTENT

COURSE = load_course(FIXTURE_CONTENT)
SAFE = COURSE.module("staying-safe").quiz  # pool 5, draw 3, response-order critical
FIRST = COURSE.module("first-steps").quiz  # no draw: every question
ORDINARY = [q.id for q in SAFE.questions if not q.critical]


def test_a_draw_has_the_declared_size_and_always_the_critical_question():
    for seed in range(50):
        drawn = draw_questions(SAFE, {}, random.Random(seed))
        assert len(drawn) == 3
        assert drawn[0].id == "response-order"
        # In the pool's order, which follows the lessons.
        assert [q.id for q in drawn] == [q.id for q in SAFE.questions if q in drawn]


def test_without_a_draw_every_question_is_asked():
    assert draw_questions(FIRST, {}, random.Random(1)) == FIRST.questions


def test_a_draw_prefers_the_questions_asked_least():
    asked = {"stay": 2, "safe-unsure": 2, "signs": 1, "who-calls": 0}
    for seed in range(30):
        drawn = {q.id for q in draw_questions(SAFE, asked, random.Random(seed))}
        assert drawn == {"response-order", "who-calls", "signs"}


def test_draws_vary_among_questions_asked_equally():
    seen = Counter(q.id for seed in range(200) for q in draw_questions(SAFE, {}, random.Random(seed)))
    assert seen["response-order"] == 200
    assert all(40 < seen[question_id] < 160 for question_id in ORDINARY), seen


def test_choices_are_shuffled_and_put_in_order_is_never_shown_right():
    order = SAFE.question("response-order")
    signs = SAFE.question("signs")
    orders = {tuple(c.id for c in shuffled_choices(order, random.Random(seed))) for seed in range(200)}
    assert order.correct_answer not in orders
    assert len(orders) == 5  # every other order of three steps turns up
    sign_orders = {tuple(c.id for c in shuffled_choices(signs, random.Random(seed))) for seed in range(200)}
    assert len(sign_orders) > 12


def test_true_false_keeps_true_then_false():
    question = SAFE.question("safe-unsure")
    assert [c.id for c in shuffled_choices(question, random.Random(3))] == ["true", "false"]


def test_the_same_seed_gives_the_same_layout():
    first = draw_layout(SAFE, {}, random.Random(7), "token")
    again = draw_layout(SAFE, {}, random.Random(7), "token")
    assert first == again


def test_the_score_is_right_answers_out_of_those_drawn():
    drawn = (SAFE.question("response-order"), SAFE.question("stay"), SAFE.question("who-calls"))
    answers = {q.id: q.correct_answer for q in drawn}
    result = grade(SAFE, {**answers, "who-calls": ("nobody",)}, drawn)
    assert (result.correct_count, result.question_count, result.score, result.passed) == (2, 3, 66, False)
    assert grade(SAFE, answers, drawn).score == 100


def test_an_answer_to_a_question_not_drawn_is_tampering():
    drawn = (SAFE.question("response-order"), SAFE.question("stay"), SAFE.question("who-calls"))
    form = MultiDict({"q-stay": "stay", "q-who-calls": "you", "q-safe-unsure": "true"})
    with pytest.raises(TamperedSubmission, match="“q-safe-unsure” is not a question of this quiz"):
        read_answers(SAFE, form, drawn)
    # A step position for a question that has no such step is refused too.
    with pytest.raises(TamperedSubmission):
        read_answers(SAFE, MultiDict({"q-response-order-teleport": "1"}), drawn)
