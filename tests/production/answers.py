"""The right answers to the quiz a page asks, read from the shipped course (for the browser tests and bench/load.py)."""

from __future__ import annotations

import re

from course.content import Module, load_course
from tests.production.stack import ROOT

COURSE = load_course(ROOT / "modules")


def right_answers(module: Module, question_ids: list[str]) -> list[tuple[str, str, str]]:
    """Return (control, field, value) that answer the asked questions rightly (put-in-order: a select per step)."""
    questions = {question.id: question for question in module.quiz.questions}
    fields = []
    for question_id in question_ids:
        question = questions[question_id]
        if question.type == "order":
            fields += [("select", f"q-{question.id}-{choice}", str(n)) for n, choice in enumerate(question.correct_answer, 1)]
        else:
            fields += [("input", f"q-{question.id}", choice) for choice in question.correct_answer]
    return fields


def asked_questions(html: str) -> list[str]:
    """Return the ids of the questions a quiz page asks."""
    return re.findall(r'<fieldset class="question[^"]*" id="question-([^"]+)"', html)
