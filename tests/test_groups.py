"""Groups from the learner's side: invite codes, joining by code or link (also right after
registering), the email choice, closed groups, several groups, leaving."""

import re

import pytest
import sqlalchemy as sa

from course import groups
from course.extensions import db
from course.models import Group, Membership, Role, User
from tests.conftest import PASSWORD, AuthActions, csrf_token
from tests.group_builders import add_member, make_group, quick_user, text_of
from tests.mailbox import link_in


def memberships(app, user_id: int) -> dict[int, bool]:
    """Return {group id: share_email} for the user's memberships."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Membership.group_id, Membership.share_email).where(Membership.user_id == user_id)
        ).all()
        return dict(rows)


def submit_code(client, code: str):
    page = client.get("/account")
    return client.post("/join", data={"code": code, "csrf_token": csrf_token(page.text)})


def confirm_join(client, code: str, share_email: bool = False):
    page = client.get(f"/join/{code}")
    data = {"csrf_token": csrf_token(page.text)}
    if share_email:
        data["share_email"] = "y"
    return client.post(f"/join/{code}", data=data)


# --- invite codes ----------------------------------------------------------------------


def test_invite_codes_are_long_random_readable_and_unique(app, make_user):
    leader = make_user(Role.FACILITATOR)
    codes = {make_group(app, leader, f"Group {n}").invite_code for n in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{12}", code), code  # no I, O, 0, 1 to misread


@pytest.mark.parametrize(
    "typed",
    ["abcd-efgh-jkmn", " ABCD EFGH JKMN ", "ABCDEFGHJKMN", "https://lantern.example/join/ABCDEFGHJKMN", "/join/abcdefghjkmn/"],
)
def test_a_code_is_found_however_it_is_typed_or_pasted(typed):
    assert groups.normalise_invite_code(typed) == "ABCDEFGHJKMN"


def test_regenerating_the_code_revokes_the_old_one(app, make_user):
    group = make_group(app, make_user(Role.FACILITATOR))
    with app.app_context():
        stored = db.session.get(Group, group.id)
        groups.regenerate_invite_code(stored)
        assert stored.invite_code != group.invite_code
        assert groups.find_group_by_code(group.invite_code) is None
        assert groups.find_group_by_code(stored.invite_code).id == group.id


# --- joining -----------------------------------------------------------------------------


def test_learner_joins_with_the_code_on_the_account_page_and_keeps_the_email_private_by_default(
    app, client, make_user, login_as
):
    group = make_group(app, make_user(Role.FACILITATOR, name="Robin"), "Tuesday family group")
    learner = login_as()
    assert "Join a group" in client.get("/account").text

    found = submit_code(client, groups.format_invite_code(group.invite_code).lower())
    assert found.status_code == 302 and found.location == f"/join/{group.invite_code}"

    page = client.get(found.location)
    words = text_of(page.text)
    assert "Join “Tuesday family group”" in words and "led by Robin" in words
    assert "Your email address only if you tick the box below" in words
    checkbox = re.search(r'<input[^>]*name="share_email"[^>]*>', page.text).group(0)
    assert "checked" not in checkbox

    joined = confirm_join(client, group.invite_code)
    assert joined.status_code == 302 and joined.location == "/learn"
    assert "You joined “Tuesday family group”." in text_of(client.get("/learn").text)
    assert memberships(app, learner.id) == {group.id: False}
    account = text_of(client.get("/account").text)
    assert "Tuesday family group, led by Robin" in account
    assert "but not your email address" in account


def test_ticking_the_box_lets_the_facilitator_see_the_email(app, client, make_user, login_as):
    group = make_group(app, make_user(Role.FACILITATOR))
    learner = login_as(email="sam@example.org")
    confirm_join(client, group.invite_code, share_email=True)
    assert memberships(app, learner.id) == {group.id: True}
    assert "and your email address" in text_of(client.get("/account").text)


def test_a_wrong_code_says_so_and_saves_nothing(app, client, make_user, login_as):
    make_group(app, make_user(Role.FACILITATOR))
    learner = login_as()
    response = submit_code(client, "NOPE-NOPE-NOPE")
    assert response.status_code == 400
    assert "We could not find a group with that code" in text_of(response.text)
    empty = submit_code(client, "   ")
    assert empty.status_code == 400 and "Please enter the invite code" in text_of(empty.text)
    assert memberships(app, learner.id) == {}


def test_an_old_link_after_a_new_code_is_refused_with_a_message(app, client, make_user, login_as):
    group = make_group(app, make_user(Role.FACILITATOR))
    with app.app_context():
        groups.regenerate_invite_code(db.session.get(Group, group.id))
    learner = login_as()
    response = client.get(f"/join/{group.invite_code}")
    assert response.status_code == 404
    assert "That invite link does not work" in text_of(response.text)
    assert memberships(app, learner.id) == {}


def test_an_archived_group_cannot_be_joined(app, client, make_user, login_as):
    group = make_group(app, make_user(Role.FACILITATOR), "Spring group", archived=True)
    learner = login_as()
    page = client.get(f"/join/{group.invite_code}")
    assert "This group is closed" in text_of(page.text)
    assert 'name="share_email"' not in page.text
    refused = client.post(f"/join/{group.invite_code}", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 400
    assert "“Spring group” is closed, so nobody can join it now" in text_of(refused.text)
    assert memberships(app, learner.id) == {}


def test_a_new_family_registers_through_the_link_and_then_joins(app, client, make_user, mailbox):
    group = make_group(app, make_user(Role.FACILITATOR), "Tuesday family group")
    link = f"/join/{group.invite_code}"
    response = client.get(link)
    assert response.status_code == 302
    assert response.location == f"/register?next={link}"

    form = client.get(response.location)
    assert "Create an account, or log in, to join your group" in text_of(form.text)
    registered = client.post(
        response.location,
        data={
            "email": "new.family@example.org",
            "display_name": "Ana",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_token(form.text),
        },
    )
    assert registered.status_code == 200 and "Check your email" in registered.text
    confirmed = client.get(link_in(mailbox.last_to("new.family@example.org"), "/register/confirm/"))
    assert confirmed.status_code == 302 and confirmed.location == link
    assert confirm_join(client, group.invite_code).location == "/learn"
    with app.app_context():
        ana = db.session.scalar(sa.select(User).where(User.email == "new.family@example.org"))
        assert memberships(app, ana.id) == {group.id: False}


def test_a_stranger_learns_nothing_from_a_link(client, app, make_user):
    group = make_group(app, make_user(Role.FACILITATOR))
    real, fake = client.get(f"/join/{group.invite_code}"), client.get("/join/ZZZZZZZZZZZZ")
    assert real.status_code == fake.status_code == 302
    assert real.location.replace(group.invite_code, "X") == fake.location.replace("ZZZZZZZZZZZZ", "X")


def test_joining_needs_a_login(client):
    assert client.get("/join").location.startswith("/login")


def test_a_learner_can_be_in_several_groups(app, client, make_user, login_as):
    first = make_group(app, make_user(Role.FACILITATOR), "Tuesday group")
    second = make_group(app, make_user(Role.FACILITATOR), "Clinic group")
    learner = login_as()
    confirm_join(client, first.invite_code)
    confirm_join(client, second.invite_code, share_email=True)
    assert memberships(app, learner.id) == {first.id: False, second.id: True}
    account = text_of(client.get("/account").text)
    assert "Tuesday group" in account and "Clinic group" in account


def test_joining_again_keeps_one_membership_and_saves_the_new_choice(app, client, make_user, login_as):
    group = make_group(app, make_user(Role.FACILITATOR))
    learner = login_as()
    confirm_join(client, group.invite_code)
    again = confirm_join(client, group.invite_code, share_email=True)
    assert again.status_code == 302
    assert "You are already in" in text_of(client.get("/learn").text)
    assert memberships(app, learner.id) == {group.id: True}


def test_a_facilitator_cannot_join_their_own_group(app, client, login_as):
    leader = login_as(Role.FACILITATOR)
    group = make_group(app, leader)
    page = client.get(f"/join/{group.invite_code}")
    assert "You lead this group" in text_of(page.text)
    refused = client.post(f"/join/{group.invite_code}", data={"csrf_token": csrf_token(page.text)})
    assert refused.status_code == 400
    assert memberships(app, leader.id) == {}


# --- leaving and the email choice afterwards -------------------------------------------


def test_leaving_deletes_the_membership(app, client, make_user, login_as):
    group = make_group(app, make_user(Role.FACILITATOR), "Tuesday group")
    learner = login_as()
    add_member(app, group, learner)
    page = client.get("/account")
    response = client.post(f"/account/groups/{group.id}/leave", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert "You left “Tuesday group”" in text_of(client.get("/account").text)
    assert memberships(app, learner.id) == {}


def test_leaving_a_group_you_are_not_in_is_404(app, client, make_user, login_as):
    group = make_group(app, make_user(Role.FACILITATOR))
    someone_else = make_user()
    add_member(app, group, someone_else)
    login_as()
    token = csrf_token(client.get("/account").text)
    assert client.post(f"/account/groups/{group.id}/leave", data={"csrf_token": token}).status_code == 404
    assert client.post("/account/groups/999999/leave", data={"csrf_token": token}).status_code == 404
    assert memberships(app, someone_else.id) == {group.id: False}


def test_leaving_without_the_form_token_is_refused(app, client, make_user, login_as):
    group = make_group(app, make_user(Role.FACILITATOR))
    learner = login_as()
    add_member(app, group, learner)
    assert client.post(f"/account/groups/{group.id}/leave").status_code == 400
    assert memberships(app, learner.id) == {group.id: False}


def test_a_learner_can_stop_sharing_their_email(app, client, make_user, login_as):
    group = make_group(app, make_user(Role.FACILITATOR))
    learner = login_as()
    add_member(app, group, learner, share_email=True)
    page = client.get("/account")
    assert "Stop sharing my email" in page.text
    client.post(f"/account/groups/{group.id}/stop-sharing-email", data={"csrf_token": csrf_token(page.text)})
    assert memberships(app, learner.id) == {group.id: False}


def test_my_data_download_lists_my_groups_and_my_email_choice(app, client, make_user, login_as):
    group = make_group(app, make_user(Role.FACILITATOR), "Tuesday group")
    learner = login_as()
    add_member(app, group, learner, share_email=True)
    page = client.get("/account")
    data = client.post("/account/export", data={"csrf_token": csrf_token(page.text)}).get_json()
    [membership] = data["records"]["memberships"]
    assert membership["group_name"] == "Tuesday group" and membership["share_email"] is True


def test_a_whole_group_joins_at_once_from_one_clinic_network(app, make_user):
    group = make_group(app, make_user(Role.FACILITATOR))
    families = [quick_user(app, name=f"Family {n}") for n in range(20)]
    for family in families:  # every test client comes from 127.0.0.1, like phones on the clinic's Wi-Fi
        browser = app.test_client()
        AuthActions(browser).login(family.email)
        assert submit_code(browser, group.invite_code).status_code == 302
        assert confirm_join(browser, group.invite_code).status_code == 302
    with app.app_context():
        joined = db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(Membership.group_id == group.id))
    assert joined == 20
