"""The learner's course: home, modules, lessons, quizzes and their review."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from course import certificates, get_course, grading, long_date, progress
from course.content import Course, Lesson, Module
from course.extensions import db
from course.forms import ConfirmForm, QuizForm
from course.models import QuizAttempt

bp = Blueprint("learn", __name__, url_prefix="/learn")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page of the course is the learner's own."""


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


def _open_to_me(access: progress.Access) -> bool:
    """Return whether the current user may see the page: the rules say so, or they are staff.

    Facilitators and admins preview any lesson or quiz their groups ask about
    (the per-question results link to them) without working through the course.
    """
    return access.allowed or current_user.is_facilitator


def _locked(access: progress.Access, what: str):
    return render_template("learn/locked.html", reason=access.reason, go_to=step_url(access.go_to), what=what), 403


@bp.route("")
def home():
    course = get_course()
    state = progress.load_state(current_user.id)
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
    )


def _certificate_or_locked():
    """Return (certificate, None), or (None, the locked page) until the whole course is passed."""
    course = get_course()
    state = progress.load_state(current_user.id)
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
    state = progress.load_state(current_user.id)
    if not _open_to_me(progress.Access(progress.module_unlocked(course, state, module))):
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
    state = progress.load_state(current_user.id)
    access = progress.lesson_access(course, state, module, lesson)
    if not _open_to_me(access):
        return _locked(access, "lesson")
    progress.open_lesson(current_user.id, module.slug, lesson.slug)
    return render_template(
        "learn/lesson.html",
        module=module,
        lesson=lesson,
        number=module.lessons.index(lesson) + 1,
        previous=progress.step_before(module, lesson),
        following=progress.step_after(module, lesson),
        completed=state.lesson_complete(module.slug, lesson.slug),
        form=ConfirmForm(),
    )


@bp.route("/<module_slug>/<lesson_slug>/complete", methods=["POST"])
def complete_lesson(module_slug: str, lesson_slug: str):
    course = get_course()
    module = _module_or_404(course, module_slug)
    lesson = _lesson_or_404(module, lesson_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form was incomplete. Please go back and try again.")
    state = progress.load_state(current_user.id)
    access = progress.lesson_access(course, state, module, lesson)
    if not _open_to_me(access):
        return _locked(access, "lesson")
    progress.complete_lesson(current_user.id, module.slug, lesson.slug)
    return redirect(step_url(progress.step_after(module, lesson)))


@bp.route("/<module_slug>/quiz", methods=["GET", "POST"])
def quiz(module_slug: str):
    course = get_course()
    module = _module_or_404(course, module_slug)
    state = progress.load_state(current_user.id)
    access = progress.quiz_access(course, state, module)
    if not _open_to_me(access):
        return _locked(access, "quiz")
    form = QuizForm()
    errors: dict[str, str] = {}
    problem = ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The quiz form was incomplete. Please reload the quiz and try again.")
        try:
            answers, errors = grading.read_answers(module.quiz, request.form)
            if not errors:
                graded = grading.grade(module.quiz, answers)
                attempt = grading.record_attempt(current_user.id, module.quiz, graded, form.submission_token.data or "")
                return redirect(url_for("learn.attempt", module_slug=module.slug, attempt_id=attempt.id))
        except grading.TamperedSubmission as error:
            problem = f"{error} Nothing was saved."
    else:
        form.submission_token.data = secrets.token_urlsafe(24)
    status = 400 if problem else 200
    return render_template(
        "learn/quiz.html",
        module=module,
        form=form,
        errors=errors,
        problem=problem,
        submitted=request.form if request.method == "POST" else None,
        field_name=grading.field_name,
        best=state.best.get(module.slug),
    ), status


@bp.route("/<module_slug>/quiz/attempts/<int:attempt_id>")
def attempt(module_slug: str, attempt_id: int):
    course = get_course()
    module = _module_or_404(course, module_slug)
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id or attempt.module_slug != module.slug:
        abort(404)
    state = progress.load_state(current_user.id)
    following = course.modules[course.modules.index(module) + 1] if module != course.modules[-1] else None
    return render_template(
        "learn/attempt.html",
        module=module,
        attempt=attempt,
        answers={answer.question_id: answer for answer in attempt.answers},
        is_best=state.best.get(module.slug) is not None and state.best[module.slug].attempt_id == attempt.id,
        best=state.best.get(module.slug),
        following=following,
        complete=progress.course_complete(course, state),
    )


@bp.route("/<module_slug>/handout")
def handout(module_slug: str):
    course = get_course()
    module = _module_or_404(course, module_slug)
    state = progress.load_state(current_user.id)
    if not _open_to_me(progress.Access(progress.module_unlocked(course, state, module))):
        return _locked(progress.lesson_access(course, state, module, module.lessons[0]), "module")
    return render_template("learn/handout.html", module=module)
