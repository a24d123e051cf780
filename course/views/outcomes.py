"""Outcomes pages: a group's (its facilitator and admins) and the whole program's (admins).

Anyone else gets 404, as on every facilitator and admin page.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from course import access, outcomes
from course.models import utcnow

bp = Blueprint("outcomes", __name__)


@bp.before_request
@login_required
def _require_staff() -> None:
    if not current_user.is_facilitator:
        abort(404)


def _csv(text: str, name: str) -> Response:
    filename = f"lantern-outcomes-{name}-{utcnow():%Y-%m-%d}.csv"
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/facilitator/groups/<int:group_id>/outcomes")
def group(group_id: int):
    group = access.group_or_404(group_id, current_user)
    return render_template("outcomes/group.html", group=group, outcomes=outcomes.group_outcomes(group), **_words())


@bp.route("/facilitator/groups/<int:group_id>/outcomes.csv")
def group_csv(group_id: int):
    group = access.group_or_404(group_id, current_user)
    return _csv(outcomes.outcomes_csv([outcomes.group_outcomes(group)]), f"group-{group.id}")


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(404)


@bp.route("/admin/outcomes")
def program():
    _admin_only()
    return render_template(
        "outcomes/program.html",
        outcomes=outcomes.program_outcomes(),
        every_group=outcomes.every_group_outcomes(),
        **_words(),
    )


@bp.route("/admin/outcomes.csv")
def program_csv():
    _admin_only()
    return _csv(outcomes.outcomes_csv([outcomes.program_outcomes(), *outcomes.every_group_outcomes()]), "program")


def _words() -> dict:
    return {"held_back": outcomes.HELD_BACK, "min_respondents": outcomes.MIN_RESPONDENTS}
