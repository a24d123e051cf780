"""The demo group's knowledge checks: a visible improvement, held-back follow-up, nothing added twice."""

import sqlalchemy as sa

from course import demo, demo_groups
from course.config import PROJECT_ROOT
from course.content import load_course
from course.demo_outcomes import add_demo_outcomes
from course.extensions import db
from course.models import KnowledgeCheck
from tests.group_builders import text_of


def test_demo_outcomes_show_learning_hold_back_the_follow_up_and_are_added_once(app, client, auth):
    shipped = load_course(PROJECT_ROOT / "modules")
    with app.app_context():
        demo.load_demo(shipped)
        group_id = demo_groups.load_demo_groups(shipped).id
        assert add_demo_outcomes(shipped) == 23
        assert add_demo_outcomes(shipped) == 0
        kinds = db.session.execute(
            sa.select(KnowledgeCheck.kind, sa.func.count(), sa.func.avg(KnowledgeCheck.score)).group_by(KnowledgeCheck.kind)
        ).all()
        assert all(len(check.answers) == 10 for check in db.session.scalars(sa.select(KnowledgeCheck)))
    averages = {kind: (count, round(float(score))) for kind, count, score in kinds}
    assert averages["before"][0] == 14 and averages["after"][0] == 6 and averages["follow_up"][0] == 3
    assert averages["after"][1] - averages["before"][1] >= 30
    auth.login("facilitator@demo.lantern", "demo-facilitator-2026")
    words = text_of(client.get(f"/facilitator/groups/{group_id}/outcomes").text)
    assert "Before the course 14 46%" in words and "After the course 6 85%" in words
    assert "Follow-up fewer than 5 people — not shown" in words
    assert "Change from before to after the course: +39 points" in words
    check_ins = text_of(client.get(f"/facilitator/groups/{group_id}/check-ins").text)
    assert "Beth" not in check_ins and "Frank" not in check_ins
