"""Quiz files: questions, choices, the pool and its draw."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from course.content import checks
from course.content.fields import FieldReader
from course.content.model import (
    CHOICE_FIELDS,
    DEFAULT_PASS_MARK,
    ID_PATTERN,
    QUESTION_FIELDS,
    QUESTION_TYPES,
    QUIZ_FIELDS,
    Choice,
    Question,
    Quiz,
)


# A pool this big must say how many questions an attempt asks.
MAX_POOL_WITHOUT_DRAW = 10


class QuizReader(FieldReader):
    """Reads a module's quiz.yaml."""

    def build_quiz(self, path: Path, module_slug: str, lesson_slugs: set[str]) -> Quiz:
        empty = Quiz(module_slug, DEFAULT_PASS_MARK, (), "")
        if not path.exists():
            self.problem(path, "file", "is missing: every module ends with a quiz")
            return empty
        raw_bytes = path.read_bytes()
        data = self.read_yaml(path)
        if data is None:
            return empty
        if not isinstance(data, dict):
            self.problem(path, "file", "must be a mapping with pass_mark and questions")
            return empty
        self.unknown_fields(path, data, QUIZ_FIELDS)
        pass_mark = data.get("pass_mark", DEFAULT_PASS_MARK)
        if not isinstance(pass_mark, int) or isinstance(pass_mark, bool) or not 1 <= pass_mark <= 100:
            self.problem(path, "pass_mark", "must be a whole-number percentage from 1 to 100")
            pass_mark = DEFAULT_PASS_MARK
        raw_questions = data.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            self.problem(path, "questions", "must be a list of at least one question")
            raw_questions = []
        questions: list[Question] = []
        seen_ids: set[str] = set()
        for index, raw in enumerate(raw_questions):
            question = self.build_question(path, index, raw, lesson_slugs, seen_ids)
            if question is not None:
                questions.append(question)
        version = hashlib.sha256(raw_bytes).hexdigest()[:16]
        quiz = Quiz(module_slug, pass_mark, tuple(questions), version, self.draw(path, data.get("draw"), questions))
        self.measures(path, quiz)
        return quiz

    def draw(self, path: Path, draw: Any, questions: list[Question]) -> int | None:
        """Return the questions drawn per attempt (None: all), checked against the pool."""
        pool = len(questions)
        if draw is None:
            if pool > MAX_POOL_WITHOUT_DRAW:
                self.problem(
                    path, "draw", f"is required when the pool has more than {MAX_POOL_WITHOUT_DRAW} questions "
                    f"(it has {pool}): say how many are asked per attempt"
                )
            return None
        critical = sum(question.critical for question in questions)
        if not isinstance(draw, int) or isinstance(draw, bool) or not 1 <= draw <= pool:
            self.problem(path, "draw", f"must be a whole number from 1 to the pool's size ({pool})")
            return None
        if draw < critical:
            self.problem(path, "draw", f"must be at least the number of critical questions ({critical})")
            return None
        if pool * 2 < draw * 3:
            self.problem(
                path, "draw", f"the pool of {pool} questions is smaller than 1.5 × draw ({draw}): "
                f"a retake would repeat most questions; add questions or draw at most {pool * 2 // 3}"
            )
        return draw

    def measures(self, path: Path, quiz: Quiz) -> None:
        """Report what lets a learner pass without understanding: blind strategies, unbalanced true/false."""
        for message in checks.blind_strategy_problems(quiz):
            self.problem(path, "questions", message)
        if (message := checks.true_false_balance_problem(quiz)) is not None:
            self.problem(path, "questions", message)

    def build_question(
        self, path: Path, index: int, raw: Any, lesson_slugs: set[str], seen_ids: set[str]
    ) -> Question | None:
        where = f"questions[{index}]"
        if not isinstance(raw, dict):
            self.problem(path, where, "must be a mapping (id, type, prompt, choices ...)")
            return None
        question_id = raw.get("id")
        if isinstance(question_id, str) and question_id:
            where = f"questions[{index}] ({question_id})"
        self.unknown_fields(path, raw, QUESTION_FIELDS, f"{where}.")
        if not isinstance(question_id, str) or not ID_PATTERN.match(question_id):
            self.problem(path, f"{where}.id", "is missing or not made of lowercase letters, digits and hyphens")
            question_id = ""
        elif question_id in seen_ids:
            self.problem(path, f"{where}.id", f"'{question_id}' is used by another question in this quiz")
        seen_ids.add(question_id)
        kind = raw.get("type")
        if kind not in QUESTION_TYPES:
            self.problem(path, f"{where}.type", f"must be one of {', '.join(QUESTION_TYPES)}")
            return None
        prompt = self.text_field(path, raw, "prompt", f"{where}.")
        self.language(path, f"{where}.prompt", prompt)
        lesson = raw.get("lesson")
        if lesson not in lesson_slugs:
            self.problem(path, f"{where}.lesson", f"must name a lesson of this module (one of {', '.join(sorted(lesson_slugs))})")
            lesson = ""
        flags = {}
        for flag in ("critical", "emergency_steps", "refresher"):
            value = raw.get(flag, False)
            if not isinstance(value, bool):
                self.problem(path, f"{where}.{flag}", "must be true or false")
                value = False
            flags[flag] = value
        if flags["emergency_steps"] and kind != "order":
            self.problem(path, f"{where}.emergency_steps", "only a put-in-order question can hold the emergency steps")
        choices = self.build_choices(path, where, kind, raw.get("choices"))
        return Question(
            question_id, kind, prompt, choices, str(lesson), flags["critical"], flags["emergency_steps"], flags["refresher"]
        )

    def build_choices(self, path: Path, where: str, kind: str, raw: Any) -> tuple[Choice, ...]:
        if not isinstance(raw, list) or len(raw) < 2:
            self.problem(path, f"{where}.choices", "must be a list of at least two choices")
            return ()
        choices: list[Choice] = []
        for index, item in enumerate(raw):
            here = f"{where}.choices[{index}]"
            if not isinstance(item, dict):
                self.problem(path, here, "must be a mapping (id, text, explanation ...)")
                continue
            self.unknown_fields(path, item, CHOICE_FIELDS, f"{here}.")
            choice_id = item.get("id")
            if kind == "true_false" and isinstance(choice_id, bool):
                choice_id = str(choice_id).lower()  # an unquoted `true` in YAML
            if not isinstance(choice_id, str) or not ID_PATTERN.match(choice_id):
                self.problem(path, f"{here}.id", "is missing or not made of lowercase letters, digits and hyphens")
                choice_id = f"choice-{index}"
            text = self.text_field(path, item, "text", f"{here}.", required=kind != "true_false")
            if kind == "true_false" and not text:
                text = choice_id.capitalize()
            explanation = self.text_field(path, item, "explanation", f"{here}.")
            correct = item.get("correct")
            if kind == "order":
                if correct is not None:
                    self.problem(path, f"{here}.correct", "is not used in put-in-order: list the choices in the right order")
                correct = True
            elif not isinstance(correct, bool):
                self.problem(path, f"{here}.correct", "must be true or false")
                correct = False
            self.language(path, f"{here}.text", text)
            self.language(path, f"{here}.explanation", explanation)
            choices.append(Choice(choice_id, text, correct, explanation))
        ids = [choice.id for choice in choices]
        for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
            self.problem(path, f"{where}.choices", f"choice id '{duplicate}' is used twice")
        right = sum(choice.correct for choice in choices)
        if kind == "single" and right != 1:
            self.problem(path, f"{where}.choices", f"a single-choice question needs exactly one right answer, not {right}")
        if kind == "multiple" and right < 1:
            self.problem(path, f"{where}.choices", "a select-all question needs at least one right answer")
        elif kind == "multiple" and right == len(choices):
            self.problem(path, f"{where}.choices", "every option of this select-all question is right: "
                         "“tick every box” would pass it; keep at least 2 wrong options")
        elif kind == "multiple" and len(choices) - right < 2:
            self.problem(path, f"{where}.choices", f"this select-all question has {len(choices) - right} wrong "
                         "option: keep at least 2 real wrong options")
        if kind == "true_false":
            if sorted(ids) != ["false", "true"]:
                self.problem(path, f"{where}.choices", "a true/false question has exactly the choices 'true' and 'false'")
            elif right != 1:
                self.problem(path, f"{where}.choices", "exactly one of 'true' and 'false' must be right")
        return tuple(choices)
