"""Simultaneous identical requests, really run in parallel (threads, one connection each):
one row each and no 500. Meaningful on PostgreSQL, where CI runs the suite a second time."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import sqlalchemy as sa

from course.extensions import db
from course.models import EmailConfirmation, LessonProgress, User
from tests.conftest import csrf_token
from tests.mailbox import link_in

PARALLEL = 12


def in_parallel(count: int, work):
    """Run work(i) in `count` threads released at the same moment; return the results."""
    barrier = Barrier(count)

    def run(index):
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_simultaneous_registrations_of_one_address_make_one_account(app, mailbox):
    clients = [app.test_client() for _ in range(PARALLEL)]
    tokens = [csrf_token(client.get("/register").text) for client in clients]
    data = {"email": "same@example.org", "display_name": "Same", "password": "a long enough password",
            "confirm": "a long enough password"}
    statuses = in_parallel(PARALLEL, lambda i: clients[i].post("/register", data={**data, "csrf_token": tokens[i]}).status_code)
    assert statuses == [200] * PARALLEL
    links = [link_in(message, "/register/confirm/") for message in mailbox.to("same@example.org")]
    assert len(links) == PARALLEL
    confirmed = in_parallel(PARALLEL, lambda i: app.test_client().get(links[i]).status_code)
    assert 500 not in confirmed and confirmed.count(302) >= 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailConfirmation)) == 0


def test_simultaneous_lesson_completions_make_one_row(app, login_as, client):
    login_as()
    session = client.get_cookie("session").value
    page = client.get("/learn/first-steps/hello")
    token = csrf_token(page.text)
    clients = [app.test_client() for _ in range(PARALLEL)]
    for other in clients:
        other.set_cookie("session", session)
    statuses = in_parallel(
        PARALLEL, lambda i: clients[i].post("/learn/first-steps/hello/complete", data={"csrf_token": token}).status_code
    )
    assert statuses == [302] * PARALLEL
    with app.app_context():
        rows = db.session.scalars(sa.select(LessonProgress)).all()
    assert [(row.lesson_slug, row.completed_at is not None) for row in rows] == [("hello", True)]


def test_simultaneous_joins_of_one_group_make_one_membership(app, login_as, client, make_user):
    from course.models import Membership, Role
    from tests.group_builders import make_group

    group = make_group(app, make_user(Role.FACILITATOR))
    login_as()
    session = client.get_cookie("session").value
    page = client.get(f"/join/{group.invite_code}")
    token = csrf_token(page.text)
    clients = [app.test_client() for _ in range(PARALLEL)]
    for other in clients:
        other.set_cookie("session", session)
    statuses = in_parallel(
        PARALLEL, lambda i: clients[i].post(f"/join/{group.invite_code}", data={"csrf_token": token}).status_code
    )
    assert 500 not in statuses and set(statuses) <= {302, 303}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1
