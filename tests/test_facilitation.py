"""Facilitators acting, not only watching: contacts and snoozes on check-ins, wrong answers
by question and module, co-facilitators, handing a group over, the printable invite sheet.
Real HTTP requests on a real database."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from course import access, dashboard, groups
from course.extensions import db
from course.models import AttemptAnswer, CheckInAction, Group, GroupFacilitator, LessonProgress, Role, User, utcnow
from tests.conftest import csrf_token
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
    text_of,
)


@pytest.fixture
def world(app):
    """Robin leads "Tuesday group": Una keeps failing quiz one, Wes has gone quiet, Sam is fine.
    Another facilitator leads another group; Ash can be made Robin's co-facilitator."""
    robin = quick_user(app, Role.FACILITATOR, "Robin", email="robin@example.org")
    group = make_group(app, robin, "Tuesday group")
    una, wes, sam = quick_user(app, name="Una"), quick_user(app, name="Wes"), quick_user(app, name="Sam")
    for learner in (una, wes, sam):
        add_member(app, group, learner, joined_days_ago=30)
    finish_lessons(app, una, FIRST, days_ago=5)
    take_quiz(app, una, FIRST, wrong=("health-problem", "what-helps"), days_ago=4)
    take_quiz(app, una, FIRST, wrong=("health-problem", "what-helps"), days_ago=3)
    set_last_seen(app, wes, 20)
    pass_module(app, sam, FIRST)
    other = quick_user(app, Role.FACILITATOR, "Other leader", email="other@example.org")
    return SimpleNamespace(
        robin=robin, group=group, una=una, wes=wes, sam=sam, other=other,
        other_group=make_group(app, other, "Thursday group"),
        ash=quick_user(app, Role.FACILITATOR, "Ash", email="ash@example.org"),
        admin=quick_user(app, Role.ADMIN, "Site admin", email="admin@example.org"),
    )


def post_prefixed(client, path: str, page_path: str, prefix: str, data: dict):
    """Post a form whose fields carry a prefix (a list shows one form per learner)."""
    token = csrf_token_prefixed(client.get(page_path).text, prefix)
    fields = {(name if name == "back" else f"{prefix}-{name}"): value for name, value in data.items()}
    return client.post(path, data={**fields, f"{prefix}-csrf_token": token})


def csrf_token_prefixed(html: str, prefix: str) -> str:
    match = re.search(rf'type="hidden" name="{re.escape(prefix)}-csrf_token" value="([^"]+)"', html)
    return match.group(1) if match else csrf_token(html)


def contact(client, world, learner, day: str, note: str = "", back: str = "check_ins"):
    base = f"/facilitator/groups/{world.group.id}"
    return post_prefixed(
        client, f"{base}/learners/{learner.id}/contact", f"{base}/check-ins", f"learner-{learner.id}",
        {"contacted_on": day, "note": note, "back": back},
    )


def snooze(client, world, learner, days) -> object:
    base = f"/facilitator/groups/{world.group.id}"
    return post_prefixed(
        client, f"{base}/learners/{learner.id}/snooze", f"{base}/check-ins", f"learner-{learner.id}", {"days": days}
    )


def actions(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            sa.select(CheckInAction.learner_id, CheckInAction.kind, CheckInAction.note).order_by(CheckInAction.id)
        ).all()


def today() -> str:
    return utcnow().date().isoformat()


# --- check-ins you can act on ---------------------------------------------------------------


def test_a_contact_with_a_private_note_shows_on_the_list_and_the_learners_page(app, client, auth, world):
    auth.login(world.robin.email)
    base = f"/facilitator/groups/{world.group.id}"
    before = text_of(client.get(f"{base}/check-ins").text)
    assert "2 learners, 2 not contacted yet." in before
    # Most urgent first: a quiz failed twice comes before a quiet spell.
    assert before.index("Una ·") < before.index("Wes ·")

    response = contact(client, world, world.una, today(), "Talked after the meeting; she felt the quiz was rushed.")
    assert response.status_code == 302 and response.location == f"{base}/check-ins"
    after = text_of(client.get(f"{base}/check-ins").text)
    assert "2 learners, 1 not contacted yet." in after
    # Contacted people move below those still waiting, with the day of the contact.
    assert after.index("Wes ·") < after.index("Una ·")
    assert re.search(r"Una · last active 3 days ago · last contacted \w+ \d+, \d{4} contacted", after)

    learner_page = text_of(client.get(f"{base}/learners/{world.una.id}").text)
    assert "by Robin: Talked after the meeting; she felt the quiz was rushed." in learner_page
    assert "Private: only this group’s facilitators and admins see these notes." in learner_page


