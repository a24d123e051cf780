"""The contact and snooze forms of a check-in list are written out as plain HTML (one pair per
person, 50 people a page); they must read exactly as the WTForms-rendered forms of a learner's page."""

import re

from flask import render_template_string

from course.models import Role
from tests.group_builders import FIRST, add_member, finish_lessons, make_group, quick_user, take_quiz

TOKEN = re.compile(r'(name="[^"]*csrf_token" value=)"[^"]+"')


def normalized(html: str) -> str:
    """Return HTML with the CSRF token masked and the spaces between tags dropped."""
    return " ".join(re.sub(r">\s+<", "><", TOKEN.sub(r'\1"…"', html)).split())


def forms_of(page: str, user_id: int) -> str:
    """Return one person's <details> block of forms from a page."""
    blocks = re.findall(r'<details class="check-in-actions".*?</details>', page, re.S)
    return next(block for block in blocks if f"/learners/{user_id}/contact" in block)


def test_the_lists_plain_forms_match_the_wtforms_forms(app, client, auth):
    robin = quick_user(app, Role.FACILITATOR, "Robin")
    group = make_group(app, robin, "Tuesday group")
    una = quick_user(app, name="Una <&> O’Neil")  # escaped the same way in both
    add_member(app, group, una)
    finish_lessons(app, una, FIRST, days_ago=5)
    for days_ago in (4, 3):
        take_quiz(app, una, FIRST, wrong=("health-problem", "what-helps"), days_ago=days_ago)
    auth.login(robin.email)

    for path, back in ((f"/facilitator/groups/{group.id}/check-ins", "check_ins"), (f"/facilitator/groups/{group.id}", "group")):
        page = client.get(path).text
        with app.test_request_context():
            expected = render_template_string(
                '{% from "facilitator/_macros.html" import check_in_actions %}'
                "{{ check_in_actions(group, user_id, who, back) }}",
                group=group, user_id=una.id, who="Una <&> O’Neil", back=back,
            )
        assert f'id="learner-{una.id}-note"' in expected
        assert normalized(forms_of(page, una.id)) == normalized(expected), path
        assert "\r\n</textarea>" in forms_of(page, una.id)
