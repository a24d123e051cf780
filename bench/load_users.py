"""The people bench/load.py sends at the production stack (a locustfile; run through bench/load.py).

Learners log in once and work through the course as a person would: read a lesson, mark it
complete, take the module's quiz and read the result, glance at their home page. Facilitators
open their group's page and its check-ins. Every write the server acknowledges (a redirect
after "mark complete", a redirect to the attempt after a quiz) is written down, and at the end
the ledger goes to LANTERN_LOAD_LEDGER for bench/load.py to compare with the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
from pathlib import Path

import urllib3
from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.production.answers import COURSE, asked_questions, right_answers  # noqa: E402
from tests.production.visitor import form_headers  # noqa: E402

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the stack's certificate is self-signed

ACCOUNTS = json.loads(Path(os.environ["LANTERN_LOAD_ACCOUNTS"]).read_text())
LEARNERS = itertools.cycle(ACCOUNTS["learners"])
LEDGER: dict[str, list] = {"completions": [], "attempts": []}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission_token"[^>]*value="([^"]+)"')


@events.quitting.add_listener
def _write_ledger(environment, **_kwargs) -> None:
    Path(os.environ["LANTERN_LOAD_LEDGER"]).write_text(json.dumps(LEDGER))


class Person(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.verify = False

    def get(self, path: str, name: str):
        return self.client.get(path, name=name)

    def post_form(self, path: str, page, fields: dict, name: str):
        """Send a form from a page as a browser would: its CSRF token, Origin, and Referer only if the page allows."""
        token = CSRF.search(page.text)
        data = {**fields, "csrf_token": token.group(1) if token else ""}
        headers = form_headers(self.host, urlpath(page.url), page.headers, page.text)
        with self.client.post(path, data=data, headers=headers, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code not in (302, 303):
                answer.failure(f"{name} answered {answer.status_code}")
            return answer

    def log_in(self, email: str, password: str) -> None:
        page = self.get("/login", "login page")
        answer = self.post_form("/login", page, {"email": email, "password": password}, "log in")
        if answer.status_code in (302, 303):
            self.get(answer.headers["Location"], "home")


def urlpath(url: str) -> str:
    return "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"


class Learner(Person):
    """A family member working through the course, one step at a time, with time to read."""

    wait_time = between(1, 4)
    weight = 19

    def on_start(self) -> None:
        super().on_start()
        self.email = next(LEARNERS)
        self.module_index, self.lesson_index = 0, 0
        self.log_in(self.email, ACCOUNTS["password"])

    @property
    def module(self):
        return COURSE.modules[self.module_index]

    def lesson_path(self) -> str:
        return f"/learn/{self.module.slug}/{self.module.lessons[self.lesson_index].slug}"

    @task(4)
    def read_and_complete_a_lesson(self) -> None:
        if self.lesson_index >= len(self.module.lessons):
            return self.take_the_quiz()
        page = self.get(self.lesson_path(), "lesson")
        answer = self.post_form(self.lesson_path() + "/complete", page, {}, "mark complete")
        if answer.status_code in (302, 303):
            lesson = self.module.lessons[self.lesson_index]
            LEDGER["completions"].append([self.email, self.module.slug, lesson.slug])
            self.lesson_index += 1

    @task(2)
    def reread_a_lesson(self) -> None:
        if self.lesson_index:
            lesson = random.choice(self.module.lessons[: self.lesson_index])
            self.get(f"/learn/{self.module.slug}/{lesson.slug}", "lesson")

    @task(1)
    def look_at_my_progress(self) -> None:
        self.get("/learn", "home")

    def take_the_quiz(self) -> None:
        path = f"/learn/{self.module.slug}/quiz"
        page = self.get(path, "quiz")
        token = SUBMISSION.search(page.text)
        fields: dict[str, list[str]] = {}
        for _control, name, value in right_answers(self.module, asked_questions(page.text)):
            fields.setdefault(name, []).append(value)
        if random.random() < 0.2:  # some people get one wrong and take the quiz again later
            self.answer_one_wrongly(fields)
        answer = self.post_form(path, page, {"submission_token": token.group(1) if token else "", **fields}, "submit quiz")
        if answer.status_code in (302, 303) and "/quiz/attempts/" in answer.headers.get("Location", ""):
            LEDGER["attempts"].append([self.email, token.group(1)])
            result = self.get(answer.headers["Location"], "quiz result")
            if "You passed." in result.text:
                self.module_index = (self.module_index + 1) % len(COURSE.modules)
                self.lesson_index = 0


    def answer_one_wrongly(self, fields: dict[str, list[str]]) -> None:
        choosable = [q for q in self.module.quiz.questions if q.type != "order" and f"q-{q.id}" in fields]
        if choosable:
            question = random.choice(choosable)
            wrong = [choice for choice in question.choice_ids if choice not in question.correct_answer]
            fields[f"q-{question.id}"] = wrong[:1] or fields[f"q-{question.id}"]


class Facilitator(Person):
    """A counsellor checking on their group between sessions."""

    wait_time = between(2, 6)
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        self.log_in(ACCOUNTS["facilitator"], ACCOUNTS["facilitator_password"])

    @task(3)
    def open_the_group_page(self) -> None:
        self.get(f"/facilitator/groups/{ACCOUNTS['group_id']}", "group page")

    @task(1)
    def open_the_check_ins(self) -> None:
        self.get(f"/facilitator/groups/{ACCOUNTS['group_id']}/check-ins", "group check-ins")