def test_a_note_is_seen_by_the_groups_facilitators_and_admins_only(app, client, auth, world):
    auth.login(world.robin.email)
    contact(client, world, world.una, today(), "Worried about her son this week.")
    auth.logout()
    learner_page = f"/facilitator/groups/{world.group.id}/learners/{world.una.id}"
    with app.app_context():
        groups.add_facilitator(db.session.get(Group, world.group.id), world.ash.email)
    for person, sees in ((world.ash, True), (world.admin, True), (world.other, False)):
        auth.login(person.email)
        response = client.get(learner_page)
        assert (response.status_code, "Worried about her son" in response.text) == ((200, True) if sees else (404, False))
        auth.logout()
    # Other learners never see it: not on their pages, and the facilitator pages are 404 for them.
    auth.login(world.sam.email)
    for path in ("/learn", "/account", learner_page, f"/facilitator/groups/{world.group.id}/check-ins"):
        assert "Worried about her son" not in client.get(path).text


def test_bad_contacts_and_snoozes_are_refused_and_save_nothing(app, client, auth, world):
    auth.login(world.robin.email)
    future = (utcnow().date() + timedelta(days=2)).isoformat()
    long_ago = (utcnow().date() - timedelta(days=800)).isoformat()
    for day, note, message in (
        (future, "", "The day of the contact cannot be in the future."),
        (long_ago, "", "Please give a day within the last year."),
        ("not a date", "", "Not a valid date value."),
        ("", "", "Please give the day of the contact."),
        (today(), "x" * 501, "Please keep the note to 500 characters."),
    ):
        response = contact(client, world, world.una, day, note)
        assert response.status_code == 400 and message in response.text, message
    for days in ("0", "91", "abc", ""):
        response = snooze(client, world, world.una, days)
        assert response.status_code == 400
    assert "Please choose from 1 to 90 days." in snooze(client, world, world.una, "0").text
    # Without the form's token, and for someone outside the group: refused too.
    base = f"/facilitator/groups/{world.group.id}"
    assert client.post(f"{base}/learners/{world.una.id}/contact", data={f"learner-{world.una.id}-contacted_on": today()}).status_code == 400
    outsider = quick_user(app, name="Not in the group")
    response = contact(client, world, outsider, today())
    assert response.status_code == 404
    auth.logout()
    auth.login(world.other.email)
    response = contact(client, world, world.una, today())
    assert response.status_code == 404
    assert actions(app) == []


def test_a_snoozed_learner_leaves_the_list_until_a_new_reason_brings_them_back(app, client, auth, world):
    auth.login(world.robin.email)
    base = f"/facilitator/groups/{world.group.id}"
    response = snooze(client, world, world.una, "7")
    assert response.status_code == 302
    page = text_of(client.get(f"{base}/check-ins").text)
    waiting, snoozed = page.split("Snoozed (1)")
    assert "Una ·" not in waiting and "Una · until" in snoozed
    assert "1 learners" not in page and "1 learner, 1 not contacted yet." in page
    # Wes's snooze and quiet spell stay as they are; Una fails the quiz again: a NEW reason.
    take_quiz(app, world.una, FIRST, wrong=("health-problem", "what-helps"), days_ago=0)
    page = text_of(client.get(f"{base}/check-ins").text)
    assert "Snoozed" not in page and "Una · last active today" in page
    assert "Tried the “First steps” quiz 3 times and has not passed it yet." in page


def test_a_snooze_ends_by_itself(app, client, auth, world):
    with app.app_context():
        db.session.add(CheckInAction(group_id=world.group.id, learner_id=world.wes.id, staff_id=world.robin.id,
                                     kind="snoozed", snoozed_until=utcnow() - timedelta(hours=1),
                                     created_at=utcnow() - timedelta(days=3)))
        db.session.commit()
    auth.login(world.robin.email)
    page = text_of(client.get(f"/facilitator/groups/{world.group.id}/check-ins").text)
    assert "Snoozed" not in page and "Wes · last active 20 days ago" in page


