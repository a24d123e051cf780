"""Learning that lasts: practice on what was missed, the overdose refresher and its certificate,
reminder choices and the no-login unsubscribe link."""

from __future__ import annotations

import random

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from course import grading, practice, quiz_layouts, refreshers, reminders, response_certificates
from course.loaded import get_course, long_date
from course.extensions import csrf, db
from course.forms import ConfirmForm, PracticeForm, QuizForm, ReminderForm, ReminderOfferForm
from course.models import RefresherAttempt

bp = Blueprint("lasting", __name__)


def _practice_page(item: practice.PracticeItem, remaining: int, errors=None, status: int = 200):
    shown = quiz_layouts.ShownQuestion(
        item.question, quiz_layouts.shuffled_choices(item.question, random.SystemRandom())
    )
    form = PracticeForm(formdata=None, module_slug=item.module.slug, question_id=item.question.id)
    return render_template(
        "lasting/review.html",
        item=item,
        shown=shown,
        form=form,
        remaining=remaining,
        errors=errors or {},
        submitted=request.form if errors else None,
    ), status


@bp.route("/learn/review", methods=["GET", "POST"])
@login_required
def review():
    course = get_course()
    if request.method == "GET":
        items = practice.practice_set(course, current_user.id)
        return _practice_page(items[0], len(items)) if items else render_template("lasting/review_done.html")
    form = PracticeForm()
    if not form.validate_on_submit():
        abort(400, "The practice form was incomplete. Please reload the page and try again.")
    try:
        item, answer, errors = practice.answer_practice(
            course, current_user.id, form.module_slug.data or "", form.question_id.data or "", request.form
        )
    except (practice.NotInPractice, grading.TamperedSubmission) as error:
        abort(400, f"{error} Nothing was saved.")
    remaining = len(practice.practice_set(course, current_user.id))
    if answer is None:
        return _practice_page(item, remaining, errors)
    shown = quiz_layouts.ShownQuestion(item.question, item.question.choices)
    return render_template(
        "lasting/review_feedback.html",
        module=item.module,
        question=item.question,
        shown=shown,
        answer=answer,
        remaining=remaining,
    )


def _overdose_module_or_404():
    module = refreshers.overdose_module(get_course())
    if module is None:
        abort(404)
    return module


@bp.route("/learn/refresher", methods=["GET", "POST"])
@login_required
def refresher():
    module = _overdose_module_or_404()
    if refreshers.current_until(current_user.id, get_course()) is None:
        return render_template("lasting/refresher_locked.html", module=module), 403
    form = QuizForm()
    if request.method == "GET":
        return _refresher_page(module, form, refreshers.open_refresher(current_user.id, module))
    row = refreshers.find_refresher(current_user.id, form.submission_token.data or "")
    if not form.validate_on_submit() or row is None or row.module_slug != module.slug:
        abort(
            400, "This refresher form is out of date or not yours. Please open the refresher again. Nothing was saved."
        )
    try:
        graded, errors = refreshers.submit_refresher(module, row, request.form)
    except grading.TamperedSubmission as error:
        abort(400, f"{error} Nothing was saved.")
    if graded is None:
        return _refresher_page(module, form, row, errors)
    return redirect(url_for("lasting.refresher_result", attempt_id=graded.id))


def _refresher_page(module, form, row: RefresherAttempt, errors=None):
    form.submission_token.data = row.token
    return render_template(
        "lasting/refresher.html",
        module=module,
        form=form,
        layout=refreshers.layout_of(module, row),
        errors=errors or {},
        submitted=request.form if errors else None,
        pass_mark=module.quiz.pass_mark,
        until=refreshers.current_until(current_user.id, get_course()),
    )


@bp.route("/learn/refresher/<int:attempt_id>")
@login_required
def refresher_result(attempt_id: int):
    module = _overdose_module_or_404()
    row = db.session.get(RefresherAttempt, attempt_id)
    if row is None or row.user_id != current_user.id or row.submitted_at is None:
        abort(404)
    return render_template(
        "lasting/refresher_result.html",
        module=module,
        row=row,
        layout=refreshers.layout_of(module, row),
        answers=practice.feedback_answers(row.answers or {}, refreshers.refresher_quiz(module)),
        until=refreshers.current_until(current_user.id, get_course()),
    )


def _response_certificate_or_locked():
    course = get_course()
    module = _overdose_module_or_404()
    certificate = response_certificates.issue(current_user, course)
    if certificate is None:
        return None, (render_template("lasting/refresher_locked.html", module=module), 403)
    return response_certificates.standing(certificate, course), None


@bp.route("/learn/response-certificate")
@login_required
def response_certificate():
    standing, locked = _response_certificate_or_locked()
    if locked:
        return locked
    verify_url = url_for("public.verify", code=standing.certificate.code, _external=True)
    return render_template("lasting/response_certificate.html", standing=standing, verify_url=verify_url)


@bp.route("/learn/response-certificate.pdf")
@login_required
def response_certificate_pdf():
    standing, locked = _response_certificate_or_locked()
    if locked:
        return locked
    pdf = response_certificates.response_pdf(
        name=current_user.display_name,
        module_title=_overdose_module_or_404().title,
        issued=long_date(standing.certificate.issued_at),
        current_until=long_date(standing.current_until),
        code=standing.certificate.code,
        verify_url=url_for("public.verify", code=standing.certificate.code, _external=True),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="lantern-overdose-response.pdf"'},
    )


@bp.route("/account/reminders", methods=["POST"])
@login_required
def choose_reminders():
    form = ReminderForm()
    if not form.validate_on_submit():
        abort(400, "The form was incomplete. Please go back and try again.")
    reminders.set_reminders(current_user.id, form.email_reminders.data)
    flash("Reminders are on." if form.email_reminders.data else "Reminders are off.", "success")
    return redirect(url_for("account.show"))


@bp.route("/learn/reminders", methods=["POST"])
@login_required
def answer_offer():
    form = ReminderOfferForm()
    if not form.validate_on_submit():
        abort(400, "The form was incomplete. Please go back and try again.")
    reminders.set_reminders(current_user.id, bool(form.answer_yes.data))
    flash(
        "Reminders are on. You can turn them off on your account page."
        if form.answer_yes.data
        else "No reminders. You can turn them on later on your account page.",
        "success",
    )
    return redirect(url_for("learn.home"))


@bp.route("/reminders/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail programs post here for one-click unsubscribe (RFC 8058); the signed token is the key
def unsubscribe(token: str):
    user_id = reminders.user_for_token(token)
    if user_id is None:
        abort(404)
    if request.method == "GET":
        return render_template("lasting/unsubscribe.html", token=token, done=False, form=ConfirmForm(formdata=None))
    reminders.set_reminders_if_account(user_id, False)
    return render_template("lasting/unsubscribe.html", token=token, done=True, form=None)
