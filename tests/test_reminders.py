"""Opt-in reminder mail through a real SMTP server: choices, the outbox, one-click unsubscribe, outages, races."""

import re
import threading
from datetime import timedelta

import sqlalchemy as sa

from course import reminders
from course.extensions import db
from course.models import KnowledgeCheck, ReminderMail, ReminderPreference, User, utcnow
from tests.conftest import csrf_token
from tests.group_builders import take_quiz
from tests.mailbox import body, free_port, link_in
from tests.test_learn import count
from tests.test_refreshers import age_passes, learner, overdose  # noqa: F401  (fixtures)

TOPIC_WORDS = re.compile(r"overdose|opioid|heroin|naloxone|drug|addict|course|lesson|quiz|refresher", re.IGNORECASE)


def opt_in(app, user_id: int, away_days: int = 0) -> None:
    with app.app_context():
        reminders.set_reminders(user_id, True)
        user = db.session.get(User, user_id)
        user.last_seen_at = user.created_at = utcnow() - timedelta(days=away_days)
        db.session.commit()


def send(app):
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_are_off_until_chosen_on_the_account_page(app, client, login_as):
    user = login_as()
    page = client.get("/account").text
    assert re.search(r'<input id="email_reminders" name="email_reminders" type="checkbox" value="y">', page)
    response = client.post("/account/reminders", data={"csrf_token": csrf_token(page), "email_reminders": "y"})
    assert response.status_code == 302
    assert '<input checked id="email_reminders"' in client.get("/account").text
    with app.app_context():
        assert reminders.wants_reminders(user.id) is True
    client.post("/account/reminders", data={"csrf_token": csrf_token(page)})
    with app.app_context():
        assert reminders.wants_reminders(user.id) is False


def test_the_home_page_asks_once(app, client, login_as):
    user = login_as()
    home = client.get("/learn").text
    assert "Would you like reminders by email?" in home
    response = client.post("/learn/reminders", data={"csrf_token": csrf_token(home), "answer_no": "No, thank you"})
    assert response.status_code == 302
    assert "Would you like reminders by email?" not in client.get("/learn").text
    with app.app_context():
        assert reminders.wants_reminders(user.id) is False