def test_contact_from_the_learners_page_returns_there(app, client, auth, world):
    auth.login(world.robin.email)
    base = f"/facilitator/groups/{world.group.id}"
    response = post_prefixed(client, f"{base}/learners/{world.wes.id}/contact", f"{base}/learners/{world.wes.id}",
                             f"learner-{world.wes.id}", {"contacted_on": today(), "back": "learner"})
    assert response.location == f"{base}/learners/{world.wes.id}"
    # An unknown "back" (tampering) goes to the learner's page too, never elsewhere.
    response = contact(client, world, world.wes, today(), back="https://evil.example/")
    assert response.location == f"{base}/learners/{world.wes.id}"
    assert [kind for _, kind, _ in actions(app)] == ["contacted", "contacted"]


def test_notes_are_in_the_learners_export_and_deleted_with_the_learner(app, client, auth, world):
    auth.login(world.robin.email)
    contact(client, world, world.una, today(), "Gave her the clinic's number.")
    snooze(client, world, world.una, "3")
    with app.app_context():
        exported = dashboard.export_for_learner(world.una.id)
        assert [(row["group"], row["kind"], row["note"]) for row in exported] == [
            ("Tuesday group", "contacted", "Gave her the clinic's number."),
            ("Tuesday group", "snoozed", ""),
        ]
        assert exported[0]["contacted_on"] == today() and exported[1]["snoozed_until"]
        assert dashboard.export_for_learner(world.wes.id) == []
        db.session.execute(sa.delete(User).where(User.id == world.una.id))
        db.session.commit()
    assert actions(app) == []


# --- results that start a conversation ----------------------------------------------------------


def test_results_for_one_module_name_the_wrong_answers_people_chose(app, client, auth, world):
    for name in ("Ada", "Bo", "Cy"):
        learner = quick_user(app, name=name)
        add_member(app, world.group, learner)
        take_quiz(app, learner, FIRST, wrong=("health-problem", "what-helps"))
    auth.login(world.robin.email)
    page = client.get(f"/facilitator/groups/{world.group.id}/questions?module={FIRST}")
    words = text_of(page.text)
    assert page.status_code == 200
    assert "Results by question: 1. First steps" in words
    assert "Quiz of “Staying safe”" not in words
    # Una (latest try wrong), Ada, Bo and Cy missed it; Sam got it right: 4 of 5 who were asked.
    question = words[words.index("What is opioid use disorder?"):]
    assert question.startswith("What is opioid use disorder? Quiz of “First steps” 4 of 5 who were asked missed it.")
    assert re.search(r"Wrong answers they gave: 4 chose “[^”]+”", question)
    assert "Which of these help? Select all that apply. Quiz of “First steps” 4 of 5 who were asked missed it." in words
    assert 'href="/learn/first-steps/hello"' in page.text
    # The next step is at the top and at the bottom of the page.
    assert words.count("Next module: Staying safe") == 2
    assert 'id="module-picker"' in page.text and f'<option value="{FIRST}" selected>' in page.text


def test_an_unknown_module_is_a_404(client, auth, world):
    auth.login(world.robin.email)
    assert client.get(f"/facilitator/groups/{world.group.id}/questions?module=nope").status_code == 404
    assert client.get(f"/facilitator/groups/{world.group.id}/questions?module=%00").status_code == 400


def test_a_question_counts_only_the_people_who_were_asked_it(app, client, auth, world):
    """Quizzes draw from a pool: a question left out of someone's latest attempt keeps their earlier answer."""
    drawn = quick_user(app, name="Drawn")
    add_member(app, world.group, drawn)
    take_quiz(app, drawn, FIRST, wrong=("call-911",), days_ago=2)
    attempt_id = take_quiz(app, drawn, FIRST, days_ago=1)
    with app.app_context():  # the latest attempt did not ask call-911
        db.session.execute(sa.delete(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.question_id == "call-911"))
        db.session.commit()
        results = {r.question.id: r for r in dashboard.question_results(course(app), world.group.id, course(app).module(FIRST)).answered}
    # Una, Sam and Drawn: Drawn's answer comes from the attempt that asked it.
    assert (results["call-911"].answered, results["call-911"].missed) == (3, 1)
    assert results["call-911"].summary == "1 of 3 who were asked missed it."
    # A learner never asked a question is not counted for it.
    never = quick_user(app, name="Never asked")
    add_member(app, world.group, never)
    attempt_id = take_quiz(app, never, FIRST)
    with app.app_context():
        db.session.execute(sa.delete(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.question_id == "call-911"))
        db.session.commit()
        results = {r.question.id: r for r in dashboard.question_results(course(app), world.group.id).answered}
    assert results["call-911"].answered == 3 and results["health-problem"].answered == 4


