"""Reading a submitted quiz, scoring it against the questions the attempt asked, and recording it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from course import progress, quiz_layouts
from course.content import Question, Quiz
from course.extensions import db
from course.models import AttemptAnswer, QuizAttempt, QuizLayout, utcnow

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class FormData(Protocol):
    def getlist(self, key: str) -> list[str]: ...

    def keys(self) -> Iterable[str]: ...


class TamperedSubmission(ValueError):
    """The form holds values no honest quiz page can send."""


@dataclass(frozen=True)
class GradedAnswer:
    question: Question
    chosen: tuple[str, ...]
    correct: bool


@dataclass(frozen=True)
class GradedAttempt:
    answers: tuple[GradedAnswer, ...]
    correct_count: int
    question_count: int
    score: int
    passed: bool
    missed_critical: bool


def field_name(question: Question, choice_id: str | None = None) -> str:
    """Return the form field of a question (or, for put-in-order, of one of its steps)."""
    return f"q-{question.id}" if choice_id is None else f"q-{question.id}-{choice_id}"


def read_answers(
    quiz: Quiz, form: FormData, questions: tuple[Question, ...] | None = None
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Return (answers by question id, messages by question id for what is missing).

    `questions` are the ones the attempt asked (default: the whole pool). Raises
    TamperedSubmission for a value that is not one of the question's choices, or for an
    answer to a question that was not asked.
    """
    asked = quiz.questions if questions is None else questions
    expected = {field_name(q) for q in asked} | {field_name(q, c.id) for q in asked if q.type == "order" for c in q.choices}
    unasked = sorted(key for key in form.keys() if key.startswith("q-") and key not in expected)
    if unasked:
        raise TamperedSubmission(f"“{unasked[0][:40]}” is not a question of this quiz.")
    answers: dict[str, tuple[str, ...]] = {}
    errors: dict[str, str] = {}
    for question in asked:
        if question.type == "order":
            chosen, error = _read_order(question, form)
        else:
            chosen, error = _read_choices(question, form)
        if error:
            errors[question.id] = error
        answers[question.id] = chosen
    return answers, errors


def _read_choices(question: Question, form: FormData) -> tuple[tuple[str, ...], str]:
    values = form.getlist(field_name(question))
    unknown = [value for value in values if value not in question.choice_ids]
    if unknown:
        raise TamperedSubmission(f"“{unknown[0][:40]}” is not an answer to question “{question.id}”.")
    if len(set(values)) != len(values):
        raise TamperedSubmission(f"The same answer was sent twice for question “{question.id}”.")
    if not values:
        return (), "Choose at least one answer." if question.type == "multiple" else "Choose an answer."
    if question.type != "multiple" and len(values) > 1:
        raise TamperedSubmission(f"Question “{question.id}” takes one answer.")
    return tuple(choice_id for choice_id in question.choice_ids if choice_id in values), ""


def _read_order(question: Question, form: FormData) -> tuple[tuple[str, ...], str]:
    count = len(question.choices)
    positions: dict[str, int] = {}
    for choice in question.choices:
        values = form.getlist(field_name(question, choice.id))
        if len(values) > 1:
            raise TamperedSubmission(f"A step of question “{question.id}” was sent twice.")
        if not values or values[0] == "":
            continue
        if not values[0].isdigit() or not 1 <= int(values[0]) <= count:
            raise TamperedSubmission(f"“{values[0][:10]}” is not a position in question “{question.id}”.")
        positions[choice.id] = int(values[0])
    if len(positions) < count:
        return (), "Give every step a position."
    if len(set(positions.values())) < count:
        return (), "Use each position once: two steps have the same number."
    return tuple(sorted(positions, key=positions.__getitem__)), ""


def grade(quiz: Quiz, answers: dict[str, tuple[str, ...]], questions: tuple[Question, ...] | None = None) -> GradedAttempt:
    """Score the answers to the questions asked (default: the whole pool); a missed critical one fails."""
    graded = []
    for question in quiz.questions if questions is None else questions:
        chosen = answers.get(question.id, ())
        if question.type == "order":
            correct = chosen == question.correct_answer
        else:
            correct = set(chosen) == set(question.correct_answer)
        graded.append(GradedAnswer(question, chosen, correct))
    right = sum(answer.correct for answer in graded)
    total = len(graded)
    missed_critical = any(answer.question.critical and not answer.correct for answer in graded)
    # Compare in whole numbers: 4 of 5 is exactly 80 %, with no rounding to trip on.
    reached_mark = total > 0 and right * 100 >= quiz.pass_mark * total
    return GradedAttempt(
        answers=tuple(graded),
        correct_count=right,
        question_count=total,
        score=(right * 100) // total if total else 0,
        passed=reached_mark and not missed_critical,
        missed_critical=missed_critical,
    )


