"""The overdose refresher, its certificate and /verify, through real HTTP on a real database."""

import shutil
from datetime import timedelta

import pytest
import sqlalchemy as sa

from course import refreshers
from course.extensions import db
from course.models import QuizAttempt, RefresherAttempt, ResponseCertificate, utcnow
from tests.conftest import FIXTURE_CONTENT, AuthActions, csrf_token, form_value
from tests.test_learn import answer_fields, complete, count, shown_questions, take_quiz


@pytest.fixture
def overdose(app, extra_app, tmp_path):
    """An app whose second module is the always-open overdose module, two of its questions marked for refreshers."""
    tree = tmp_path / "modules"
    shutil.copytree(FIXTURE_CONTENT, tree)
    with open(tree / "02-staying-safe" / "module.yaml", "a") as meta:
        meta.write("always_open: true\n")
    quiz = tree / "02-staying-safe" / "quiz.yaml"
    text = quiz.read_text()
    for question_id in ("stay", "signs"):
        text = text.replace(f"\n  - id: {question_id}\n", f"\n  - id: {question_id}\n    refresher: true\n")
    quiz.write_text(text)
    return extra_app(app.config["SQLALCHEMY_DATABASE_URI"], content_dir=tree, MAIL_PORT=app.config["MAIL_PORT"])


@pytest.fixture
def learner(overdose, make_user):
    """A learner logged in to the overdose app who has passed the overdose module: (client, user)."""
    client = overdose.test_client()
    user = make_user()
    AuthActions(client).login(user.email)
    complete(client, "staying-safe", "steps")
    assert take_quiz(client, "staying-safe").status_code == 302
    return client, user


def age_passes(app, user_id: int, days: int) -> None:
    """Move the learner's passes of the overdose module (and refreshers) `days` into the past."""
    with app.app_context():
        then = utcnow() - timedelta(days=days)
        db.session.execute(sa.update(QuizAttempt).where(QuizAttempt.user_id == user_id).values(submitted_at=then))
        db.session.execute(
            sa.update(RefresherAttempt).where(RefresherAttempt.user_id == user_id).values(submitted_at=then)
        )
        db.session.commit()


def take_refresher(client, wrong: tuple[str, ...] = ()):
    page = client.get("/learn/refresher")
    assert page.status_code == 200, page.text
    questions = shown_questions(page.text)
    data = {
        "csrf_token": csrf_token(page.text),
        "submission_token": form_value(page.text, "submission_token"),
        **answer_fields("staying-safe", questions, wrong),
    }
    return questions, data, client.post("/learn/refresher", data=data)


def test_a_refresher_falls_due_after_the_set_days_and_a_pass_renews_it(app, overdose, learner):
    client, user = learner
    assert "Your overdose refresher is due" not in client.get("/learn").text
    age_passes(app, user.id, 91)
    assert "Your overdose refresher is due" in client.get("/learn").text
    with overdose.app_context():
        assert set(refreshers.due_since([user.id])) == {user.id}

    questions, _, failed = take_refresher(client, wrong=("response-order",))
    assert set(questions) == {"response-order", "stay", "signs"}  # critical and `refresher: true` only
    result = client.get(failed.headers["Location"]).text
    assert "Not passed yet" in result and "must get right" in result
    assert "Your overdose refresher is due" in client.get("/learn").text

    _, _, passed = take_refresher(client)
    result = client.get(passed.headers["Location"]).text
    assert "You passed." in result and "current until" in result
    assert "Your overdose refresher is due" not in client.get("/learn").text
    with overdose.app_context():
        assert refreshers.due_since([user.id]) == {}
    assert count(app, QuizAttempt) == 1  # refreshers never touch the official attempts
    assert count(app, RefresherAttempt, passed=True) == 1


def test_the_refresher_days_come_from_the_setting(app, overdose, learner):
    client, user = learner
    age_passes(app, user.id, 10)
    assert "Your overdose refresher is due" not in client.get("/learn").text
    overdose.config["REFRESHER_DAYS"] = 7
    assert "Your overdose refresher is due" in client.get("/learn").text