def test_wrong_answers_in_words_for_each_kind_of_question(app):
    with app.app_context():
        safe = course(app).module(SAFE).quiz
        order = safe.question("response-order")
        words = [w.summary for w in dashboard.questions.wrong_answers(order, [["naloxone", "call", "check"]] * 2)]
        assert words == ["2 put the steps in this order: Give naloxone → Call 911 → Check them"]
        multiple = course(app).module(FIRST).quiz.question("what-helps")
        right = list(multiple.correct_answer)
        wrong = next(c.id for c in multiple.choices if not c.correct)
        words = [w.summary for w in dashboard.questions.wrong_answers(multiple, [[*right, wrong], right[:1]])]
        assert f"1 chose “{multiple.choice(wrong).text}”" in words
        assert any(w.startswith("1 left out") for w in words)


# --- groups as clinics run them -------------------------------------------------------------


def settings_post(client, world, path: str, prefix: str, email: str):
    base = f"/facilitator/groups/{world.group.id}"
    return post_prefixed(client, f"{base}/{path}", f"{base}/settings", prefix, {"email": email})


def leaders(app, group_id: int) -> list[str]:
    with app.app_context():
        return [user.display_name for user in groups.facilitators_of(group_id)]


def test_a_co_facilitator_sees_and_manages_the_group(app, client, auth, world):
    auth.login(world.robin.email)
    response = settings_post(client, world, "facilitators/add", "add", "ASH@example.org ")
    assert response.status_code == 302
    assert leaders(app, world.group.id) == ["Robin", "Ash"]
    auth.logout()
    auth.login(world.ash.email)
    assert "Tuesday group" in text_of(client.get("/facilitator/groups").text)
    assert "led by Robin and Ash" in text_of(client.get("/facilitator/groups").text)
    assert client.get(f"/facilitator/groups/{world.group.id}/check-ins").status_code == 200
    response = contact(client, world, world.wes, today(), "Ash called.")
    assert response.status_code == 302
    # The learner's join page names both leaders.
    auth.logout()
    auth.login(world.sam.email)
    with app.app_context():
        code = db.session.get(Group, world.group.id).invite_code
    assert "This group is led by Robin and Ash." in text_of(client.get(f"/join/{code}").text)


@pytest.mark.parametrize("email", ["nobody@example.org", "sam@nowhere.org", "not an email"])
def test_only_a_facilitators_account_can_be_added(app, client, auth, world, email):
    auth.login(world.robin.email)
    with app.app_context():
        db.session.get(User, world.sam.id).email = "sam@nowhere.org"
        db.session.commit()
    response = settings_post(client, world, "facilitators/add", "add", email)
    assert response.status_code == 400
    assert "Please check the email address." in response.text or "must belong to a facilitator’s account" in response.text
    assert leaders(app, world.group.id) == ["Robin"]


def test_the_last_facilitator_cannot_leave_but_a_co_facilitator_can_be_removed(app, client, auth, world):
    auth.login(world.robin.email)
    base = f"/facilitator/groups/{world.group.id}"
    token = csrf_token(client.get(f"{base}/settings").text)
    response = client.post(f"{base}/facilitators/{world.robin.id}/remove", data={"csrf_token": token}, follow_redirects=True)
    assert "A group needs at least one facilitator." in text_of(response.text)
    settings_post(client, world, "facilitators/add", "add", world.ash.email)
    assert client.post(f"{base}/facilitators/{world.ash.id}/remove", data={"csrf_token": token}).status_code == 302
    assert leaders(app, world.group.id) == ["Robin"]
    assert client.post(f"{base}/facilitators/{world.other.id}/remove", data={"csrf_token": token}).status_code == 404


