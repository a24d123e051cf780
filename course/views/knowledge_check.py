"""The learner's knowledge check (before, after and months after the course): optional, never a gate."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from course import grading, knowledge, progress, quiz_layouts
from course.loaded import get_course
from course.forms import ConfirmForm, KnowledgeCheckForm

bp = Blueprint("knowledge_check", __name__, url_prefix="/learn/knowledge-check")
# The check skipped in this browser session: not recorded anywhere, offered again at the next login.
SKIPPED_KEY = "knowledge_check_skipped"


@bp.before_request
@login_required
def _require_login() -> None:
    """The check is the learner's own."""


def _due() -> str | None:
    state = progress.state_for(current_user)
    return knowledge.due_for(current_user, get_course(), state, current_app.config["FOLLOW_UP_AFTER_DAYS"])


@bp.app_template_global("knowledge_check_offer")
def offer(due: str | None) -> str | None:
    """Return the check the learner home offers now, given the one due (None: none due, or skipped in this session)."""
    return None if due is None or session.get(SKIPPED_KEY) == due else due


@bp.route("", methods=["GET", "POST"])
def take():
    bank, due, form = get_course().knowledge_check, _due(), KnowledgeCheckForm()
    if request.method == "GET" or bank is None:
        if due is None or bank is None:
            return render_template("knowledge_check/not_due.html", taken=knowledge.taken_checks(current_user.id))
        return _page(form, due, quiz_layouts.open_layout(current_user, bank))
    form.validate_on_submit()  # errors stay on the fields; the CSRF token must be right
    if form.csrf_token.errors:
        abort(400, "The form expired. Please reload the page and try again.")
    missing = any(form[name].errors for name in knowledge.CONFIDENCE_FIELDS)
    try:
        result = knowledge.submit_check(
            current_user, bank, due, form.kind.data or "", request.form, form.submission_token.data or "",
            None if missing else form.confidence(),
        )
    except knowledge.CheckNotOpen as error:
        taken = knowledge.taken_checks(current_user.id)
        return render_template("knowledge_check/not_due.html", taken=taken, problem=str(error)), 400
    except grading.TamperedSubmission as error:
        layout = quiz_layouts.open_layout(current_user, bank)
        return _page(form, due, layout, problem=f"{error} Nothing was saved.", status=400)
    if result.check is not None:
        return redirect(url_for("knowledge_check.result", kind_slug=knowledge.KIND_SLUGS[result.check.kind]))
    return _page(form, due, result.layout, errors=result.errors, notice=result.notice)


def _page(form: KnowledgeCheckForm, due: str, layout, status: int = 200, **messages):
    """Render the check as this sitting shows it; answers given so far stay filled in."""
    form.submission_token.data = layout.token
    form.kind.data = due
    keep = request.method == "POST" and not messages.get("notice")
    return render_template(
        "knowledge_check/take.html",
        form=form,
        kind=due,
        label=knowledge.KIND_LABELS[due],
        layout=layout,
        errors=messages.get("errors") or {},
        problem=messages.get("problem", ""),
        notice=messages.get("notice", ""),
        submitted=request.form if keep else None,
    ), status


@bp.route("/skip", methods=["POST"])
def skip():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session[SKIPPED_KEY] = _due()
    flash("Skipped for now. Nothing was saved. We will offer the knowledge check again next time you log in.", "success")
    return redirect(url_for("learn.home"))


@bp.route("/<kind_slug>")
def result(kind_slug: str):
    kind = knowledge.kind_from_slug(kind_slug)
    check = knowledge.find_check(current_user.id, kind) if kind else None
    if check is None:
        abort(404)
    before = knowledge.find_check(current_user.id, knowledge.BEFORE) if kind != knowledge.BEFORE else None
    return render_template(
        "knowledge_check/result.html",
        check=check,
        before=before,
        label=knowledge.KIND_LABELS[kind],
        word=knowledge.friendly_word(check, before),
        bank=get_course().knowledge_check,
        scale=dict(knowledge.CONFIDENCE_SCALE),
        questions=knowledge.CONFIDENCE_QUESTIONS,
    )
