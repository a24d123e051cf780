"""The learner's course: home, modules, lessons, quizzes and their review."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from course import certificates, grading, lasting_home, page_cache, progress, quiz_layouts, sessions
from course.loaded import get_course, long_date
from course.content import Course, Lesson, Module
from course.extensions import db
from course.forms import ConfirmForm, QuizForm
from course.models import QuizAttempt

bp = Blueprint("learn", __name__, url_prefix="/learn")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page of the course is the learner's own."""


# How each module status reads (its CSS class, its words): a filter, not a macro, because the learner
# home shows one per module on every visit and a Jinja macro call costs far more than a function.
STATUS_LABELS = {
    progress.ModuleStatus.PASSED: ("status-passed", "Passed"),
    progress.ModuleStatus.IN_PROGRESS: ("status-progress", "In progress"),
    progress.ModuleStatus.AVAILABLE: ("status-available", "Ready to start"),
    progress.ModuleStatus.LOCKED: ("status-locked", "Locked"),
}


@bp.app_template_filter("status_label")
def status_label(status: progress.ModuleStatus, best: progress.BestAttempt | None = None) -> Markup:
    """Return a module's status as a labelled badge; a passed one names the best score."""
    css_class, words = STATUS_LABELS[progress.ModuleStatus(status)]
    if status == progress.ModuleStatus.PASSED and best:
        words = f"{words}, best score {best.score}%"
    return Markup(f'<span class="status {css_class}">{escape(words)}</span>')


@bp.app_template_filter("module_cards")
@pass_context
def module_cards(
    context: Context,
    modules: tuple[Module, ...],
    statuses: dict[str, progress.ModuleStatus],
    best: dict[str, progress.BestAttempt],
) -> Markup:
    """Return the modules' cards on the learner home; each is rendered once for each status and best score."""
    cards = []
    for module in modules:
        status, attempt = statuses[module.slug], best.get(module.slug)
        score = attempt.score if attempt and status == progress.ModuleStatus.PASSED else None
        cards.append(
            page_cache.fragment(
                context, "learn/_module_card.html", (module.slug, status, score), module=module, status=status,
                best=attempt,
            )
        )
    return Markup("\n".join(cards))


QUESTION_TEMPLATE = "learn/_question.html"


@bp.app_template_filter("choice_items")
@pass_context
def choice_items(context: Context, shown: quiz_layouts.ShownQuestion, submitted: MultiDict | None) -> Markup:
    """Return a quiz question's choices as list items in the order shown, with what was sent still chosen.

    Each item depends only on its question, choice and whether it is chosen (or, for a step of a
    put-in-order question, the position given), so it is rendered once per process and kept.
    """
    question, calls = shown.question, []
    if question.type == "order":
        positions = len(question.choices)
        for choice in shown.choices:
            current = submitted.get(grading.field_name(question, choice.id), "") if submitted else ""
            calls.append(((question.id, choice.id, choice.text, positions, current), (question, choice, current)))
        return page_cache.macro_calls(context, QUESTION_TEMPLATE, "order_item", calls)
    chosen = submitted.getlist(grading.field_name(question)) if submitted else ()
    for choice in shown.choices:
        checked = choice.id in chosen
        calls.append(((question.id, question.type, choice.id, choice.text, checked), (question, choice, checked)))
    return page_cache.macro_calls(context, QUESTION_TEMPLATE, "choice_item", calls)


def _module_or_404(course: Course, module_slug: str) -> Module:
    module = course.module(module_slug)
    if module is None:
        abort(404)
    return module


def _lesson_or_404(module: Module, lesson_slug: str) -> Lesson:
    lesson = module.lesson(lesson_slug)
    if lesson is None:
        abort(404)
    return lesson


