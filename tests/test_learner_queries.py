"""The learner's busiest pages read the person and their progress in one or two queries, whatever their progress."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from course import progress
from course.extensions import db, read
from course.models import LessonProgress
from tests.test_dashboard_queries import count_queries
from tests.test_learn import WRONG_FIRST, complete, finish_module_one, take_quiz

# Page -> SQL statements it runs once what it reads about the learner is kept from an earlier request
# (course.kept): only the session with its person. Reading the state again costs one more, and so
# does what the page itself shows (the home: checks taken and reminder choice; the quiz: its open layout).
BUDGET = {
    "/learn/first-steps/hello": 1,
    "/learn/first-steps/quiz": 1,
    "/learn": 1,
}


def _counts(app, client) -> dict[str, int]:
    counts = {}
    for page in BUDGET:
        client.get(page)  # opening a lesson or a quiz the first time writes; going back must not,
        client.get(page)  # and after a change, the next visit reads afresh what it keeps
        with count_queries(app) as statements:
            response = client.get(page)
        assert response.status_code == 200, page
        counts[page] = len(statements)
    return counts


def test_lesson_quiz_and_home_read_a_fixed_number_of_queries(app, client, login_as):
    login_as()
    client.get("/learn")  # the first page after logging in notes "last seen": not a page's cost
    complete(client, "first-steps", "hello")
    complete(client, "first-steps", "second")
    new = _counts(app, client)
    assert new == BUDGET, new

    # Far along: a failed and a passed attempt, the next module opened. The lesson and quiz cost the same.
    take_quiz(client, "first-steps", WRONG_FIRST)
    finish_module_one(client)
    client.get("/learn/staying-safe/steps")
    along = _counts(app, client)  # the home now also notes practice and the overdose refresher
    assert along == BUDGET, along


@contextmanager
def connections_taken(app):
    """Count the connections taken from the pool inside the block."""
    taken: list[object] = []
    with app.app_context():
        engine = db.engine
    note = lambda dbapi_connection, record, proxy: taken.append(record)  # noqa: E731
    sa.event.listen(engine, "checkout", note)
    try:
        yield taken
    finally:
        sa.event.remove(engine, "checkout", note)


def test_a_page_that_only_reads_takes_one_connection_and_a_change_is_read_back(app, client, login_as):
    # Reads share one plain connection per request (course.extensions.read); once the ORM session
    # is changing something, reads go through its connection, so they see the change.
    learner = login_as()
    client.get("/learn")
    complete(client, "first-steps", "hello")
    with connections_taken(app) as taken:
        response = client.get("/learn/first-steps/second")  # opened the first time: written, then shown
    assert response.status_code == 200 and len(taken) <= 2
    complete(client, "first-steps", "second")
    for page in BUDGET:
        client.get(page)
        with connections_taken(app) as taken:
            assert client.get(page).status_code == 200
        assert len(taken) == 1, page
    with app.app_context():
        assert ("first-steps", "second") in progress.load_state(learner.id).started
        db.session.add(LessonProgress(user_id=learner.id, module_slug="first-steps", lesson_slug="third"))
        db.session.flush()  # not committed: only this session's connection sees it
        assert ("first-steps", "third") in progress.load_state(learner.id).started
        db.session.rollback()
        assert ("first-steps", "third") not in progress.load_state(learner.id).started


def test_read_runs_select_statements_only(app):
    with app.app_context(), pytest.raises(TypeError):
        read(sa.delete(LessonProgress))
