"""The admin's pages and command line: accounts (search, role, deactivate) and every group.

Learners and facilitators get 404 on every admin page, as for any page that is not theirs.
"""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from course.extensions import db
from course.models import LessonProgress, Role, User
from tests.conftest import AuthActions, csrf_token
from tests.group_builders import FIRST, add_member, make_group, pass_module, quick_user, text_of

ROLES = ("anonymous", "learner", "facilitator", "admin")

ADMIN_URLS = (
    ("GET", "/admin/users", None),
    ("GET", "/admin/users?q=sam&page=1", None),
    ("GET", "/admin/users/{target}", None),
    ("POST", "/admin/users/{target}/role", {"role": "facilitator"}),
    ("POST", "/admin/users/{target}/deactivate", {}),
    ("POST", "/admin/users/{target}/reactivate", {}),
    ("GET", "/admin/groups", None),
)


@pytest.fixture
def people(app):
    facilitator = quick_user(app, Role.FACILITATOR, "Robin", "robin@example.org")
    group = make_group(app, facilitator, "Tuesday group")
    target = quick_user(app, name="Sam Smith", email="sam@example.org")
    add_member(app, group, target)
    pass_module(app, target, FIRST)
    return SimpleNamespace(
        facilitator=facilitator,
        admin=quick_user(app, Role.ADMIN, "Site admin", "admin@example.org"),
        learner=quick_user(app, name="A learner", email="learner@example.org"),
        target=target,
        group=group,
    )


def log_in(auth, people, role: str) -> None:
    if role != "anonymous":
        assert auth.login(getattr(people, role).email).status_code == 302


def target_state(app, people) -> tuple[str, bool]:
    with app.app_context():
        user = db.session.get(User, people.target.id)
        return user.role, user.active


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "data"), ADMIN_URLS, ids=[f"{m} {p}" for m, p, _ in ADMIN_URLS])
def test_admin_pages_for_every_role(app, client, auth, people, role, method, path, data):
    log_in(auth, people, role)
    before = target_state(app, people)
    url = path.format(target=people.target.id)
    if method == "GET":
        response = client.get(url)
    else:
        page = client.get("/login" if role == "anonymous" else "/account")
        response = client.post(url, data={**data, "csrf_token": csrf_token(page.text)})
    if role == "anonymous":
        assert response.status_code == 302 and response.location.startswith("/login")
    elif role in ("learner", "facilitator"):
        assert response.status_code == 404
    else:
        assert response.status_code == (200 if method == "GET" else 302)
    if role != "admin":
        assert target_state(app, people) == before


def test_the_nav_links_admin_pages_for_admins_only(client, auth, people):
    log_in(auth, people, "admin")
    assert 'href="/admin/users"' in client.get("/learn").text
    auth.logout()
    log_in(auth, people, "facilitator")
    assert 'href="/admin/users"' not in client.get("/learn").text


def test_admin_finds_accounts_by_email_or_display_name(client, auth, people):
    log_in(auth, people, "admin")
    by_email = text_of(client.get("/admin/users?q=SAM@").text)
    assert "sam@example.org" in by_email and "robin@example.org" not in by_email
    by_name = text_of(client.get("/admin/users?q=smith").text)
    assert "sam@example.org" in by_name and "1 account matching" in by_name
    nothing = text_of(client.get("/admin/users?q=100%25").text)
    assert "No account matches “100%”" in nothing


def test_admin_users_are_paged(app, client, auth, people):
    for number in range(55):
        quick_user(app, name=f"Person {number}", email=f"person{number:02d}@example.org")
    log_in(auth, people, "admin")
    first = text_of(client.get("/admin/users").text)
    assert "59 accounts, page 1 of 2" in first
    second = client.get("/admin/users?page=2")
    assert second.status_code == 200 and "page 2 of 2" in text_of(second.text)
    assert client.get("/admin/users?page=-3").status_code == 200
    huge = client.get(f"/admin/users?page={10**30}")
    assert huge.status_code == 200 and "page 2 of 2" in text_of(huge.text)


@pytest.mark.parametrize("junk, status", [("%00", 400), ("%00sam", 400), ("'; DROP TABLE users; --", 200), ("_", 200), ("\\", 200)])
def test_admin_search_survives_junk(client, auth, people, junk, status):
    log_in(auth, people, "admin")
    # A NUL byte is refused with a clear 400 (it cannot be stored or searched); the rest is searched.
    assert client.get(f"/admin/users?q={junk}").status_code == status


