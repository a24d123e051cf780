"""The shared builders (course/builders.py): attempts graded by the app, drawn layouts, and no commits of their own."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from course import builders, quiz_layouts
from course.extensions import db
from course.models import AttemptAnswer, LessonProgress, QuizAttempt, QuizLayout, User
from tests.group_builders import FIRST, SAFE, course


def test_a_drawn_attempt_answers_only_its_layout_and_reviews_in_that_order(app, make_user):
    user = make_user()
    with app.app_context():
        module = course(app).module(SAFE)  # draws 3 of a pool of 5; the response-order question always
        attempt = builders.take_quiz(db.session.get(User, user.id), module, draw=random.Random(7), days_ago=3)
        db.session.commit()
        layout = db.session.scalar(sa.select(QuizLayout).where(QuizLayout.attempt_id == attempt.id))
        answered = [answer.question_id for answer in attempt.answers]
        assert layout is not None and layout.token == attempt.submission_token
        assert [question_id for question_id, _ in layout.questions] == answered
        assert len(answered) == 3 and "response-order" in answered
        assert (attempt.question_count, attempt.correct_count, attempt.score, attempt.passed) == (3, 3, 100, True)
        shown = quiz_layouts.attempt_layout(module.quiz, attempt)
        assert [[q.question.id, [c.id for c in q.choices]] for q in shown.questions] == layout.questions


def test_an_attempt_without_a_draw_answers_the_whole_pool_as_graded(app, make_user):
    user = make_user()
    with app.app_context():
        module = course(app).module(SAFE)
        wrong = ("response-order",)
        attempt = builders.take_quiz(db.session.get(User, user.id), module, builders.right_answers(module, wrong))
        db.session.commit()
        assert attempt.question_count == len(module.quiz.questions) == 5
        assert {a.question_id for a in attempt.answers if not a.is_correct} == {"response-order"}
        assert attempt.missed_critical and not attempt.passed
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizLayout)) == 0


def test_builders_leave_the_commit_to_the_caller(app, make_user):
    user = make_user()
    with app.app_context():
        learner = db.session.get(User, user.id)
        builders.make_user("someone@example.org", "Someone", password_hash="x")
        builders.pass_module(learner, course(app).module(FIRST), days_ago=2)
        db.session.rollback()
        for model in (QuizAttempt, AttemptAnswer, LessonProgress):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
        assert db.session.scalar(sa.select(User).where(User.email == "someone@example.org")) is None


def test_a_back_dated_pass_is_dated_as_asked(app, make_user):
    user = make_user()
    with app.app_context():
        learner = db.session.get(User, user.id)
        attempt = builders.pass_module(learner, course(app).module(FIRST), days_ago=10, lessons_days_ago=11)
        db.session.commit()
        age = builders.ago(0) - attempt.submitted_at
        assert 9.99 < age.total_seconds() / 86400 < 10.01
        opened = db.session.scalars(sa.select(LessonProgress.started_at)).all()
        assert opened and all(10.99 < (builders.ago(0) - when).total_seconds() / 86400 < 11.01 for when in opened)


def test_an_account_needs_exactly_one_of_password_and_hash(app):
    with app.app_context():
        with pytest.raises(ValueError):
            builders.make_user("a@example.org", "A")
        with pytest.raises(ValueError):
            builders.make_user("a@example.org", "A", password="p", password_hash="h")
