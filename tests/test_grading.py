"""Scoring: every question type, the pass mark, critical questions, reading a submitted form."""

import pytest
from werkzeug.datastructures import MultiDict

from course.content import load_course
from course.grading import TamperedSubmission, grade, read_answers
from tests.conftest import FIXTURE_CONTENT

COURSE = load_course(FIXTURE_CONTENT)
FIRST = COURSE.module("first-steps").quiz  # single, multiple, true/false; pass mark 60
SAFE = COURSE.module("staying-safe").quiz  # critical put-in-order + 4 more; pass mark 80

ALL_RIGHT_FIRST = {"health-problem": ("health",), "what-helps": ("treatment", "support"), "call-911": ("true",)}
ALL_RIGHT_SAFE = {q.id: q.correct_answer for q in SAFE.questions}


def test_all_right_scores_100_and_passes():
    result = grade(FIRST, ALL_RIGHT_FIRST)
    assert (result.score, result.correct_count, result.question_count, result.passed) == (100, 3, 3, True)


def test_single_choice_wrong_answer():
    result = grade(FIRST, {**ALL_RIGHT_FIRST, "health-problem": ("choice",)})
    assert [a.correct for a in result.answers] == [False, True, True]
    assert result.score == 66 and result.passed  # 2 of 3 reaches a 60 % pass mark


def test_select_all_needs_exactly_the_right_set():
    partial = grade(FIRST, {**ALL_RIGHT_FIRST, "what-helps": ("treatment",)})
    extra = grade(FIRST, {**ALL_RIGHT_FIRST, "what-helps": ("treatment", "support", "shame")})
    assert not partial.answers[1].correct
    assert not extra.answers[1].correct


def test_true_false():
    assert not grade(FIRST, {**ALL_RIGHT_FIRST, "call-911": ("false",)}).answers[2].correct


def test_put_in_order_must_match_every_position():
    swapped = grade(SAFE, {**ALL_RIGHT_SAFE, "response-order": ("call", "check", "naloxone")})
    assert not swapped.answers[0].correct


def test_below_the_pass_mark_fails():
    result = grade(FIRST, {"health-problem": ("choice",), "what-helps": ("shame",), "call-911": ("true",)})
    assert (result.score, result.passed) == (33, False)


def test_exactly_the_pass_mark_passes():
    # 4 of 5 is exactly 80 %.
    result = grade(SAFE, {**ALL_RIGHT_SAFE, "who-calls": ("nobody",)})
    assert (result.score, result.passed, result.missed_critical) == (80, True, False)


def test_missing_a_critical_question_fails_whatever_the_score():
    result = grade(SAFE, {**ALL_RIGHT_SAFE, "response-order": ("naloxone", "call", "check")})
    assert result.score == 80
    assert result.missed_critical
    assert not result.passed


def form(**fields) -> MultiDict:
    data = MultiDict()
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            data.add(name.replace("_", "-"), value)
    return data


def test_read_answers_from_a_complete_form():
    answers, errors = read_answers(
        FIRST, form(q_health_problem="health", q_what_helps=["support", "treatment"], q_call_911="true")
    )
    assert errors == {}
    assert answers == {"health-problem": ("health",), "what-helps": ("treatment", "support"), "call-911": ("true",)}


def test_read_answers_reports_each_unanswered_question():
    answers, errors = read_answers(FIRST, form(q_health_problem="health"))
    assert errors == {"what-helps": "Choose at least one answer.", "call-911": "Choose an answer."}


def test_read_order_positions():
    data = MultiDict(
        {"q-response-order-check": "1", "q-response-order-call": "2", "q-response-order-naloxone": "3"}
    )
    answers, errors = read_answers(SAFE, data)
    assert answers["response-order"] == ("check", "call", "naloxone")
    assert "response-order" not in errors


def test_read_order_with_a_position_used_twice_asks_again():
    data = MultiDict({"q-response-order-check": "1", "q-response-order-call": "1", "q-response-order-naloxone": "3"})
    _, errors = read_answers(SAFE, data)
    assert errors["response-order"] == "Use each position once: two steps have the same number."


@pytest.mark.parametrize(
    "quiz, data",
    [
        (FIRST, {"q-health-problem": ["not-a-choice"]}),
        (FIRST, {"q-health-problem": ["health", "choice"]}),
        (FIRST, {"q-what-helps": ["treatment", "treatment"]}),
        (SAFE, {"q-response-order-check": ["9"]}),
        (SAFE, {"q-response-order-check": ["first"]}),
        (SAFE, {"q-response-order-check": ["1", "2"]}),
    ],
)
def test_tampered_values_are_refused(quiz, data):
    with pytest.raises(TamperedSubmission):
        read_answers(quiz, MultiDict([(k, v) for k, values in data.items() for v in values]))