def test_a_replayed_refresher_form_records_one_attempt_and_tampering_saves_nothing(app, learner):
    client, _ = learner
    _, data, first = take_refresher(client)
    again = client.post("/learn/refresher", data=data)
    assert again.headers["Location"] == first.headers["Location"]
    assert count(app, RefresherAttempt) == 1
    page = client.get("/learn/refresher")
    tampered = {
        "csrf_token": csrf_token(page.text),
        "submission_token": form_value(page.text, "submission_token"),
        "q-who-calls": "you",
    }
    assert client.post("/learn/refresher", data=tampered).status_code == 400
    forged = {"csrf_token": csrf_token(page.text), "submission_token": "x" * 30}
    assert client.post("/learn/refresher", data=forged).status_code == 400
    assert count(app, RefresherAttempt, passed=True) == 1
    assert client.get("/learn/refresher/999999").status_code == 404


def test_the_refresher_and_certificate_wait_for_the_module(overdose, make_user):
    client = overdose.test_client()
    AuthActions(client).login(make_user().email)
    assert client.get("/learn/refresher").status_code == 403
    assert client.get("/learn/response-certificate").status_code == 403


def test_the_response_certificate_is_current_while_refreshers_are_done(app, overdose, learner):
    client, user = learner
    page = client.get("/learn/response-certificate")
    assert page.status_code == 200 and "It is current until" in page.text
    pdf = client.get("/learn/response-certificate.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF") and pdf.data.count(b"/Type /Page\n") == 1
    with app.app_context():
        code = db.session.scalar(sa.select(ResponseCertificate.code))
    public = overdose.test_client()
    check = public.get(f"/verify/{code.lower()}")
    assert check.status_code == 200 and "overdose response certificate" in check.text and "It is current" in check.text
    assert user.display_name in check.text and user.email not in check.text
    age_passes(app, user.id, 91)
    assert "It is not current" in public.get(f"/verify/{code}").text
    assert "take the refresher to make it current again" in client.get("/learn").text
    take_refresher(client)
    assert "It is current" in public.get(f"/verify/{code}").text
    assert count(app, ResponseCertificate) == 1
    assert public.get("/verify/NOPE-NOPE-NOPE").status_code == 404


def test_due_since_reads_a_whole_group_in_one_query(app, overdose, make_user):
    learners = []
    for _ in range(3):
        client = overdose.test_client()
        user = make_user()
        AuthActions(client).login(user.email)
        complete(client, "staying-safe", "steps")
        take_quiz(client, "staying-safe")
        learners.append(user.id)
    age_passes(app, learners[0], 100)
    age_passes(app, learners[1], 30)
    outsider = make_user().id  # never passed: not due
    statements = []

    def note(_connection, _cursor, statement, *_args):
        statements.append(statement)

    with overdose.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            due = refreshers.due_since(learners + [outsider])
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", note)
    assert len(statements) == 1
    assert set(due) == {learners[0]}
    assert abs((due[learners[0]] - (utcnow() - timedelta(days=10))).total_seconds()) < 60


def test_the_group_page_and_csv_show_who_is_due_a_refresher_and_since_when(app, overdose, learner, make_user):
    from course.models import Role
    from tests.group_builders import add_member, make_group, text_of

    _, user = learner
    age_passes(app, user.id, 100)
    facilitator = make_user(Role.FACILITATOR)
    group = make_group(app, facilitator)
    add_member(app, group, user)
    due = (utcnow() - timedelta(days=10)).date()
    day = f"{due:%B} {due.day}, {due.year}"
    staff = overdose.test_client()
    AuthActions(staff).login(facilitator.email)
    page = text_of(staff.get(f"/facilitator/groups/{group.id}").text)
    assert f"refresher due since {day}" in page
    csv_text = staff.get(f"/facilitator/groups/{group.id}/progress.csv").get_data(as_text=True)
    header, row = csv_text.lstrip("\ufeff").splitlines()[:2]
    assert "Overdose refresher due since" in header and f"{due:%Y-%m-%d}" in row
