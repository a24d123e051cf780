"""Practice on what the learner missed (/learn/review): never an attempt, never a score.

A question is in the practice set when the learner got it wrong in an official attempt and has
not yet answered it right twice in practice since that miss. Practice answers live in their own
table; quiz attempts, best scores and progress never see them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from course import grading
from course.content import Course, Module, Question
from course.extensions import db, read
from course.models import AttemptAnswer, PracticeAnswer, QuizAttempt

RIGHT_ANSWERS_NEEDED = 2


@dataclass(frozen=True)
class PracticeItem:
    module: Module
    question: Question
    right_so_far: int  # right practice answers since the last miss


def last_misses(user_id: int) -> dict[tuple[str, str], object]:
    """Return when the learner last missed each question in an official attempt (one query)."""
    rows = read(
        sa.select(QuizAttempt.module_slug, AttemptAnswer.question_id, sa.func.max(QuizAttempt.submitted_at))
        .join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.user_id == user_id, AttemptAnswer.is_correct.is_(False))
        .group_by(QuizAttempt.module_slug, AttemptAnswer.question_id)
    ).all()
    return {(module_slug, question_id): missed_at for module_slug, question_id, missed_at in rows}


def right_answers_since(user_id: int, misses: Mapping) -> dict[tuple[str, str], int]:
    """Return how often each missed question was answered right in practice after its last miss."""
    if not misses:
        return {}
    rows = read(
        sa.select(PracticeAnswer.module_slug, PracticeAnswer.question_id, PracticeAnswer.answered_at).where(
            PracticeAnswer.user_id == user_id, PracticeAnswer.is_correct.is_(True)
        )
    ).all()
    counts: dict[tuple[str, str], int] = {}
    for module_slug, question_id, answered_at in rows:
        key = (module_slug, question_id)
        if key in misses and answered_at >= misses[key]:
            counts[key] = counts.get(key, 0) + 1
    return counts


def practice_set(course: Course, user_id: int) -> list[PracticeItem]:
    """Return the questions still to practise, in course order (questions since removed are left out)."""
    misses = last_misses(user_id)
    return items_to_practise(course, misses, right_answers_since(user_id, misses))


def items_to_practise(
    course: Course, misses: Mapping[tuple[str, str], object], rights: Mapping[tuple[str, str], int]
) -> list[PracticeItem]:
    """Return the missed questions not yet answered right often enough since, in course order."""
    items = []
    missed_modules = {module_slug for module_slug, _ in misses}  # the home asks on every visit: skip the rest
    for module in course.modules:
        if module.slug not in missed_modules:
            continue
        for question in module.quiz.questions:
            key = (module.slug, question.id)
            if key in misses and rights.get(key, 0) < RIGHT_ANSWERS_NEEDED:
                items.append(PracticeItem(module, question, rights.get(key, 0)))
    return items


def was_missed(user_id: int, module_slug: str, question_id: str) -> bool:
    """Return whether the learner ever missed this question in an official attempt."""
    return (module_slug, question_id) in last_misses(user_id)


def record_practice(user_id: int, module_slug: str, question_id: str, chosen: tuple[str, ...], correct: bool) -> None:
    """Store one practice answer."""
    db.session.add(
        PracticeAnswer(
            user_id=user_id, module_slug=module_slug, question_id=question_id, chosen=list(chosen), is_correct=correct
        )
    )
    db.session.commit()


class NotInPractice(ValueError):
    """The form names a question the learner never missed (or one that no longer exists)."""


@dataclass(frozen=True)
class FeedbackAnswer:
    """An answer shaped like an AttemptAnswer, for the shared answer-review partial."""

    chosen: tuple[str, ...]
    is_correct: bool


def feedback_answers(stored: dict[str, list[str]], quiz) -> dict[str, FeedbackAnswer]:
    """Return stored {question id: chosen} answers as FeedbackAnswers, graded against today's quiz."""
    graded = {}
    for question_id, chosen in stored.items():
        question = quiz.question(question_id)
        if question is not None:
            answer = grading.grade(quiz, {question_id: tuple(chosen)}, (question,)).answers[0]
            graded[question_id] = FeedbackAnswer(tuple(chosen), answer.correct)
    return graded


def answer_practice(course: Course, user_id: int, module_slug: str, question_id: str, form: grading.FormData):
    """Grade and store one practice answer; return (item, feedback or None, messages for what is missing).

    Raises NotInPractice for a question the learner never missed, grading.TamperedSubmission for
    values the question cannot take.
    """
    module = course.module(module_slug)
    question = module.quiz.question(question_id) if module else None
    if question is None or not was_missed(user_id, module.slug, question.id):
        raise NotInPractice("This question is not in your practice set.")
    item = PracticeItem(module, question, 0)
    answers, errors = grading.read_answers(module.quiz, form, (question,))
    if errors:
        return item, None, errors
    answer = grading.grade(module.quiz, answers, (question,)).answers[0]
    record_practice(user_id, module.slug, question.id, answer.chosen, answer.correct)
    return item, FeedbackAnswer(answer.chosen, answer.correct), {}
