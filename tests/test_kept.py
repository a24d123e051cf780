"""What the course pages keep about a learner between requests (course.kept) gives way to every change.

Each change here is made outside the browser's requests, through the app's own code or a bulk
statement, as another process would make it. The page after it must show the change: the change
moved the learner's stamp, so the page reads afresh what it had kept.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import session

from course import grading, knowledge, practice, progress, reminders, sessions
from course.builders import pass_module
from course.extensions import db
from course.loaded import get_course
from course.models import LessonProgress, QuizLayout, ReminderPreference, User, utcnow
from tests.test_dashboard_queries import count_queries
from tests.test_learn import WRONG_FIRST, complete, finish_module_one, take_quiz


def kept_page(app, client, url: str) -> str:
    """Visit a page and return the third visit, which must run the session query only: all it reads is kept.

    The first visit may write (a quiz draws its layout), which moves the stamp; the second reads afresh.
    """
    client.get(url)
    client.get(url)
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    assert len(statements) == 1, statements
    return response.text


def page_after_a_change(app, client, url: str) -> str:
    """Visit a page right after a change made elsewhere: it reads afresh, so it runs more than the session query."""
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    assert len(statements) > 1, statements
    return response.text


def elsewhere(app, change) -> None:
    """Make a change through the app's code outside any request of the browser, and commit it."""
    with app.app_context():
        change()
        db.session.commit()


def steps_done(home: str) -> int:
    """The number the learner home's progress line shows ("2 of 9 steps done")."""
    return int(re.search(r"(\d+) of \d+ steps done", home).group(1))


def to_practise(home: str) -> int:
    """The number of questions the home says are left to practise (0 when it says nothing)."""
    found = re.search(r"Practise what you missed \((\d+) questions?\)", home)
    return int(found.group(1)) if found else 0


def shown_token(quiz_page: str) -> str:
    return re.search(r'name="submission_token" type="hidden" value="([^"]+)"', quiz_page).group(1)


def test_a_lesson_recorded_elsewhere_shows_on_the_home(app, client, login_as):
    learner = login_as()
    client.get("/learn")
    complete(client, "first-steps", "hello")
    assert steps_done(kept_page(app, client, "/learn")) == 1
    elsewhere(app, lambda: progress.complete_lesson(learner, "first-steps", "second"))
    assert steps_done(page_after_a_change(app, client, "/learn")) == 2


def test_practice_answered_elsewhere_shows_on_the_home(app, client, login_as):
    learner = login_as()
    finish_module_one(client)  # passed, then...
    take_quiz(client, "first-steps", WRONG_FIRST)  # ...every question missed once
    assert to_practise(kept_page(app, client, "/learn")) == 3

    def answer_right_twice():
        for _ in range(2):
            practice.record_practice(learner.id, "first-steps", "call-911", ("true",), True)

    elsewhere(app, answer_right_twice)
    assert to_practise(page_after_a_change(app, client, "/learn")) == 2


def test_a_reminder_choice_made_elsewhere_or_wiped_by_a_bulk_delete_shows_on_the_home(app, client, login_as):
    learner = login_as()
    complete(client, "first-steps", "hello")
    offer = "Would you like reminders by email?"
    assert offer in kept_page(app, client, "/learn")
    elsewhere(app, lambda: reminders.set_reminders(learner.id, False))  # say, from another device
    assert offer not in page_after_a_change(app, client, "/learn")
    assert offer not in kept_page(app, client, "/learn")
    elsewhere(app, lambda: db.session.execute(sa.delete(ReminderPreference).where(ReminderPreference.user_id == learner.id)))
    assert offer in page_after_a_change(app, client, "/learn")


def test_a_knowledge_check_taken_elsewhere_is_no_longer_offered(app, client, login_as):
    learner = login_as()

    def finish_the_course():
        user = db.session.get(User, learner.id)
        for module in get_course().modules:
            pass_module(user, module)

    elsewhere(app, finish_the_course)
    offer = "You finished the course: a short check (optional)"
    assert offer in kept_page(app, client, "/learn")

    def take_the_after_check():
        bank = get_course().knowledge_check
        right = {question.id: question.correct_answer for question in bank.questions}
        confidence = {name: 4 for name in knowledge.CONFIDENCE_FIELDS}
        knowledge.record_check(learner.id, knowledge.AFTER, bank, grading.grade(bank, right), confidence)

    elsewhere(app, take_the_after_check)
    assert offer not in page_after_a_change(app, client, "/learn")


def test_a_quiz_layout_removed_elsewhere_by_a_bulk_delete_gives_a_new_one(app, client, login_as):
    learner = login_as()
    complete(client, "first-steps", "hello")
    complete(client, "first-steps", "second")
    token = shown_token(kept_page(app, client, "/learn/first-steps/quiz"))
    assert shown_token(kept_page(app, client, "/learn/first-steps/quiz")) == token  # a reload shows the same quiz
    elsewhere(app, lambda: db.session.execute(sa.delete(QuizLayout).where(QuizLayout.user_id == learner.id)))
    new_token = shown_token(page_after_a_change(app, client, "/learn/first-steps/quiz"))
    assert new_token != token
    with app.app_context():
        assert db.session.scalars(sa.select(QuizLayout.token).where(QuizLayout.user_id == learner.id)).all() == [new_token]


def test_a_request_that_changed_something_reads_afresh(app, client, login_as):
    learner = login_as()
    client.get("/learn")
    complete(client, "first-steps", "hello")
    cookie = client.get_cookie("session")
    with app.test_request_context("/learn", headers={"Cookie": f"session={cookie.value}"}):
        person = sessions.load(session["_user_id"])
        assert ("first-steps", "hello") in progress.state_for(person).completed
        db.session.add(LessonProgress(user_id=learner.id, module_slug="first-steps", lesson_slug="second",
                                      completed_at=utcnow()))
        db.session.commit()  # the person's stamp is from before this change
        assert ("first-steps", "second") in progress.state_for(person).completed
