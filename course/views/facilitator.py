"""The facilitator's pages: my groups, a group's progress, check-ins (contact, snooze),
per-question results, one learner's detail, the CSV export, the group's settings
(co-facilitators, handing over, archive) and its printable invite sheet.

Facilitators and admins only; for anyone else these pages do not exist (404, like any
group that is not theirs: see course.access), so a learner cannot even learn that they are there.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from course import access, dashboard, groups, mail
from course.loaded import get_course
from course.forms import ConfirmForm, ContactForm, FacilitatorEmailForm, GroupNameForm, SnoozeForm
from course.models import Group, utcnow

bp = Blueprint("facilitator", __name__, url_prefix="/facilitator")
BACK_TO = {"check_ins": "facilitator.check_ins", "group": "facilitator.group_progress", "learner": "facilitator.learner"}


@bp.before_request
@login_required
def _require_facilitator() -> None:
    if not current_user.is_facilitator:
        abort(404)


@bp.app_template_filter("invite_code")
def _invite_code_filter(code: str) -> str:
    return groups.format_invite_code(code)


@bp.app_template_global("leads_group")
def _leads_group(group: Group) -> bool:
    return access.leads_group(current_user.id, group.id)


@bp.app_template_global("check_in_forms")
def check_in_forms(user_id: int) -> tuple[ContactForm, SnoozeForm]:
    """Return empty contact and snooze forms for one learner (prefixed: a list shows many)."""
    prefix = f"learner-{user_id}"
    return ContactForm(formdata=None, prefix=prefix, contacted_on=utcnow().date()), SnoozeForm(formdata=None, prefix=prefix)


@bp.app_template_global("blank_check_in_forms")
def blank_check_in_forms() -> tuple[ContactForm, SnoozeForm]:
    """Return one unprefixed pair of empty forms: a check-in list writes them out for each learner."""
    return ContactForm(formdata=None, contacted_on=utcnow().date()), SnoozeForm(formdata=None)


def _check_in_after_days() -> int:
    return current_app.config["CHECK_IN_AFTER_DAYS"]


def _confirm_or_400() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


def _progress(group: Group) -> dashboard.GroupProgress:
    return dashboard.group_progress(get_course(), group.id, utcnow(), _check_in_after_days())


def _check_in_list(group: Group, progress: dashboard.GroupProgress):
    return dashboard.check_in_list(progress.learners, dashboard.load_actions(group.id), utcnow())


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
    group = access.group_or_404(group_id, current_user)
    progress = _progress(group)
    try:
        sort = dashboard.SortKey(request.args.get("sort", dashboard.SortKey.NAME))
    except ValueError:
        sort = dashboard.SortKey.NAME
    descending = request.args.get("order") == "desc"
    name = request.args.get("name", "")[:60]
    learners = dashboard.sort_learners(dashboard.filter_learners(progress.learners, name), sort, descending)
    return render_template(
        "facilitator/group.html", group=group, progress=progress, check_ins=_check_in_list(group, progress),
        page=dashboard.paginate(learners, _page_number()), sort=sort, descending=descending, name=name,
        check_in_after_days=_check_in_after_days(),
    )


@bp.route("/groups/<int:group_id>/check-ins")
def check_ins(group_id: int):
    group = access.group_or_404(group_id, current_user)
    found = _check_in_list(group, _progress(group))
    return render_template(
        "facilitator/check_ins.html", group=group, found=found,
        page=dashboard.paginate(found.waiting, _page_number()), check_in_after_days=_check_in_after_days(),
    )


@bp.route("/groups/<int:group_id>/questions")
def question_results(group_id: int):
    group = access.group_or_404(group_id, current_user)
    course = get_course()
    slug = request.args.get("module", "")
    module = course.module(slug) if slug else None
    if slug and module is None:
        abort(404)
    return render_template(
        "facilitator/questions.html", group=group, modules=course.modules, module=module,
        results=dashboard.question_results(course, group.id, module), few_answers=dashboard.FEW_ANSWERS,
    )


@bp.route("/groups/<int:group_id>/progress.csv")
def progress_csv(group_id: int):
    group = access.group_or_404(group_id, current_user)
    filename = f"lantern-group-{group.id}-{utcnow():%Y-%m-%d}.csv"
    return Response(
        dashboard.progress_csv(_progress(group)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/groups/<int:group_id>/learners/<int:user_id>")
def learner(group_id: int, user_id: int):
    return _render_learner(access.group_or_404(group_id, current_user), user_id)


def _render_learner(group: Group, user_id: int, forms: tuple | None = None, status: int = 200):
    detail = dashboard.learner_detail(get_course(), group.id, user_id, utcnow(), _check_in_after_days())
    if detail is None:
        abort(404)
    actions = dashboard.load_actions(group.id, user_id).get(user_id, [])
    return render_template(
        "facilitator/learner.html", group=group, detail=detail, actions=actions,
        forms=forms or check_in_forms(user_id),
    ), status


def _back(group: Group, user_id: int):
    endpoint = BACK_TO.get(request.form.get("back", ""), "facilitator.learner")
    values = {"group_id": group.id} | ({"user_id": user_id} if endpoint == "facilitator.learner" else {})
    return redirect(url_for(endpoint, **values))


@bp.route("/groups/<int:group_id>/learners/<int:user_id>/contact", methods=["POST"])
def record_contact(group_id: int, user_id: int):
    group = access.group_or_404(group_id, current_user)
    membership = access.active_membership_or_404(group, user_id)
    form = ContactForm(prefix=f"learner-{user_id}")
    if form.validate_on_submit():
        day = form.contacted_on.data
        try:
            dashboard.record_contact(group, user_id, current_user, day, form.note.data or "", utcnow().date())
        except dashboard.CheckInError as error:
            form.contacted_on.errors = [str(error)]
        else:
            flash(f"Saved: you contacted {membership.user.display_name} on {day:%B} {day.day}.", "success")
            return _back(group, user_id)
    return _render_learner(group, user_id, (form, check_in_forms(user_id)[1]), 400)


@bp.route("/groups/<int:group_id>/learners/<int:user_id>/snooze", methods=["POST"])
def snooze(group_id: int, user_id: int):
    group = access.group_or_404(group_id, current_user)
    membership = access.active_membership_or_404(group, user_id)
    form = SnoozeForm(prefix=f"learner-{user_id}")
    if not form.validate_on_submit():
        return _render_learner(group, user_id, (check_in_forms(user_id)[0], form), 400)
    until = dashboard.snooze(group, user_id, current_user, form.days.data, utcnow())
    flash(f"{membership.user.display_name} is snoozed until {until:%B} {until.day}, unless something new comes up.", "success")
    return _back(group, user_id)


@bp.route("/groups/<int:group_id>/learners/<int:user_id>/remove", methods=["POST"])
def remove_learner(group_id: int, user_id: int):
    group = access.group_or_404(group_id, current_user)
    membership = access.active_membership_or_404(group, user_id)
    _confirm_or_400()
    name = membership.user.display_name
    groups.delete_membership(membership)
    flash(f"{name} is no longer in “{group.name}”. Their account and progress are kept.", "success")
    return redirect(url_for("facilitator.group_progress", group_id=group.id))


@bp.route("/groups/<int:group_id>/settings")
def group_settings(group_id: int):
    return _render_settings(access.group_or_404(group_id, current_user))


def _render_settings(group: Group, status: int = 200, **forms):
    return render_template(
        "facilitator/settings.html",
        group=group,
        form=forms.get("form") or GroupNameForm(formdata=None, name=group.name),
        add_form=forms.get("add_form") or FacilitatorEmailForm(formdata=None, prefix="add"),
        hand_form=forms.get("hand_form") or FacilitatorEmailForm(formdata=None, prefix="hand"),
        facilitators=groups.facilitators_of(group.id),
        join_link=mail.external_url("membership.join", code=group.invite_code),
    ), status


@bp.route("/groups/<int:group_id>/invite-sheet")
def invite_sheet(group_id: int):
    group = access.group_or_404(group_id, current_user)
    join_link = mail.external_url("membership.join", code=group.invite_code)
    return render_template(
        "facilitator/invite_sheet.html", group=group, join_link=join_link, qr_svg=groups.invite_qr_svg(join_link),
        leaders=groups.names_in_words([leader.display_name for leader in groups.facilitators_of(group.id)]),
    )


@bp.route("/groups/<int:group_id>/rename", methods=["POST"])
def rename_group(group_id: int):
    group = access.group_or_404(group_id, current_user)
    form = GroupNameForm()
    if not form.validate_on_submit():
        return _render_settings(group, 400, form=form)
    groups.rename_group(group, form.name.data)
    flash("The group’s name is saved.", "success")
    return redirect(url_for("facilitator.group_settings", group_id=group.id))


def _facilitator_change(group: Group, prefix: str, change, done: str):
    """Run a change that names a facilitator by email; re-show the form with the problem if refused."""
    form = FacilitatorEmailForm(prefix=prefix)
    if form.validate_on_submit():
        try:
            person = change(form.email.data)
        except groups.GroupError as error:
            form.email.errors = [str(error)]
        else:
            flash(done.format(name=person.display_name, group=group.name), "success")
            return None
    return _render_settings(group, 400, **{f"{prefix}_form": form})


@bp.route("/groups/<int:group_id>/facilitators/add", methods=["POST"])
def add_facilitator(group_id: int):
    group = access.group_or_404(group_id, current_user)
    problem = _facilitator_change(group, "add", lambda email: groups.add_facilitator(group, email),
                                  "{name} now leads “{group}” with you. They see and manage it.")
    return problem or redirect(url_for("facilitator.group_settings", group_id=group.id))


@bp.route("/groups/<int:group_id>/hand-over", methods=["POST"])
def hand_over(group_id: int):
    group = access.group_or_404(group_id, current_user)
    problem = _facilitator_change(group, "hand", lambda email: groups.hand_over(group, current_user, email),
                                  "“{group}” is now led by {name}. Thank you for running it.")
    if problem:
        return problem
    if access.may_manage_group(current_user, group):  # an admin keeps seeing every group
        return redirect(url_for("facilitator.group_settings", group_id=group.id))
    return redirect(url_for("facilitator.groups"))


@bp.route("/groups/<int:group_id>/facilitators/<int:user_id>/remove", methods=["POST"])
def remove_facilitator(group_id: int, user_id: int):
    group = access.group_or_404(group_id, current_user)
    _confirm_or_400()
    try:
        groups.remove_facilitator(group, user_id)
    except groups.GroupError as error:
        flash(str(error), "error")
        return redirect(url_for("facilitator.group_settings", group_id=group.id))
    flash("Done: they no longer lead this group.", "success")
    if access.may_manage_group(current_user, group):
        return redirect(url_for("facilitator.group_settings", group_id=group.id))
    return redirect(url_for("facilitator.groups"))


@bp.route("/groups/<int:group_id>/invite-code", methods=["POST"])
def new_invite_code(group_id: int):
    group = access.group_or_404(group_id, current_user)
    _confirm_or_400()
    groups.regenerate_invite_code(group)
    flash("The group has a new invite code and link. The old ones no longer work.", "success")
    return redirect(url_for("facilitator.group_settings", group_id=group.id))


@bp.route("/groups/<int:group_id>/archive", methods=["POST"])
def archive_group(group_id: int):
    group = access.group_or_404(group_id, current_user)
    _confirm_or_400()
    groups.archive_group(group)
    flash(f"“{group.name}” is archived. Nobody can join it; its members and their progress stay here.", "success")
    return redirect(url_for("facilitator.group_settings", group_id=group.id))


@bp.route("/groups/<int:group_id>/restore", methods=["POST"])
def restore_group(group_id: int):
    group = access.group_or_404(group_id, current_user)
    _confirm_or_400()
    groups.restore_group(group)
    flash(f"“{group.name}” is open again: its invite code and link work.", "success")
    return redirect(url_for("facilitator.group_settings", group_id=group.id))
