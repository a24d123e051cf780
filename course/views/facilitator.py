"""The facilitator's pages: my groups, a group's progress, check-ins, per-question results,
one learner's detail, the CSV export and the group's settings.

Facilitators and admins only; for anyone else these pages do not exist (404, like any
group that is not theirs), so a learner cannot even learn that they are there.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from course import dashboard, get_course, groups
from course.forms import ConfirmForm, GroupNameForm
from course.models import Group, utcnow

bp = Blueprint("facilitator", __name__, url_prefix="/facilitator")


@bp.before_request
@login_required
def _require_facilitator() -> None:
    if not current_user.is_facilitator:
        abort(404)


@bp.app_template_filter("invite_code")
def _invite_code_filter(code: str) -> str:
    return groups.format_invite_code(code)


def _check_in_after_days() -> int:
    return current_app.config["CHECK_IN_AFTER_DAYS"]


def _confirm_or_400() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


@bp.route("/groups", endpoint="groups")
def my_groups():
    return _render_groups()


def _render_groups(form: GroupNameForm | None = None, status: int = 200):
    return render_template(
        "facilitator/groups.html",
        summaries=groups.groups_led_by(current_user.id),
        form=form or GroupNameForm(formdata=None),
    ), status


@bp.route("/groups/new", methods=["POST"])
def create_group():
    form = GroupNameForm()
    if not form.validate_on_submit():
        return _render_groups(form, 400)
    group = groups.create_group(current_user, form.name.data)
    flash(f"“{group.name}” is ready. Share its invite code or link with the families.", "success")
    return redirect(url_for("facilitator.group_progress", group_id=group.id))


@bp.route("/groups/<int:group_id>")
def group_progress(group_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    progress = dashboard.group_progress(get_course(), group.id, utcnow(), _check_in_after_days())
    try:
        sort = dashboard.SortKey(request.args.get("sort", dashboard.SortKey.NAME))
    except ValueError:
        sort = dashboard.SortKey.NAME
    descending = request.args.get("order") == "desc"
    name = request.args.get("name", "")[:60]
    learners = dashboard.sort_learners(dashboard.filter_learners(progress.learners, name), sort, descending)
    return render_template(
        "facilitator/group.html",
        group=group,
        progress=progress,
        check_ins=progress.check_ins,
        page=dashboard.paginate(learners, _page_number()),
        sort=sort,
        descending=descending,
        name=name,
        check_in_after_days=_check_in_after_days(),
    )


@bp.route("/groups/<int:group_id>/check-ins")
def check_ins(group_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    progress = dashboard.group_progress(get_course(), group.id, utcnow(), _check_in_after_days())
    return render_template(
        "facilitator/check_ins.html",
        group=group,
        page=dashboard.paginate(progress.check_ins, _page_number()),
        check_in_after_days=_check_in_after_days(),
    )


@bp.route("/groups/<int:group_id>/questions")
def question_results(group_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    return render_template(
        "facilitator/questions.html",
        group=group,
        results=dashboard.question_results(get_course(), group.id),
        few_answers=dashboard.FEW_ANSWERS,
    )


@bp.route("/groups/<int:group_id>/progress.csv")
def progress_csv(group_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    now = utcnow()
    progress = dashboard.group_progress(get_course(), group.id, now, _check_in_after_days())
    filename = f"lantern-group-{group.id}-{now:%Y-%m-%d}.csv"
    return Response(
        dashboard.progress_csv(progress),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/groups/<int:group_id>/learners/<int:user_id>")
def learner(group_id: int, user_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    detail = dashboard.learner_detail(get_course(), group.id, user_id, utcnow(), _check_in_after_days())
    if detail is None:
        abort(404)
    return render_template("facilitator/learner.html", group=group, detail=detail)


@bp.route("/groups/<int:group_id>/learners/<int:user_id>/remove", methods=["POST"])
def remove_learner(group_id: int, user_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    membership = groups.membership_or_404(group, user_id)
    _confirm_or_400()
    name = membership.user.display_name
    groups.delete_membership(membership)
    flash(f"{name} is no longer in “{group.name}”. Their account and progress are kept.", "success")
    return redirect(url_for("facilitator.group_progress", group_id=group.id))


@bp.route("/groups/<int:group_id>/settings")
def group_settings(group_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    return _render_settings(group)


def _render_settings(group: Group, form: GroupNameForm | None = None, status: int = 200):
    return render_template(
        "facilitator/settings.html",
        group=group,
        form=form or GroupNameForm(formdata=None, name=group.name),
        join_link=url_for("membership.join", code=group.invite_code, _external=True),
    ), status


@bp.route("/groups/<int:group_id>/rename", methods=["POST"])
def rename_group(group_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    form = GroupNameForm()
    if not form.validate_on_submit():
        return _render_settings(group, form, 400)
    groups.rename_group(group, form.name.data)
    flash("The group’s name is saved.", "success")
    return redirect(url_for("facilitator.group_settings", group_id=group.id))


@bp.route("/groups/<int:group_id>/invite-code", methods=["POST"])
def new_invite_code(group_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    _confirm_or_400()
    groups.regenerate_invite_code(group)
    flash("The group has a new invite code and link. The old ones no longer work.", "success")
    return redirect(url_for("facilitator.group_settings", group_id=group.id))


@bp.route("/groups/<int:group_id>/archive", methods=["POST"])
def archive_group(group_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    _confirm_or_400()
    groups.archive_group(group)
    flash(f"“{group.name}” is archived. Nobody can join it; its members and their progress stay here.", "success")
    return redirect(url_for("facilitator.group_settings", group_id=group.id))


@bp.route("/groups/<int:group_id>/restore", methods=["POST"])
def restore_group(group_id: int):
    group = groups.group_for_facilitator_or_404(group_id, current_user)
    _confirm_or_400()
    groups.restore_group(group)
    flash(f"“{group.name}” is open again: its invite code and link work.", "success")
    return redirect(url_for("facilitator.group_settings", group_id=group.id))
