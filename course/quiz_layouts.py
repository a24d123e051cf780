"""Per-attempt quiz layouts: which questions are drawn from the pool, and in what order the choices show.

`draw_layout` is a plain function of the quiz, how often the learner has been asked each
question, and a random source. `open_layout` keeps one open layout per learner and quiz
version (a reload shows the same quiz, read once and kept while nothing changes: course.kept);
`find_layout` finds the one a submitted form names.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from course import kept
from course.content import Choice, Question, Quiz
from course.extensions import db, read
from course.models import AttemptAnswer, QuizAttempt, QuizLayout


@dataclass(frozen=True)
class ShownQuestion:
    question: Question
    choices: tuple[Choice, ...]  # in the order shown


@dataclass(frozen=True)
class Layout:
    """A quiz as one attempt shows it."""

    token: str
    questions: tuple[ShownQuestion, ...]

    @property
    def question_list(self) -> tuple[Question, ...]:
        return tuple(shown.question for shown in self.questions)

    @property
    def asks_critical(self) -> bool:
        """Return whether any question shown is one the learner must get right to pass."""
        return any(shown.question.critical for shown in self.questions)


def shuffled_choices(question: Question, rng: random.Random) -> tuple[Choice, ...]:
    """Return the choices in a random order; put-in-order never shows the right order, true/false keeps its own."""
    if question.type == "true_false":
        return question.choices
    choices = list(question.choices)
    rng.shuffle(choices)
    if question.type == "order" and len(choices) > 1 and tuple(choices) == question.choices:
        # Any other rotation is a wrong order; this one keeps the shuffle's randomness.
        shift = rng.randrange(1, len(choices))
        choices = choices[shift:] + choices[:shift]
    return tuple(choices)


def draw_questions(quiz: Quiz, asked: dict[str, int], rng: random.Random) -> tuple[Question, ...]:
    """Draw the attempt's questions: every critical one, then those asked least, ties broken at random.

    They keep the pool's order, which follows the lessons.
    """
    count = quiz.draw or len(quiz.questions)
    critical = [question for question in quiz.questions if question.critical]
    others = [question for question in quiz.questions if not question.critical]
    tie_breaks = {question.id: rng.random() for question in others}
    others.sort(key=lambda question: (asked.get(question.id, 0), tie_breaks[question.id]))
    chosen = {question.id for question in critical + others[: max(count - len(critical), 0)]}
    return tuple(question for question in quiz.questions if question.id in chosen)


def draw_layout(quiz: Quiz, asked: dict[str, int], rng: random.Random, token: str) -> Layout:
    """Return a fresh layout: the drawn questions, each with its choices shuffled."""
    return Layout(
        token, tuple(ShownQuestion(question, shuffled_choices(question, rng)) for question in draw_questions(quiz, asked, rng))
    )


def layout_from_row(quiz: Quiz, row) -> Layout:
    """Rebuild a stored layout (a QuizLayout, or a row with its token and questions) against today's quiz.

    Questions or choices since removed are left out.
    """
    shown = []
    for question_id, choice_ids in row.questions:
        question = quiz.question(question_id)
        if question is None:
            continue
        choices = [choice for choice_id in choice_ids if (choice := question.choice(choice_id)) is not None]
        stored = set(choice_ids)
        choices += [choice for choice in question.choices if choice.id not in stored]  # added since: shown last
        shown.append(ShownQuestion(question, tuple(choices)))
    return Layout(row.token, tuple(shown))


def file_order_layout(quiz: Quiz, question_ids: list[str]) -> Layout:
    """Return the layout of an attempt recorded without one: its questions in file order."""
    return Layout("", tuple(ShownQuestion(q, q.choices) for q in quiz.questions if q.id in question_ids))


def asked_counts(user_id: int, module_slug: str) -> dict[str, int]:
    """Return how many of the learner's attempts at a quiz asked each question (one query)."""
    rows = db.session.execute(
        sa.select(AttemptAnswer.question_id, sa.func.count())
        .join(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.module_slug == module_slug)
        .group_by(AttemptAnswer.question_id)
    ).all()
    return {question_id: count for question_id, count in rows}


# The learner's open layout of a quiz version, built once: every visit to a quiz page asks.
# On the table, read through course.extensions.read (plain columns need no ORM loading).
_LAYOUTS = QuizLayout.__table__
_OPEN_LAYOUT = (
    sa.select(_LAYOUTS.c.token, _LAYOUTS.c.questions)
    .where(
        _LAYOUTS.c.user_id == sa.bindparam("user_id"),
        _LAYOUTS.c.module_slug == sa.bindparam("module_slug"),
        _LAYOUTS.c.content_version == sa.bindparam("version"),
        _LAYOUTS.c.attempt_id.is_(None),
    )
    .order_by(_LAYOUTS.c.id.desc())
    .limit(1)
)


def open_layout(person: kept.StampedPerson, quiz: Quiz, rng: random.Random | None = None) -> Layout:
    """Return the person's open layout of this quiz version, drawing and storing a new one if there is none."""
    user_id = person.id
    row = kept.kept_or_read(
        person,
        ("open layout", quiz.module_slug, quiz.version),
        lambda: read(_OPEN_LAYOUT, {"user_id": user_id, "module_slug": quiz.module_slug, "version": quiz.version}).first(),
    )
    if row is not None:
        return layout_from_row(quiz, row)
    layout = draw_layout(quiz, asked_counts(user_id, quiz.module_slug), rng or random.SystemRandom(), secrets.token_urlsafe(24))
    db.session.add(
        QuizLayout(
            user_id=user_id,
            module_slug=quiz.module_slug,
            token=layout.token,
            content_version=quiz.version,
            questions=[[shown.question.id, [choice.id for choice in shown.choices]] for shown in layout.questions],
        )
    )
    db.session.commit()
    return layout


def find_layout(user_id: int, token: str) -> QuizLayout | None:
    """Return the learner's layout a submitted form names (None: not theirs, or never made)."""
    return db.session.scalar(sa.select(QuizLayout).where(QuizLayout.user_id == user_id, QuizLayout.token == token))


def attempt_layout(quiz: Quiz, attempt: QuizAttempt) -> Layout:
    """Return the layout an attempt was answered on, for its review."""
    row = db.session.scalar(sa.select(QuizLayout).where(QuizLayout.attempt_id == attempt.id))
    if row is None:
        return file_order_layout(quiz, [answer.question_id for answer in attempt.answers])
    return layout_from_row(quiz, row)


def discard_layout(row: QuizLayout) -> None:
    """Delete a layout that will not become an attempt (a staff preview was graded)."""
    db.session.delete(row)
    db.session.commit()
