"""Practice on missed questions (/learn/review), through real HTTP on a real database: it never touches scores."""

import re

import sqlalchemy as sa

from course.extensions import db
from course.models import PracticeAnswer, QuizAttempt
from tests.conftest import csrf_token, form_value
from tests.test_learn import WRONG_FIRST, answer_fields, complete, count, shown_questions, take_quiz


def miss_module_one(client):
    complete(client, "first-steps", "hello")
    complete(client, "first-steps", "second")
    return take_quiz(client, "first-steps", WRONG_FIRST)


def practise(client, right: bool = True):
    """Answer the question the practice page shows; return (question id, the feedback page)."""
    page = client.get("/learn/review")
    assert page.status_code == 200, page.text
    (question_id,) = shown_questions(page.text)
    module = form_value(page.text, "module_slug")
    fields = answer_fields(module, [question_id], wrong=() if right else (question_id,))
    data = {"csrf_token": csrf_token(page.text), "module_slug": module, "question_id": question_id, **fields}
    return question_id, client.post("/learn/review", data=data)


def test_missed_questions_are_practised_until_right_twice_and_scores_never_change(app, client, login_as):
    login_as()
    assert "Practise what you missed" not in client.get("/learn").text
    miss_module_one(client)
    assert "Practise what you missed (3 questions)</a>" in client.get("/learn").text
    with app.app_context():
        before = db.session.execute(sa.select(QuizAttempt.id, QuizAttempt.score, QuizAttempt.passed)).all()

    question_id, feedback = practise(client, right=False)
    assert feedback.status_code == 200
    assert "<h1>Not right yet</h1>" in feedback.text and 'class="explanation"' in feedback.text
    assert "3 questions left to practise" in feedback.text
    for _ in range(6):  # each of the three questions answered right twice
        practise(client)
    home = client.get("/learn").text
    assert "Practise what you missed" not in home
    assert "Nothing to practise right now" in client.get("/learn/review").text
    assert count(app, PracticeAnswer) == 7 and count(app, PracticeAnswer, is_correct=False) == 1
    with app.app_context():
        after = db.session.execute(sa.select(QuizAttempt.id, QuizAttempt.score, QuizAttempt.passed)).all()
    assert after == before and count(app, QuizAttempt) == 1


def test_a_question_comes_back_after_a_new_miss(app, client, login_as):
    login_as()
    miss_module_one(client)
    for _ in range(6):
        practise(client)
    assert "Practise what you missed" not in client.get("/learn").text
    take_quiz(client, "first-steps", wrong=("call-911",))
    assert "Practise what you missed (1 question)</a>" in client.get("/learn").text


def test_the_feedback_names_the_right_answer_and_why(client, login_as):
    login_as()
    miss_module_one(client)
    _, feedback = practise(client)
    assert "<h1>Right</h1>" in feedback.text
    assert "Right answer" in feedback.text and "Next question" in feedback.text


def test_a_question_never_missed_or_tampered_answers_save_nothing(app, client, login_as):
    login_as()
    miss_module_one(client)
    page = client.get("/learn/review")
    token = csrf_token(page.text)
    never_missed = client.post(
        "/learn/review",
        data={"csrf_token": token, "module_slug": "staying-safe", "question_id": "stay", "q-stay": "stay"},
    )
    assert never_missed.status_code == 400 and "not in your practice set" in never_missed.text
    unknown = client.post("/learn/review", data={"csrf_token": token, "module_slug": "nope", "question_id": "x"})
    assert unknown.status_code == 400
    (question_id,) = shown_questions(page.text)
    bad_value = client.post(
        "/learn/review",
        data={
            "csrf_token": token,
            "module_slug": "first-steps",
            "question_id": question_id,
            f"q-{question_id}": "bogus",
        },
    )
    assert bad_value.status_code == 400 and "Nothing was saved" in bad_value.text
    no_csrf = client.post("/learn/review", data={"module_slug": "first-steps", "question_id": question_id})
    assert no_csrf.status_code == 400
    assert count(app, PracticeAnswer) == 0


def test_an_empty_answer_asks_again_and_saves_nothing(app, client, login_as):
    login_as()
    miss_module_one(client)
    page = client.get("/learn/review")
    (question_id,) = shown_questions(page.text)
    response = client.post(
        "/learn/review",
        data={"csrf_token": csrf_token(page.text), "module_slug": "first-steps", "question_id": question_id},
    )
    assert response.status_code == 200 and "Please answer the question" in response.text
    assert re.search(rf'id="question-{question_id}"', response.text)
    assert count(app, PracticeAnswer) == 0


def test_review_needs_a_login(client):
    response = client.get("/learn/review")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