def test_handing_a_group_over(app, client, auth, world):
    auth.login(world.robin.email)
    assert settings_post(client, world, "hand-over", "hand", world.robin.email).status_code == 400
    response = settings_post(client, world, "hand-over", "hand", world.ash.email)
    assert response.status_code == 302 and response.location == "/facilitator/groups"
    assert leaders(app, world.group.id) == ["Ash"]
    assert client.get(f"/facilitator/groups/{world.group.id}").status_code == 404
    auth.logout()
    auth.login(world.ash.email)
    assert "Una" in text_of(client.get(f"/facilitator/groups/{world.group.id}").text)


def test_an_archived_group_keeps_its_history(app, client, auth, world):
    auth.login(world.robin.email)
    contact(client, world, world.una, today(), "Before the group ended.")
    base = f"/facilitator/groups/{world.group.id}"
    client.post(f"{base}/archive", data={"csrf_token": csrf_token(client.get(f"{base}/settings").text)})
    words = text_of(client.get(f"{base}/learners/{world.una.id}").text)
    assert "This group was archived" in words and "Before the group ended." in words
    assert "Tried the “First steps” quiz twice" in text_of(client.get(f"{base}/check-ins").text)


def test_deleting_a_facilitators_account_hands_their_groups_to_an_admin(app, world):
    co_led = make_group(app, world.robin, "Co-led group")
    with app.app_context():
        db.session.add(GroupFacilitator(group_id=co_led.id, user_id=world.ash.id))
        db.session.commit()
        handed = groups.hand_over_before_deletion(world.robin.id)
        assert [(group.name, admin.display_name) for group, admin in handed] == [("Tuesday group", "Site admin")]
        db.session.delete(db.session.get(User, world.robin.id))
        db.session.commit()
    assert leaders(app, world.group.id) == ["Site admin"]
    assert leaders(app, co_led.id) == ["Ash"]
    with app.app_context():  # the members' data is all there
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LessonProgress)) > 0
        assert dashboard.group_progress(course(app), world.group.id, utcnow(), 14).learners


def test_without_another_admin_the_group_is_kept_without_a_leader(app, world):
    with app.app_context():
        db.session.get(User, world.admin.id).role = Role.FACILITATOR
        db.session.commit()
        assert [(g.name, a) for g, a in groups.hand_over_before_deletion(world.robin.id)] == [("Tuesday group", None)]
        db.session.delete(db.session.get(User, world.robin.id))
        db.session.commit()
        assert db.session.get(Group, world.group.id) is not None
        assert [g.group.name for g in groups.all_groups()] == ["Thursday group", "Tuesday group"]


def test_a_deleted_facilitators_notes_stay_for_the_group(app, client, auth, world):
    with app.app_context():
        groups.add_facilitator(db.session.get(Group, world.group.id), world.ash.email)
    auth.login(world.ash.email)
    contact(client, world, world.una, today(), "Ash's note.")
    auth.logout()
    with app.app_context():
        groups.hand_over_before_deletion(world.ash.id)
        db.session.delete(db.session.get(User, world.ash.id))
        db.session.commit()
    auth.login(world.robin.email)
    words = text_of(client.get(f"/facilitator/groups/{world.group.id}/learners/{world.una.id}").text)
    assert "by a former facilitator: Ash's note." in words


# --- the invite sheet -----------------------------------------------------------------------


def test_the_invite_sheet_has_the_link_a_qr_code_and_a_welcome(app, client, auth, world):
    app.config["BASE_URL"] = "https://lantern.clinic.example"
    try:
        auth.login(world.robin.email)
        page = client.get(f"/facilitator/groups/{world.group.id}/invite-sheet")
    finally:
        app.config["BASE_URL"] = ""
    with app.app_context():
        code = db.session.get(Group, world.group.id).invite_code
    words = text_of(page.text)
    assert page.status_code == 200
    assert "Join “Tuesday group” on Lantern" in words
    # The link is built on LANTERN_BASE_URL, not on the address the request came to.
    assert f"https://lantern.clinic.example/join/{code}" in words and "localhost/join" not in page.text
    assert re.search(r'<svg role="img"[^>]*class="qr-code"><title>QR code of the join link</title><path', page.text)
    assert "Any name is fine." in words and "call 911" in words
    assert "<script>" not in page.text


