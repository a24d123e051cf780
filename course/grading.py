"""Reading a submitted quiz, scoring it, and recording the attempt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from course.content import Question, Quiz
from course.extensions import db
from course.models import AttemptAnswer, QuizAttempt

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class FormData(Protocol):
    def getlist(self, key: str) -> list[str]: ...


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


def read_answers(quiz: Quiz, form: FormData) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Return (answers by question id, messages by question id for what is missing).

    Raises TamperedSubmission for a value that is not one of the question's choices.
    """
    answers: dict[str, tuple[str, ...]] = {}
    errors: dict[str, str] = {}
    for question in quiz.questions:
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


def grade(quiz: Quiz, answers: dict[str, tuple[str, ...]]) -> GradedAttempt:
    """Score complete answers: each question is right or wrong; a missed critical one fails."""
    graded = []
    for question in quiz.questions:
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


def record_attempt(user_id: int, quiz: Quiz, graded: GradedAttempt, submission_token: str) -> QuizAttempt:
    """Store an attempt and its answers; a token already used returns the attempt it made."""
    if not TOKEN_PATTERN.match(submission_token):
        raise TamperedSubmission("The quiz form is incomplete. Please reload the quiz and try again.")
    existing = find_attempt(user_id, submission_token)
    if existing is not None:
        return existing
    attempt = QuizAttempt(
        user_id=user_id,
        module_slug=quiz.module_slug,
        submission_token=submission_token,
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
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:
        # The same form arrived twice at once (a double click): keep the first.
        db.session.rollback()
        existing = find_attempt(user_id, submission_token)
        if existing is None:
            raise
        return existing
    return attempt
