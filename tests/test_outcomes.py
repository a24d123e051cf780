"""Outcomes pages over real HTTP: averages before, after and at follow-up, small numbers held back,
who may see what, the CSV, and a fixed number of SQL queries whatever the group's size."""

import csv
import io

from course.extensions import db
from course.models import KnowledgeCheck, Role, User
from tests.group_builders import add_member, make_group, quick_user, text_of
from tests.test_dashboard_queries import count_queries

HELD_BACK = "fewer than 5 people — not shown, to protect their privacy and because so few answers say little"


def add_check(app, user, kind: str, score: int, confidence=(2, 2, 2)) -> None:
    with app.app_context():
        db.session.add(
            KnowledgeCheck(
                user_id=user.id, kind=kind, score=score, correct_count=score // 10, question_count=10,
                confidence_overdose=confidence[0], confidence_naloxone=confidence[1], confidence_support=confidence[2],
                answers=[], content_version="test",
            )
        )
        db.session.commit()


def group_with_results(app, name="Tuesday family group", before=(40, 50, 60, 50, 50, 70), after=(80, 90, 70, 80, 80), follow_up=(70, 80)):
    """Return (facilitator, group): learners took 'before', then the first ones 'after' and 'follow_up'."""
    leader = quick_user(app, Role.FACILITATOR, "Robin")
    group = make_group(app, leader, name)
    for index, score in enumerate(before):
        learner = quick_user(app, name=f"Learner {index}")
        add_member(app, group, learner)
        add_check(app, learner, "before", score, (1, 2, 2))
        if index < len(after):
            add_check(app, learner, "after", after[index], (4, 5, 3))
        if index < len(follow_up):
            add_check(app, learner, "follow_up", follow_up[index], (4, 4, 4))
    return leader, group


def test_the_facilitator_sees_the_groups_averages_and_the_change(app, client, auth):
    leader, group = group_with_results(app)
    auth.login(leader.email)
    page = client.get(f"/facilitator/groups/{group.id}/outcomes")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Before the course 6 53%" in words  # (40+50+60+50+50+70) / 6 = 53.3
    assert "After the course 5 80%" in words
    assert f"Follow-up {HELD_BACK}" in words
    assert "Change from before to after the course: +27 points" in words
    # The five who took both gained 40, 40, 10, 30 and 30 points.
    assert "People who took both the before and the after check: 5. Their own scores changed by +30 points" in words
    assert "Respond to an overdose 1.0 4.0 not shown" in words
    assert "Give naloxone 2.0 5.0 not shown" in words
    assert "to protect their privacy" in words and "could work out one person’s answers" in words
    # The chart is inline SVG with classes, no style attribute (the CSP forbids them).
    assert '<svg class="outcomes-chart"' in page.text and 'class="chart-after"' in page.text
    assert "style=" not in page.text[page.text.index("<main") :]
    progress = client.get(f"/facilitator/groups/{group.id}").text
    assert f'href="/facilitator/groups/{group.id}/outcomes"' in progress


def test_deactivated_learners_and_other_groups_do_not_count(app, client, auth):
    leader, group = group_with_results(app, before=(50, 50, 50, 50, 50), after=(), follow_up=())
    _, other = group_with_results(app, "Other group", before=(0, 0, 0, 0, 0), after=(), follow_up=())
    auth.login(leader.email)
    assert "Before the course 5 50%" in text_of(client.get(f"/facilitator/groups/{group.id}/outcomes").text)
    with app.app_context():
        member = db.session.scalars(db.select(User).where(User.display_name == "Learner 0")).first()
        member.active = False
        db.session.commit()
    words = text_of(client.get(f"/facilitator/groups/{group.id}/outcomes").text)
    assert f"Before the course {HELD_BACK}" in words and "50%" not in words


def test_a_group_without_checks_says_so(app, client, auth):
    leader = quick_user(app, Role.FACILITATOR, "Robin")
    group = make_group(app, leader)
    auth.login(leader.email)
    words = text_of(client.get(f"/facilitator/groups/{group.id}/outcomes").text)
    assert "Nobody has taken a knowledge check yet." in words and "Before the course Nobody yet" in words