def find_attempt(user_id: int, submission_token: str) -> QuizAttempt | None:
    return db.session.scalar(
        sa.select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.submission_token == submission_token)
    )


def unsaved_attempt(quiz: Quiz, graded: GradedAttempt) -> QuizAttempt:
    """Return an attempt with its answers, not added to the database session."""
    return QuizAttempt(
        module_slug=quiz.module_slug,
        submitted_at=utcnow(),
        score=graded.score,
        correct_count=graded.correct_count,
        question_count=graded.question_count,
        passed=graded.passed,
        missed_critical=graded.missed_critical,
        content_version=quiz.version,
        answers=[
            AttemptAnswer(question_id=a.question.id, chosen=list(a.chosen), is_correct=a.correct)
            for a in graded.answers
        ],
    )


def record_attempt(
    user_id: int, quiz: Quiz, graded: GradedAttempt, submission_token: str, layout: QuizLayout | None = None
) -> QuizAttempt:
    """Store an attempt and its answers (and link the layout it was answered on); a token already used
    returns the attempt it made."""
    if not TOKEN_PATTERN.match(submission_token):
        raise TamperedSubmission("The quiz form is incomplete. Please reload the quiz and try again.")
    existing = find_attempt(user_id, submission_token)
    if existing is not None:
        return existing
    attempt = unsaved_attempt(quiz, graded)
    attempt.user_id = user_id
    attempt.submission_token = submission_token
    db.session.add(attempt)
    try:
        db.session.flush()
        if layout is not None:
            layout.attempt_id = attempt.id
        db.session.commit()
    except IntegrityError:
        # The same form arrived twice at once (a double click): keep the first.
        db.session.rollback()
        existing = find_attempt(user_id, submission_token)
        if existing is None:
            raise
        return existing
    return attempt


QUIZ_CHANGED = (
    "This quiz was updated while you were answering it, so your answers could not be checked. "
    "Nothing was saved. Here is the new quiz."
)


@dataclass(frozen=True)
class Submission:
    """What became of a submitted quiz form: exactly one of attempt, preview or layout is set."""

    attempt: QuizAttempt | None = None  # recorded now, or earlier by the same form
    preview: tuple[QuizAttempt, quiz_layouts.Layout] | None = None  # graded for staff, not recorded
    layout: quiz_layouts.Layout | None = None  # show the quiz again, with errors or notice
    errors: dict[str, str] = field(default_factory=dict)
    notice: str = ""


def submit_quiz(user, quiz: Quiz, form: FormData, token: str) -> Submission:
    """Grade a quiz form against the layout it names and record the attempt (staff previews are not recorded).

    Raises TamperedSubmission when the form names no layout of this learner and quiz, or
    answers what it did not ask.
    """
    row = quiz_layouts.find_layout(user.id, token) if TOKEN_PATTERN.match(token) else None
    if row is None or row.module_slug != quiz.module_slug:
        raise TamperedSubmission("This quiz form is out of date or not yours. Please answer the quiz below.")
    if row.attempt_id is not None:  # a double click or a replayed form
        return Submission(attempt=db.session.get(QuizAttempt, row.attempt_id))
    if row.content_version != quiz.version:
        return Submission(layout=quiz_layouts.open_layout(user, quiz), notice=QUIZ_CHANGED)
    layout = quiz_layouts.layout_from_row(quiz, row)
    answers, errors = read_answers(quiz, form, layout.question_list)
    if errors:
        return Submission(layout=layout, errors=errors)
    graded = grade(quiz, answers, layout.question_list)
    if not progress.records_progress(user):
        quiz_layouts.discard_layout(row)
        return Submission(preview=(unsaved_attempt(quiz, graded), layout))
    return Submission(attempt=record_attempt(user.id, quiz, graded, token, row))