def step_url(step: progress.Step | tuple[str, str | None] | None) -> str:
    """Return the URL of a step (a Step, or (module slug, lesson slug or None for the quiz))."""
    if step is None:
        return url_for("learn.home")
    if isinstance(step, progress.Step):
        step = (step.module.slug, step.lesson.slug if step.lesson else None)
    module_slug, lesson_slug = step
    if lesson_slug is None:
        return url_for("learn.quiz", module_slug=module_slug)
    return url_for("learn.lesson", module_slug=module_slug, lesson_slug=lesson_slug)


def _locked(access: progress.Access, what: str):
    return render_template("learn/locked.html", reason=access.reason, go_to=step_url(access.go_to), what=what), 403


@bp.route("")
def home():
    course = get_course()
    person = sessions.signed_in()
    state = progress.state_for(person)
    done, total = progress.course_progress(course, state)
    return render_template(
        "learn/home.html",
        course=course,
        state=state,
        done=done,
        total=total,
        statuses={module.slug: progress.module_status(course, state, module) for module in course.modules},
        next_step=progress.next_step(course, state),
        complete=progress.course_complete(course, state),
        lasting=lasting_home.home_notes(person, course, state),
    )


def _certificate_or_locked():
    """Return (certificate, None), or (None, the locked page) until the whole course is passed."""
    course = get_course()
    state = progress.state_for(current_user)
    certificate = certificates.issue_certificate(current_user, course, state)
    if certificate is None:
        access = progress.Access(
            False,
            "Your certificate is ready when you have passed the quiz of every module.",
            progress.next_open_in(course, state, course.modules[-1]),
        )
        return None, _locked(access, "certificate")
    return certificate, None


@bp.route("/certificate")
def certificate():
    certificate, locked = _certificate_or_locked()
    if locked:
        return locked
    verify_url = url_for("public.verify", code=certificate.code, _external=True)
    return render_template("learn/certificate.html", certificate=certificate, verify_url=verify_url)


@bp.route("/certificate.pdf")
def certificate_pdf():
    certificate, locked = _certificate_or_locked()
    if locked:
        return locked
    pdf = certificates.certificate_pdf(
        name=current_user.display_name,
        issued=long_date(certificate.issued_at),
        code=certificate.code,
        verify_url=url_for("public.verify", code=certificate.code, _external=True),
        module_titles=[module.title for module in get_course().modules],
    )
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": 'attachment; filename="lantern-certificate.pdf"'}
    )


@bp.route("/<module_slug>")
def module(module_slug: str):
    course = get_course()
    module = _module_or_404(course, module_slug)
    state = progress.state_for(current_user)
    if not progress.module_unlocked(course, state, module):
        return _locked(progress.lesson_access(course, state, module, module.lessons[0]), "module")
    attempts = db.session.scalars(
        sa.select(QuizAttempt)
        .where(QuizAttempt.user_id == current_user.id, QuizAttempt.module_slug == module.slug)
        .order_by(QuizAttempt.id.desc())
    ).all()
    return render_template(
        "learn/module.html",
        module=module,
        state=state,
        lesson_access={lesson.slug: progress.lesson_access(course, state, module, lesson) for lesson in module.lessons},
        quiz_access=progress.quiz_access(course, state, module),
        status=progress.module_status(course, state, module),
        attempts=attempts,
    )


@bp.route("/<module_slug>/<lesson_slug>")
def lesson(module_slug: str, lesson_slug: str):
    course = get_course()
    module = _module_or_404(course, module_slug)
    lesson = _lesson_or_404(module, lesson_slug)
    person = sessions.signed_in()
    state = progress.state_for(person)
    access = progress.lesson_access(course, state, module, lesson)
    if not access.allowed:
        return _locked(access, "lesson")
    progress.open_lesson(person, state, module.slug, lesson.slug)
    return render_template(
        "learn/lesson.html",
        module=module,
        lesson=lesson,
        number=module.lessons.index(lesson) + 1,
        previous=progress.step_before(module, lesson),
        following=progress.step_after(module, lesson),
        completed=state.lesson_complete(module.slug, lesson.slug),
        preview=state.preview,
    )