def test_the_settings_page_offers_a_copy_button_that_needs_javascript(client, auth, world):
    auth.login(world.robin.email)
    page = client.get(f"/facilitator/groups/{world.group.id}/settings").text
    assert '<button type="button" class="button button-secondary" data-copy-target="join-link" hidden>' in page
    assert '<span id="join-link">http://localhost/join/' in page
    assert 'src="/static/copy-link.js"' in page and "<script>" not in page


# --- who may use the new pages ----------------------------------------------------------------

NEW_URLS = (
    ("GET", "/facilitator/groups/{group}/invite-sheet", None, None),
    ("GET", "/facilitator/groups/{group}/questions?module=first-steps", None, None),
    ("POST", "/facilitator/groups/{group}/learners/{member}/contact", "learner-{member}", {"contacted_on": "{today}", "note": "x"}),
    ("POST", "/facilitator/groups/{group}/learners/{member}/snooze", "learner-{member}", {"days": "7"}),
    ("POST", "/facilitator/groups/{group}/facilitators/add", "add", {"email": "ash@example.org"}),
    ("POST", "/facilitator/groups/{group}/hand-over", "hand", {"email": "ash@example.org"}),
    ("POST", "/facilitator/groups/{group}/facilitators/{leader}/remove", None, {}),
)


@pytest.mark.parametrize("role", ["anonymous", "learner", "other_facilitator", "facilitator", "co_facilitator", "admin"])
@pytest.mark.parametrize(("method", "path", "prefix", "data"), NEW_URLS, ids=[f"{m} {p}" for m, p, _, _ in NEW_URLS])
def test_new_pages_for_every_role(app, client, auth, world, role, method, path, prefix, data):
    with app.app_context():
        if role == "co_facilitator":
            groups.add_facilitator(db.session.get(Group, world.group.id), world.admin.email)
            db.session.get(User, world.admin.id).role = Role.FACILITATOR
            db.session.commit()
        if "remove" in path:  # someone to remove
            groups.add_facilitator(db.session.get(Group, world.group.id), world.other.email)
    people = {"learner": world.sam, "other_facilitator": world.ash, "facilitator": world.robin,
              "co_facilitator": world.admin, "admin": world.admin}
    if role != "anonymous":
        auth.login(people[role].email)
    before = (actions(app), leaders(app, world.group.id))
    values = {"group": world.group.id, "member": world.una.id, "leader": world.other.id, "today": today()}
    url = path.format(**values)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_token(client.get("/account" if role != "anonymous" else "/login").text)
        fields = {(f"{prefix.format(**values)}-{k}" if prefix else k): v.format(**values) for k, v in data.items()}
        csrf_name = f"{prefix.format(**values)}-csrf_token" if prefix else "csrf_token"
        response = client.post(url, data={**fields, csrf_name: token})
    if role == "anonymous":
        assert response.status_code == 302 and response.location.startswith("/login")
    elif role in ("learner", "other_facilitator"):
        assert response.status_code == 404
    else:
        assert response.status_code == (200 if method == "GET" else 302), response.text[:300]
    if role in ("anonymous", "learner", "other_facilitator"):
        assert (actions(app), leaders(app, world.group.id)) == before


def test_the_pages_render_with_csrf_switched_off(app, client, auth, world):
    """The benchmark and some deployments' tests switch CSRF off: the prefixed forms still render."""
    auth.login(world.robin.email)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        for path in ("", "/check-ins", f"/learners/{world.una.id}", "/settings"):
            assert client.get(f"/facilitator/groups/{world.group.id}{path}").status_code == 200, path
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_who_may_see_whom_as_plain_functions(app, world):
    with app.app_context():
        group = db.session.get(Group, world.group.id)
        groups.add_facilitator(group, world.ash.email)
        people = {name: db.session.get(User, person.id) for name, person in
                  (("robin", world.robin), ("ash", world.ash), ("admin", world.admin), ("other", world.other), ("sam", world.sam))}
        assert {name: access.may_manage_group(user, group) for name, user in people.items()} == {
            "robin": True, "ash": True, "admin": True, "other": False, "sam": False,
        }
        people["sam"].active = False
        db.session.commit()
        members = set(db.session.scalars(access.active_member_ids(group.id)))
        assert members == {world.una.id, world.wes.id}
