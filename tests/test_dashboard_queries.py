"""The dashboard's queries and rules, tested directly: a fixed number of SQL queries
whatever the group's size, the same states as the learner's own pages, check-in reasons."""

from contextlib import contextmanager
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from course import dashboard, progress
from course.extensions import db
from course.models import AttemptAnswer, CheckInAction, QuizAttempt, Role, User, utcnow
from tests.group_builders import (
    FIRST,
    SAFE,
    add_member,
    course,
    finish_lessons,
    make_group,
    pass_module,
    quick_user,
    set_last_seen,
    take_quiz,
)


@contextmanager
def count_queries(app):
    """Count the SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def fill_group(app, group, size: int) -> list[User]:
    """Add `size` learners with real progress, five stages in turn: joined only, reading,
    failed the first quiz twice, passed it, missed the critical question of the second."""
    learners = []
    for number in range(size):
        learner = quick_user(app, name=f"Learner {number}")
        add_member(app, group, learner, share_email=number % 2 == 0, joined_days_ago=40)
        stage = number % 5
        if stage == 1:
            finish_lessons(app, learner, FIRST, count=1, days_ago=30)
        elif stage == 2:
            finish_lessons(app, learner, FIRST, days_ago=20)
            take_quiz(app, learner, FIRST, wrong=("health-problem", "what-helps"), days_ago=19)
            take_quiz(app, learner, FIRST, wrong=("health-problem", "what-helps"), days_ago=18)
        elif stage == 3:
            pass_module(app, learner, FIRST, days_ago=10)
        elif stage == 4:
            pass_module(app, learner, FIRST, days_ago=9)
            finish_lessons(app, learner, SAFE, days_ago=5)
            take_quiz(app, learner, SAFE, wrong=("response-order",), days_ago=4)
        learners.append(learner)
    return learners


PAGES = (
    "/facilitator/groups/{group}",
    "/facilitator/groups/{group}?sort=activity&order=desc&page=2",
    "/facilitator/groups/{group}/check-ins",
    "/facilitator/groups/{group}/questions",
    "/facilitator/groups/{group}/progress.csv",
    "/facilitator/groups/{group}/learners/{learner}",
    "/facilitator/groups/{group}/questions?module=first-steps",
    "/facilitator/groups/{group}/settings",
    "/facilitator/groups/{group}/invite-sheet",
)


def note_contacts(app, group, learners, staff) -> None:
    """Record a contact with a note, and a snooze, for every third learner (more rows for a larger group)."""
    with app.app_context():
        for learner in learners[::3]:
            db.session.add(CheckInAction(group_id=group.id, learner_id=learner.id, staff_id=staff.id, kind="contacted",
                                         contacted_on=utcnow().date(), note="Called."))
            db.session.add(CheckInAction(group_id=group.id, learner_id=learner.id, staff_id=staff.id, kind="snoozed",
                                         snoozed_until=utcnow() + timedelta(days=3)))
        db.session.commit()


def test_each_page_runs_the_same_number_of_queries_for_3_or_60_learners(app, client, auth):
    leader = quick_user(app, Role.FACILITATOR, "Robin")
    small, large = make_group(app, leader, "Small group"), make_group(app, leader, "Large group")
    small_learners, large_learners = fill_group(app, small, 3), fill_group(app, large, 60)
    note_contacts(app, small, small_learners, leader)
    note_contacts(app, large, large_learners, leader)
    auth.login(leader.email)
    client.get("/facilitator/groups")  # the first request after logging in notes "last seen": not a page's cost

    for page in PAGES:
        counts = []
        for group, learners in ((small, small_learners), (large, large_learners)):
            url = page.format(group=group.id, learner=learners[-1].id)
            with count_queries(app) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts.append(len(statements))
        assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 3 learners, {counts[1]} for 60"
        assert counts[0] <= 8, f"{page}: {counts[0]} queries"


def test_my_groups_and_all_groups_run_the_same_number_of_queries_for_1_or_8_groups(app, client, auth):
    leader = quick_user(app, Role.ADMIN, "Admin who leads groups")
    add_member(app, make_group(app, leader, "Group 0"), quick_user(app))
    auth.login(leader.email)
    client.get("/facilitator/groups")

    def counts() -> list[int]:
        found = []
        for path in ("/facilitator/groups", "/admin/groups"):
            with count_queries(app) as statements:
                assert client.get(path).status_code == 200
            found.append(len(statements))
        return found

    one = counts()
    for number in range(1, 8):
        add_member(app, make_group(app, leader, f"Group {number}"), quick_user(app))
    assert counts() == one


# --- the rules match the learner's own pages ---------------------------------------------


def test_bulk_states_match_each_learners_own_state(app):
    leader = quick_user(app, Role.FACILITATOR)
    group = make_group(app, leader)
    learners = fill_group(app, group, 10)
    with app.app_context():
        the_course = course(app)
        rows = dashboard.group_progress(the_course, group.id, utcnow(), 14).learners
        by_id = {row.member.user_id: row for row in rows}
        for learner in learners:
            own = progress.load_state(learner.id)
            row = by_id[learner.id]
            assert (row.steps_done, row.steps_total) == progress.course_progress(the_course, own)
            for module, cell in zip(the_course.modules, row.cells):
                best = own.best.get(module.slug)
                assert cell.best_score == (best.score if best else None)
                assert (cell.state == dashboard.CellState.PASSED) == (
                    progress.module_status(the_course, own, module) == progress.ModuleStatus.PASSED
                )
                assert cell.tries == own.attempt_counts.get(module.slug, 0)


def test_only_active_members_of_this_group_are_counted(app):
    leader = quick_user(app, Role.FACILITATOR)
    group, other = make_group(app, leader, "Mine"), make_group(app, leader, "Other")
    member, gone, elsewhere = quick_user(app, name="Member"), quick_user(app, name="Gone", active=False), quick_user(app)
    add_member(app, group, member)
    add_member(app, group, gone)
    add_member(app, other, elsewhere)
    take_quiz(app, gone, FIRST, wrong=("health-problem",))
    take_quiz(app, elsewhere, FIRST, wrong=("health-problem",))
    with app.app_context():
        rows = dashboard.group_progress(course(app), group.id, utcnow(), 14).learners
        assert [row.member.display_name for row in rows] == ["Member"]
        assert dashboard.question_results(course(app), group.id).answered == ()


def test_questions_no_longer_in_the_content_are_skipped(app):
    leader = quick_user(app, Role.FACILITATOR)
    group = make_group(app, leader)
    learner = quick_user(app)
    add_member(app, group, learner)
    attempt_id = take_quiz(app, learner, FIRST, wrong=("call-911",))
    with app.app_context():
        db.session.add(AttemptAnswer(attempt_id=attempt_id, question_id="a-retired-question", chosen=["x"], is_correct=False))
        db.session.commit()
        results = dashboard.question_results(course(app), group.id)
        assert [r.question.id for r in results.answered] == ["call-911", "health-problem", "what-helps"]
        assert [r.question.id for r in results.unanswered] == ["response-order", "stay", "safe-unsure", "signs", "who-calls"]


def test_per_question_counts_each_learners_latest_attempt(app):
    leader = quick_user(app, Role.FACILITATOR)
    group = make_group(app, leader)
    improved, slipped = quick_user(app), quick_user(app)
    for learner in (improved, slipped):
        add_member(app, group, learner)
    take_quiz(app, improved, FIRST, wrong=("health-problem",), days_ago=3)
    take_quiz(app, improved, FIRST, days_ago=1)
    take_quiz(app, slipped, FIRST, days_ago=3)
    take_quiz(app, slipped, FIRST, wrong=("health-problem",), days_ago=1)
    with app.app_context():
        result = next(
            r for r in dashboard.question_results(course(app), group.id).answered if r.question.id == "health-problem"
        )
        assert (result.answered, result.right, result.summary) == (2, 1, "1 of 2 who were asked missed it.")
        assert result.few_answers


@pytest.mark.parametrize(
    ("answered", "right", "words"),
    [(9, 3, "6 of 9 who were asked missed it."), (9, 9, "All 9 who were asked got it right."),
     (1, 1, "The one person who was asked got it right."), (4, 0, "All 4 who were asked missed it."),
     (1, 0, "The one person who was asked missed it.")],
)
def test_question_results_in_words(answered, right, words):
    result = dashboard.QuestionResult(None, None, answered, right)
    assert result.summary == words


# --- check-in reasons, as a plain function -----------------------------------------------


NOW = datetime(2026, 11, 23, 12, 0)


def attempt(module_slug: str, passed: bool, days_ago: float):
    return SimpleNamespace(module_slug=module_slug, passed=passed, submitted_at=NOW - timedelta(days=days_ago))


@pytest.fixture
def fixture_course(app):
    return course(app)


@pytest.mark.parametrize(("quiet", "flagged"), [(13.9, False), (14, True), (40, True)])
def test_no_activity_is_flagged_after_the_configured_days(fixture_course, quiet, flagged):
    reasons = dashboard.check_in_reasons(fixture_course, NOW - timedelta(days=quiet), [], [], NOW, 14)
    assert bool(reasons) == flagged
    if flagged:
        assert reasons[0].text == f"No activity for {int(quiet)} days."
        assert reasons[0].since == NOW - timedelta(days=quiet) + timedelta(days=14)


def test_failing_twice_is_flagged_until_passed(fixture_course):
    twice = [attempt(FIRST, False, 3), attempt(FIRST, False, 2)]
    reasons = dashboard.check_in_reasons(fixture_course, NOW, twice, [], NOW, 14)
    assert [r.text for r in reasons] == ["Tried the “First steps” quiz twice and has not passed it yet."]
    assert reasons[0].since == NOW - timedelta(days=2)
    assert dashboard.check_in_reasons(fixture_course, NOW, [*twice, attempt(FIRST, True, 1)], [], NOW, 14) == ()
    assert dashboard.check_in_reasons(fixture_course, NOW, [attempt(FIRST, False, 1)], [], NOW, 14) == ()
    again = [attempt(FIRST, True, 5), attempt(FIRST, False, 2), attempt(FIRST, False, 1), attempt(FIRST, False, 0)]
    assert [r.text for r in dashboard.check_in_reasons(fixture_course, NOW, again, [], NOW, 14)] == [
        "Did not pass the “First steps” quiz the last 3 times (passed it before)."
    ]


def test_a_critical_miss_on_the_latest_attempt_is_flagged(app, fixture_course):
    leader = quick_user(app, Role.FACILITATOR)
    group = make_group(app, leader)
    missed_then_right, right_then_missed = quick_user(app, name="A"), quick_user(app, name="B")
    for learner in (missed_then_right, right_then_missed):
        add_member(app, group, learner)
        pass_module(app, learner, FIRST, days_ago=5)
        finish_lessons(app, learner, SAFE, days_ago=5)
    take_quiz(app, missed_then_right, SAFE, wrong=("response-order",), days_ago=3)
    take_quiz(app, missed_then_right, SAFE, days_ago=2)
    take_quiz(app, right_then_missed, SAFE, days_ago=3)
    take_quiz(app, right_then_missed, SAFE, wrong=("response-order", "stay"), days_ago=2)
    with app.app_context():
        rows = {r.member.display_name: r for r in dashboard.group_progress(fixture_course, group.id, utcnow(), 14).learners}
    assert rows["A"].reasons == ()
    assert [r.text for r in rows["B"].reasons] == [
        "Missed a must-get-right question on their latest “Staying safe” quiz: “Put the steps in order.”"
    ]


def test_last_activity_is_the_latest_sign_of_life_or_the_day_they_joined(app):
    leader = quick_user(app, Role.FACILITATOR)
    group = make_group(app, leader)
    never, reader = quick_user(app, name="Never"), quick_user(app, name="Reader")
    add_member(app, group, never, joined_days_ago=16)
    add_member(app, group, reader, joined_days_ago=30)
    set_last_seen(app, reader, 25)
    finish_lessons(app, reader, FIRST, count=1, days_ago=3)
    with app.app_context():
        rows = {r.member.display_name: r for r in dashboard.group_progress(course(app), group.id, utcnow(), 14).learners}
    assert rows["Never"].quiet_days == 16 and rows["Never"].reasons[0].text == "No activity for 16 days."
    assert rows["Reader"].quiet_days == 3 and rows["Reader"].reasons == ()


# --- small pieces -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
     ("Sam", "Sam"), (42, "42"), (None, ""), ("a=b", "a=b")],
)
def test_spreadsheet_safe(value, safe):
    assert dashboard.spreadsheet_safe(value) == safe


def test_paginate_clamps_to_the_pages_there_are():
    items = list(range(120))
    assert dashboard.paginate(items, 1).items == list(range(50))
    assert dashboard.paginate(items, 3).items == list(range(100, 120))
    assert dashboard.paginate(items, 99).number == 3
    assert dashboard.paginate(items, -5).number == 1
    assert dashboard.paginate([], 1).count == 1


def test_the_query_counter_sees_queries(app):
    with count_queries(app) as statements, app.app_context():
        db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt))
    assert len(statements) == 1