def test_only_the_groups_facilitator_and_admins_see_it(app, client, auth):
    _, group = group_with_results(app)
    urls = (f"/facilitator/groups/{group.id}/outcomes", f"/facilitator/groups/{group.id}/outcomes.csv")
    for role, expected in ((Role.LEARNER, 404), (Role.FACILITATOR, 404), (Role.ADMIN, 200)):
        person = quick_user(app, role)
        auth.login(person.email)
        assert [client.get(url).status_code for url in urls] == [expected, expected], role
        auth.logout()
    assert client.get(urls[0]).status_code == 302  # not logged in: the login page
    assert client.get("/facilitator/groups/999999/outcomes").status_code == 302


def test_the_program_page_is_for_admins_with_every_group(app, client, auth):
    group_with_results(app)
    group_with_results(app, "Thursday group", before=(90, 94), after=(), follow_up=())
    for role in (Role.LEARNER, Role.FACILITATOR):
        person = quick_user(app, role)
        auth.login(person.email)
        assert client.get("/admin/outcomes").status_code == 404
        assert client.get("/admin/outcomes.csv").status_code == 404
        auth.logout()
    admin = quick_user(app, Role.ADMIN)
    auth.login(admin.email)
    words = text_of(client.get("/admin/outcomes").text)
    assert "Before the course 8 63%" in words  # (320 + 184) / 8: the program counts every group's learners
    assert "Thursday group fewer than 5 people, not shown nobody yet nobody yet" in words
    assert "Tuesday family group 53% (6 people) 80% (5 people) fewer than 5 people, not shown" in words
    assert 'href="/admin/outcomes"' in client.get("/admin/users").text


def test_the_csv_has_a_bom_neutral_cells_and_no_held_back_numbers(app, client, auth):
    leader, group = group_with_results(app, name="=HYPERLINK(1)")
    auth.login(leader.email)
    response = client.get(f"/facilitator/groups/{group.id}/outcomes.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["Group", "Check", "People who took it", "Average score %"]
    assert rows[1] == ["'=HYPERLINK(1)", "Before the course", "6", "53", "1.0", "2.0", "2.0"]
    assert rows[2] == ["'=HYPERLINK(1)", "After the course", "5", "80", "4.0", "5.0", "3.0"]
    assert rows[3] == ["'=HYPERLINK(1)", "Follow-up", "fewer than 5", "", "", "", ""]
    assert rows[4] == ["'=HYPERLINK(1)", "Same people, before to after (change in points)", "5", "30", "", "", ""]


def test_outcomes_pages_run_the_same_number_of_queries_for_5_or_40_learners(app, client, auth):
    small_leader, small = group_with_results(app, "Small")
    _, large = group_with_results(app, "Large", before=tuple(range(40)), after=tuple(range(30)), follow_up=tuple(range(20)))
    admin = quick_user(app, Role.ADMIN)
    auth.login(admin.email)
    client.get(f"/facilitator/groups/{small.id}/outcomes")  # the first request after login also touches the session
    counts = {}
    for name, group in (("small", small), ("large", large)):
        for url in (f"/facilitator/groups/{group.id}/outcomes", f"/facilitator/groups/{group.id}/outcomes.csv"):
            with count_queries(app) as statements:
                assert client.get(url).status_code == 200
            counts[(name, url.rsplit("/", 1)[1])] = len(statements)
    assert counts[("small", "outcomes")] == counts[("large", "outcomes")]
    assert counts[("small", "outcomes.csv")] == counts[("large", "outcomes.csv")]
    with count_queries(app) as first:
        client.get("/admin/outcomes")
    group_with_results(app, "Third", before=tuple(range(25)))
    with count_queries(app) as second:
        client.get("/admin/outcomes")
    assert len(first) == len(second), (first, second)
    assert counts[("small", "outcomes")] <= 6, counts