def test_a_learner_away_for_20_days_gets_one_neutral_mail_with_a_one_click_unsubscribe(app, client, mailbox, make_user):
    away, here, silent = make_user(), make_user(), make_user()
    opt_in(app, away.id, away_days=20)
    opt_in(app, here.id, away_days=3)
    with app.app_context():
        user = db.session.get(User, silent.id)
        user.last_seen_at = utcnow() - timedelta(days=40)  # away, but never opted in
        db.session.commit()
    output = send(app)
    assert "1 sent" in output
    assert len(mailbox.messages) == 1
    message = mailbox.last_to(away.email)
    assert message["Subject"] == "A note from Lantern" and message["From"].startswith("Lantern <")
    text = body(message)
    assert "It's been a while since you visited. Your next step is waiting:" in text
    assert not TOPIC_WORDS.search(message["Subject"] + message["From"] + text)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = link_in(message, "/reminders/unsubscribe/")
    assert message["List-Unsubscribe"].endswith(unsubscribe + ">")

    assert "0 sent" in send(app)  # the same absence is mailed once
    assert len(mailbox.messages) == 1
    with app.app_context():
        row = db.session.scalars(sa.select(ReminderMail)).one()
        assert (row.user_id, row.kind, row.status, row.attempts) == (away.id, "away", "sent", 1)

    page = client.get(unsubscribe)  # no login needed
    assert page.status_code == 200 and "Stop reminder emails" in page.text
    done = client.post(unsubscribe, data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 200 and "no more reminder emails" in done.text
    with app.app_context():
        assert reminders.wants_reminders(away.id) is False


def test_the_rfc_8058_one_click_post_unsubscribes_without_a_form(app, client, mailbox, make_user):
    user = make_user()
    opt_in(app, user.id, away_days=15)
    send(app)
    unsubscribe = link_in(mailbox.last_to(user.email), "/reminders/unsubscribe/")
    response = client.post(
        unsubscribe, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    with app.app_context():
        assert reminders.wants_reminders(user.id) is False
    assert client.post("/reminders/unsubscribe/forged.token").status_code == 404
    assert client.get("/reminders/unsubscribe/" + unsubscribe.rsplit("/", 1)[1][:-2] + "xx").status_code == 404


def test_someone_who_opts_out_after_queueing_is_not_mailed(app, mailbox, make_user):
    user = make_user()
    opt_in(app, user.id, away_days=15)
    with app.app_context():
        from course.loaded import get_course

        reminders.queue(reminders.due_reminders(get_course(), utcnow()))
        reminders.set_reminders(user.id, False)
    assert "1 no longer wanted" in send(app)
    assert mailbox.messages == []


def test_a_refresher_reminder_links_the_refresher(app, overdose, learner, mailbox):  # noqa: F811
    _, user = learner
    opt_in(app, user.id)
    age_passes(app, user.id, 95)
    result = overdose.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0 and "1 sent" in result.output
    message = mailbox.last_to(user.email)
    assert link_in(message, "/learn/refresher") == "/learn/refresher"
    assert not TOPIC_WORDS.search(message["Subject"])


def test_the_follow_up_reminder_comes_90_days_after_the_after_check(app, mailbox, make_user):
    checked, recent = make_user(), make_user()
    for person, days in ((checked, 91), (recent, 30)):
        opt_in(app, person.id)
        with app.app_context():
            db.session.add(
                KnowledgeCheck(
                    user_id=person.id,
                    kind="after",
                    taken_at=utcnow() - timedelta(days=days),
                    score=80,
                    correct_count=4,
                    question_count=5,
                    confidence_overdose=3,
                    confidence_naloxone=3,
                    confidence_support=3,
                    answers=[],
                    content_version="v",
                )
            )
            db.session.commit()
    send(app)
    assert [m["To"] for m in mailbox.messages] == [checked.email]
    assert link_in(mailbox.last_to(checked.email), "/learn/knowledge-check") == "/learn/knowledge-check"


def test_the_follow_up_reminder_without_an_after_check_counts_from_the_end_of_the_course(app, mailbox, make_user):
    user = make_user()
    opt_in(app, user.id)
    for slug in ("first-steps", "staying-safe"):
        take_quiz(app, user, slug, days_ago=100)
    send(app)
    assert link_in(mailbox.last_to(user.email), "/learn/knowledge-check")


def test_a_mail_server_that_is_down_is_reported_and_retried(app, mailbox, make_user, caplog):
    user = make_user()
    opt_in(app, user.id, away_days=20)
    working_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    try:
        output = send(app)  # exit 0: the run completed; the failure is retried
    finally:
        app.config["MAIL_PORT"] = working_port
    assert "1 failed" in output and mailbox.messages == []
    assert user.email not in caplog.text
    with app.app_context():
        row = db.session.scalars(sa.select(ReminderMail)).one()
        assert (row.status, row.attempts, row.last_error) == ("failed", 1, "ConnectionRefusedError")
    assert "1 sent" in send(app)
    assert len(mailbox.to(user.email)) == 1
    with app.app_context():
        row = db.session.scalars(sa.select(ReminderMail)).one()
        assert (row.status, row.attempts) == ("sent", 2)


def test_a_mail_that_keeps_failing_is_given_up_after_five_tries(app, make_user):
    user = make_user()
    opt_in(app, user.id, away_days=20)
    working_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()
    try:
        for _ in range(reminders.MAX_ATTEMPTS + 2):
            send(app)
    finally:
        app.config["MAIL_PORT"] = working_port
    with app.app_context():
        assert db.session.scalar(sa.select(ReminderMail.attempts)) == reminders.MAX_ATTEMPTS


def test_two_runs_at_once_send_each_mail_once(app, mailbox, make_user):
    people = [make_user() for _ in range(8)]
    for person in people:
        opt_in(app, person.id, away_days=20)
    barrier = threading.Barrier(2)
    reports, failures = [], []

    def run_once():
        try:
            with app.app_context():
                from course.loaded import get_course

                barrier.wait(timeout=10)
                reports.append(reminders.run(get_course()))
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            failures.append(error)

    threads = [threading.Thread(target=run_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(m["To"] for m in mailbox.messages) == sorted(p.email for p in people)
    assert sum(report.sent for report in reports) == len(people)
    assert count(app, ReminderMail, status="sent") == len(people)


def test_deleting_the_account_removes_its_reminders(app, client, make_user, mailbox):
    user = make_user()
    opt_in(app, user.id, away_days=20)
    send(app)
    with app.app_context():
        from course import privacy

        exported = privacy.export_data(db.session.get(User, user.id))
        assert exported["records"]["reminder_mails"][0]["kind"] == "away"
        privacy.delete_account(db.session.get(User, user.id))
    assert count(app, ReminderMail) == 0 and count(app, ReminderPreference) == 0


def test_someone_due_several_reminders_gets_one_a_week_the_refresher_first(app, overdose, learner, mailbox):  # noqa: F811
    _, user = learner
    opt_in(app, user.id, away_days=30)
    age_passes(app, user.id, 95)
    runner = overdose.test_cli_runner()
    assert "1 sent" in runner.invoke(args=["reminders", "send"]).output
    assert link_in(mailbox.last_to(user.email), "/learn/refresher") == "/learn/refresher"
    assert "0 sent" in runner.invoke(args=["reminders", "send"]).output  # the "away" one waits a week
    with app.app_context():
        db.session.execute(sa.update(ReminderMail).values(created_at=utcnow() - timedelta(days=8)))
        db.session.commit()
    assert "1 sent" in runner.invoke(args=["reminders", "send"]).output
    assert "It's been a while since you visited" in body(mailbox.messages[-1])
    assert len(mailbox.messages) == 2
