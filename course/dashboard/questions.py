"""Per-question results for a group: who missed what, and which wrong answers they chose.

Quizzes draw each attempt's questions from a pool, so a question is counted only for the
learners who were asked it, on the latest attempt that asked it: "3 of 5 who were asked
missed it" counts people, not attempts, and says what the group gets wrong now. Those answers
are kept as data (LatestAnswer, written with each learner's summary by course.dashboard.status),
so a group of 1,000 is counted from one row per member and question.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from course.access import active_member_ids
from course.content import Course, Module, Question
from course.dashboard import status
from course.extensions import db
from course.models import LatestAnswer

FEW_ANSWERS = 5  # below this, a share of right answers says little
WRONG_ANSWERS_SHOWN = 4


@dataclass(frozen=True)
class WrongAnswer:
    count: int
    words: str  # "chose “Let him sleep it off”"

    @property
    def summary(self) -> str:
        return f"{self.count} {self.words}"


@dataclass(frozen=True)
class QuestionResult:
    module: Module
    question: Question
    answered: int  # learners who were asked it (latest attempt that asked it)
    right: int
    wrong_answers: tuple[WrongAnswer, ...] = ()  # most chosen first

    @property
    def missed(self) -> int:
        return self.answered - self.right

    @property
    def missed_share(self) -> float:
        return self.missed / self.answered if self.answered else 0.0

    @property
    def few_answers(self) -> bool:
        return self.answered < FEW_ANSWERS

    @property
    def summary(self) -> str:
        """Say the result in words, counting people: '3 of 5 who were asked missed it'."""
        if self.answered == 1:
            return "The one person who was asked missed it." if self.missed else "The one person who was asked got it right."
        if self.missed == 0:
            return f"All {self.answered} who were asked got it right."
        if self.missed == self.answered:
            return f"All {self.answered} who were asked missed it."
        return f"{self.missed} of {self.answered} who were asked missed it."


@dataclass(frozen=True)
class QuestionResults:
    module: Module | None  # None: every module
    answered: tuple[QuestionResult, ...]  # worst first
    unanswered: tuple[QuestionResult, ...]  # in course order

    @property
    def too_few_to_say_much(self) -> bool:
        return all(result.few_answers for result in self.answered)


def _choice_text(question: Question, choice_id: str) -> str:
    choice = question.choice(choice_id)
    return choice.text if choice is not None and choice.text else choice_id.replace("-", " ").capitalize()


def wrong_answers(question: Question, chosen_lists: list[list[str]]) -> tuple[WrongAnswer, ...]:
    """Count the wrong answers people gave to a question, most chosen first."""
    counts: Counter[tuple[str, str]] = Counter()
    right = set(question.correct_answer)
    for chosen in chosen_lists:
        if question.type == "order":
            counts[("order", " → ".join(_choice_text(question, c) for c in chosen))] += 1
            continue
        for choice_id in chosen:
            if choice_id not in right:
                counts[("chose", choice_id)] += 1
        if question.type == "multiple":
            for choice_id in right - set(chosen):
                counts[("left out", choice_id)] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:WRONG_ANSWERS_SHOWN]
    result = []
    for (kind, value), count in ranked:
        if kind == "order":
            words = f"put the steps in this order: {value}"
        else:
            words = f"{kind} “{_choice_text(question, value)}”"
        result.append(WrongAnswer(count, words))
    return tuple(result)


def question_results(course: Course, group_id: int, module: Module | None = None) -> QuestionResults:
    """Count, per question, the group's right answers and wrong choices.

    Worst first: questions with enough answers to mean something come before those with
    fewer than FEW_ANSWERS; within each, the largest share missed first.
    """
    members = active_member_ids(group_id)
    status.load(course, members)  # rewrites the summaries and answers of anyone not current (content changed)
    where = [LatestAnswer.user_id.in_(members)]
    if module is not None:
        where.append(LatestAnswer.module_slug == module.slug)
    # One pass in the database: a row per distinct wrong answer (right answers counted together).
    wrong_answer = sa.case((LatestAnswer.is_correct, sa.null()), else_=sa.cast(LatestAnswer.chosen, sa.Text))
    keys = (LatestAnswer.module_slug, LatestAnswer.question_id, LatestAnswer.is_correct, wrong_answer)
    rows = db.session.execute(sa.select(*keys, sa.func.count()).where(*where).group_by(*keys)).all()
    by_question: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    wrong_by_question: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
    for module_slug, question_id, is_correct, chosen, count in rows:
        key = (module_slug, question_id)
        by_question[key][0] += count
        if is_correct:
            by_question[key][1] += count
        else:
            wrong_by_question[key].extend([list(json.loads(chosen) or [])] * count)
    answered, unanswered = [], []
    order: dict[tuple[str, str], int] = {}
    # Walk today's content: answers to questions no longer in it are skipped.
    for each in (module,) if module else course.modules:
        for question in each.quiz.questions:
            key = (each.slug, question.id)
            order[key] = len(order)
            count, right = by_question.get(key, (0, 0))
            result = QuestionResult(
                each, question, int(count), int(right or 0), wrong_answers(question, wrong_by_question.get(key, []))
            )
            (answered if count else unanswered).append(result)
    answered.sort(key=lambda r: (r.few_answers, -r.missed_share, -r.missed, order[(r.module.slug, r.question.id)]))
    return QuestionResults(module, tuple(answered), tuple(unanswered))