def test_admin_makes_a_learner_a_facilitator(app, client, auth, people):
    log_in(auth, people, "admin")
    page = client.get(f"/admin/users/{people.target.id}")
    response = client.post(
        f"/admin/users/{people.target.id}/role", data={"role": "facilitator", "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 302
    assert "sam@example.org is now a facilitator." in text_of(client.get(response.location).text)
    assert target_state(app, people) == ("facilitator", True)


def test_a_role_that_does_not_exist_is_refused(app, client, auth, people):
    log_in(auth, people, "admin")
    page = client.get(f"/admin/users/{people.target.id}")
    response = client.post(
        f"/admin/users/{people.target.id}/role", data={"role": "superuser", "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 400
    assert target_state(app, people) == ("learner", True)


def test_an_admin_cannot_demote_or_deactivate_themselves(app, client, auth, people):
    log_in(auth, people, "admin")
    page = client.get(f"/admin/users/{people.admin.id}")
    demoted = client.post(
        f"/admin/users/{people.admin.id}/role", data={"role": "learner", "csrf_token": csrf_token(page.text)}
    )
    assert demoted.status_code == 400
    assert "You cannot take away your own admin role" in text_of(demoted.text)
    deactivated = client.post(f"/admin/users/{people.admin.id}/deactivate", data={"csrf_token": csrf_token(page.text)})
    assert deactivated.status_code == 400
    assert "You cannot deactivate your own account" in text_of(deactivated.text)
    with app.app_context():
        admin = db.session.get(User, people.admin.id)
        assert (admin.role, admin.active) == ("admin", True)


def test_a_deactivated_account_cannot_log_in_and_leaves_the_dashboard_but_keeps_its_history(
    app, client, auth, people
):
    log_in(auth, people, "admin")
    page = client.get(f"/admin/users/{people.target.id}")
    client.post(f"/admin/users/{people.target.id}/deactivate", data={"csrf_token": csrf_token(page.text)})
    assert target_state(app, people) == ("learner", False)
    assert "Sam Smith" not in text_of(client.get(f"/facilitator/groups/{people.group.id}").text)
    assert "Deactivated" in text_of(client.get("/admin/users?q=sam").text)
    auth.logout()

    refused = auth.login(people.target.email)
    assert refused.status_code == 400
    assert "That email address and password do not match an account." in text_of(refused.text)
    with app.app_context():
        rows = db.session.scalar(
            sa.select(sa.func.count()).select_from(LessonProgress).where(LessonProgress.user_id == people.target.id)
        )
        assert rows == 2

    log_in(auth, people, "admin")
    page = client.get(f"/admin/users/{people.target.id}")
    client.post(f"/admin/users/{people.target.id}/reactivate", data={"csrf_token": csrf_token(page.text)})
    assert "Sam Smith" in text_of(client.get(f"/facilitator/groups/{people.group.id}").text)


def test_admin_sees_every_group_and_opens_any_group_page(app, client, auth, people):
    other = make_group(app, quick_user(app, Role.FACILITATOR, "Another leader"), "Thursday group", archived=True)
    log_in(auth, people, "admin")
    page = client.get("/admin/groups")
    words = text_of(page.text)
    assert "Tuesday group Robin 1 Open" in words
    assert "Thursday group Another leader 0 Archived" in words
    assert f'href="/facilitator/groups/{other.id}"' in page.text
    assert client.get(f"/facilitator/groups/{other.id}").status_code == 200
    assert client.get(f"/facilitator/groups/{other.id}/progress.csv").status_code == 200


def test_the_user_page_lists_the_groups_a_person_leads_and_is_in(client, auth, people):
    log_in(auth, people, "admin")
    assert "Groups Robin leads Tuesday group" in text_of(client.get(f"/admin/users/{people.facilitator.id}").text)
    assert "Groups Sam Smith is in Tuesday group" in text_of(client.get(f"/admin/users/{people.target.id}").text)


def test_an_account_that_does_not_exist_is_404(client, auth, people):
    log_in(auth, people, "admin")
    assert client.get("/admin/users/999999").status_code == 404


# --- the command line ---------------------------------------------------------------------


def test_the_command_line_changes_roles_and_deactivates(app, runner, people):
    result = runner.invoke(args=["users", "role", "SAM@example.org", "facilitator"])
    assert result.exit_code == 0 and "sam@example.org is now a facilitator." in result.output
    result = runner.invoke(args=["users", "deactivate", "sam@example.org"])
    assert result.exit_code == 0
    assert target_state(app, people) == ("facilitator", False)
    assert "deactivated  sam@example.org" in runner.invoke(args=["users", "list", "--search", "sam"]).output
    runner.invoke(args=["users", "reactivate", "sam@example.org"])
    assert target_state(app, people) == ("facilitator", True)
    missing = runner.invoke(args=["users", "role", "nobody@example.org", "admin"])
    assert missing.exit_code != 0 and "No account has the email address nobody@example.org" in missing.output
    bad_role = runner.invoke(args=["users", "role", "sam@example.org", "king"])
    assert bad_role.exit_code != 0


def test_the_command_line_lists_every_group(runner, people):
    result = runner.invoke(args=["groups", "list"])
    assert result.exit_code == 0
    assert "1 learners" in result.output and "Tuesday group  (facilitator: Robin)" in result.output


def test_deactivating_someone_who_is_logged_in_ends_their_session(app, people):
    learner_browser, admin_browser = app.test_client(), app.test_client()
    AuthActions(learner_browser).login(people.target.email)
    assert learner_browser.get("/learn").status_code == 200
    AuthActions(admin_browser).login(people.admin.email)
    page = admin_browser.get(f"/admin/users/{people.target.id}")
    admin_browser.post(f"/admin/users/{people.target.id}/deactivate", data={"csrf_token": csrf_token(page.text)})
    response = learner_browser.get("/learn")
    assert response.status_code == 302 and response.location.startswith("/login")