@bp.route("/<module_slug>/<lesson_slug>/complete", methods=["POST"])
def complete_lesson(module_slug: str, lesson_slug: str):
    course = get_course()
    module = _module_or_404(course, module_slug)
    lesson = _lesson_or_404(module, lesson_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form was incomplete. Please go back and try again.")
    state = progress.state_for(current_user)
    access = progress.lesson_access(course, state, module, lesson)
    if not access.allowed:
        return _locked(access, "lesson")
    progress.complete_lesson(current_user, module.slug, lesson.slug)
    return redirect(step_url(progress.step_after(module, lesson)))


@bp.route("/<module_slug>/quiz", methods=["GET", "POST"])
def quiz(module_slug: str):
    course = get_course()
    module = _module_or_404(course, module_slug)
    person = sessions.signed_in()
    state = progress.state_for(person)
    access = progress.quiz_access(course, state, module)
    if not access.allowed:
        return _locked(access, "quiz")
    if request.method == "GET":
        return _quiz_page(module, state, quiz_layouts.open_layout(person, module.quiz))
    form = QuizForm()
    if not form.validate_on_submit():
        abort(400, "The quiz form was incomplete. Please reload the quiz and try again.")
    try:
        result = grading.submit_quiz(current_user, module.quiz, request.form, form.submission_token.data or "")
    except grading.TamperedSubmission as error:
        layout = quiz_layouts.open_layout(current_user, module.quiz)
        return _quiz_page(module, state, layout, problem=f"{error} Nothing was saved.", status=400)
    if result.attempt is not None:
        return redirect(url_for("learn.attempt", module_slug=module.slug, attempt_id=result.attempt.id))
    if result.preview is not None:
        return _review_page(course, module, state, *result.preview, preview=True)
    return _quiz_page(module, state, result.layout, errors=result.errors, notice=result.notice)


def _quiz_page(module: Module, state: progress.LearnerState, layout, status: int = 200, **messages):
    """Render a quiz as one attempt shows it; answers already given stay filled in, unless the quiz changed."""
    keep = request.method == "POST" and not messages.get("notice")
    return render_template(
        "learn/quiz.html",
        module=module,
        layout=layout,
        errors=messages.get("errors") or {},
        problem=messages.get("problem", ""),
        notice=messages.get("notice", ""),
        submitted=request.form if keep else None,
        best=state.best.get(module.slug),
        preview=state.preview,
    ), status


@bp.route("/<module_slug>/quiz/attempts/<int:attempt_id>")
def attempt(module_slug: str, attempt_id: int):
    course = get_course()
    module = _module_or_404(course, module_slug)
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id or attempt.module_slug != module.slug:
        abort(404)
    state = progress.state_for(current_user)
    return _review_page(course, module, state, attempt, quiz_layouts.attempt_layout(module.quiz, attempt))


def _review_page(course: Course, module: Module, state: progress.LearnerState, attempt: QuizAttempt, layout, preview=False):
    """Render an attempt's review: the questions and choices in the order the learner saw them."""
    following = course.modules[course.modules.index(module) + 1] if module != course.modules[-1] else None
    best = state.best.get(module.slug)
    return render_template(
        "learn/attempt.html",
        module=module,
        attempt=attempt,
        layout=layout,
        answers={answer.question_id: answer for answer in attempt.answers},
        is_best=best is not None and best.attempt_id == attempt.id,
        best=best,
        following=following,
        complete=progress.course_complete(course, state),
        preview=preview,
    )


@bp.route("/<module_slug>/handout")
def handout(module_slug: str):
    course = get_course()
    module = _module_or_404(course, module_slug)
    state = progress.state_for(current_user)
    if not progress.module_unlocked(course, state, module):
        return _locked(progress.lesson_access(course, state, module, module.lessons[0]), "module")
    return render_template("learn/handout.html", module=module)
