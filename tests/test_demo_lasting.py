"""The demo's learning-that-lasts data: a refresher due, a reminder due, something to practise; safe to run again."""

import sqlalchemy as sa

from course import practice, refreshers, reminders
from course.loaded import get_course
from course.demo import load_demo
from course.demo_groups import load_demo_groups
from course.demo_lasting import add_demo_lasting
from course.extensions import db
from course.models import Membership, QuizAttempt, ReminderPreference, User, utcnow
from tests.conftest import AuthActions
from tests.test_refreshers import overdose  # noqa: F401  (fixture)


def table_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (User, Membership, QuizAttempt, ReminderPreference)
    }


def test_the_demo_shows_a_refresher_due_a_reminder_due_and_practice(overdose):  # noqa: F811
    with overdose.app_context():
        course = get_course()
        load_demo(course)
        load_demo_groups(course)
        add_demo_lasting(course)
        first = table_counts()
        add_demo_lasting(course)
        assert table_counts() == first  # idempotent

        ids = {
            email: db.session.scalar(sa.select(User.id).where(User.email == email))
            for email in ("ray@demo.lantern", "bea@demo.lantern", "learner@demo.lantern")
        }
        assert ids["ray@demo.lantern"] in refreshers.due_since(list(ids.values()))
        due = reminders.due_reminders(course, utcnow())
        assert (ids["bea@demo.lantern"], "away") in {(user_id, kind) for user_id, kind, _ in due}
        assert practice.practice_set(course, ids["learner@demo.lantern"])
    client = overdose.test_client()
    AuthActions(client).login("learner@demo.lantern", "demo-learner-2026")
    assert "Practise what you missed (1 question)" in client.get("/learn").text
