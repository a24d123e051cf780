"""A learner's path through the course, through real HTTP requests on a real database."""

import re
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from course.content import load_course
from course.extensions import db
from course.models import AttemptAnswer, LessonProgress, QuizAttempt, QuizLayout
from tests.conftest import FIXTURE_CONTENT, csrf_token, form_value

COURSE = load_course(FIXTURE_CONTENT)

RIGHT_FIRST = {"q-health-problem": "health", "q-what-helps": ["treatment", "support"], "q-call-911": "true"}
WRONG_FIRST = {"q-health-problem": "choice", "q-what-helps": ["shame"], "q-call-911": "false"}


def shown_questions(html: str) -> list[str]:
    """Return the ids of the questions a quiz page shows, in order."""
    return re.findall(r'<fieldset class="question[^"]*" id="question-([a-z0-9-]+)"', html)


def shown_choices(html: str, question_id: str) -> list[str]:
    """Return a question's choice ids in the order the page shows them."""
    start = html.index(f'id="question-{question_id}"')
    fieldset = html[start : html.index("</fieldset>", start)]
    return re.findall(rf'name="q-{question_id}" value="([a-z0-9-]+)"', fieldset) or re.findall(
        rf'<select id="q-{question_id}-([a-z0-9-]+)"', fieldset
    )


def answer_fields(module: str, question_ids: list[str], wrong: tuple[str, ...] = ()) -> dict:
    """Return form fields answering the questions right, except those named in `wrong`."""
    fields: dict = {}
    for question_id in question_ids:
        question = COURSE.module(module).quiz.question(question_id)
        answer = question.correct_answer
        if question_id in wrong:
            answer = answer[::-1] if question.type == "order" else (next(c.id for c in question.choices if not c.correct),)
        if question.type == "order":
            fields.update({f"q-{question_id}-{choice_id}": str(n) for n, choice_id in enumerate(answer, start=1)})
        else:
            fields[f"q-{question_id}"] = list(answer)
    return fields


def complete(client, module: str, lesson: str):
    page = client.get(f"/learn/{module}/{lesson}")
    assert page.status_code == 200, page.text
    return client.post(f"/learn/{module}/{lesson}/complete", data={"csrf_token": csrf_token(page.text)})


def take_quiz(client, module: str, answers: dict | None = None, wrong: tuple[str, ...] = ()):
    """Open the quiz and send the answers (default: right ones, except `wrong`, to what the page shows)."""
    page = client.get(f"/learn/{module}/quiz")
    assert page.status_code == 200, page.text
    if answers is None:
        answers = answer_fields(module, shown_questions(page.text), wrong)
    data = {"csrf_token": csrf_token(page.text), "submission_token": form_value(page.text, "submission_token"), **answers}
    return client.post(f"/learn/{module}/quiz", data=data)


def finish_module_one(client):
    complete(client, "first-steps", "hello")
    complete(client, "first-steps", "second")
    return take_quiz(client, "first-steps", RIGHT_FIRST)


def count(app, model, **where) -> int:
    with app.app_context():
        query = sa.select(sa.func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return db.session.scalar(query)


def progress_value(html: str) -> tuple[int, int]:
    match = re.search(r'<progress id="course-progress" max="(\d+)" value="(\d+)"', html)
    assert match, "no progress bar"
    return int(match.group(2)), int(match.group(1))


def test_pages_need_a_login(client):
    for path in ("/learn", "/learn/first-steps", "/learn/first-steps/hello", "/learn/first-steps/quiz"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_home_shows_progress_and_where_to_start(client, login_as):
    login_as()
    html = client.get("/learn").text
    assert progress_value(html) == (0, 5)
    assert "0 of 5 steps done (0%)" in html
    assert "Start the course" in html and 'href="/learn/first-steps/hello"' in html
    assert "Ready to start" in html and "Locked" in html


def test_opening_a_lesson_records_it_once(app, client, login_as):
    user = login_as()
    client.get("/learn/first-steps/hello")
    client.get("/learn/first-steps/hello")
    assert count(app, LessonProgress, user_id=user.id) == 1
    with app.app_context():
        row = db.session.scalar(sa.select(LessonProgress))
        assert row.lesson_slug == "hello" and row.completed_at is None


def test_lesson_page_shows_content_sources_and_the_complete_button(client, login_as):
    login_as()
    html = client.get("/learn/first-steps/hello").text
    assert "<h1>Hello</h1>" in html
    assert "Lesson 1 of 2" in html
    assert "Key point" in html
    assert "NIDA: Words matter" in html
    assert "Mark complete and continue" in html and "Next: The second lesson" in html


def test_mark_complete_moves_to_the_next_lesson_then_the_quiz(app, client, login_as):
    user = login_as()
    response = complete(client, "first-steps", "hello")
    assert response.headers["Location"] == "/learn/first-steps/second"
    response = complete(client, "first-steps", "second")
    assert response.headers["Location"] == "/learn/first-steps/quiz"
    assert count(app, LessonProgress, user_id=user.id) == 2
    html = client.get("/learn").text
    assert progress_value(html) == (2, 5)
    assert "Continue where you left off" in html and "Quiz: First steps" in html


def test_a_typed_url_to_a_locked_lesson_explains_and_records_nothing(app, client, login_as):
    login_as()
    response = client.get("/learn/first-steps/second")
    assert response.status_code == 403
    assert "This lesson opens when you finish “Hello”." in response.text
    assert 'href="/learn/first-steps/hello"' in response.text
    response = client.get("/learn/staying-safe/steps")
    assert response.status_code == 403
    assert "pass the quiz of “First steps”" in response.text
    assert count(app, LessonProgress) == 0


def test_a_locked_lesson_cannot_be_completed_by_post(app, client, login_as):
    login_as()
    token = csrf_token(client.get("/learn/first-steps/hello").text)
    response = client.post("/learn/staying-safe/steps/complete", data={"csrf_token": token})
    assert response.status_code == 403
    assert count(app, LessonProgress, lesson_slug="steps") == 0


def test_a_locked_quiz_explains_and_records_nothing(app, client, login_as):
    login_as()
    complete(client, "first-steps", "hello")
    response = client.get("/learn/first-steps/quiz")
    assert response.status_code == 403
    assert "The quiz opens when you finish every lesson of this module" in response.text
    token = csrf_token(client.get("/learn/first-steps/hello").text)
    response = client.post("/learn/first-steps/quiz", data={"csrf_token": token, **RIGHT_FIRST})
    assert response.status_code == 403
    assert count(app, QuizAttempt) == 0


def test_unknown_module_or_lesson_is_404(client, login_as):
    login_as()
    assert client.get("/learn/no-such-module").status_code == 404
    assert client.get("/learn/first-steps/no-such-lesson").status_code == 404
    assert client.get("/learn/no-such-module/quiz").status_code == 404


def test_failing_then_passing_a_quiz(app, client, login_as):
    user = login_as()
    complete(client, "first-steps", "hello")
    complete(client, "first-steps", "second")
    failed = take_quiz(client, "first-steps", WRONG_FIRST)
    assert failed.status_code == 302
    review = client.get(failed.headers["Location"]).text
    assert "Your result: 0%" in review and "Not passed yet" in review
    # Every choice's explanation and the right answer are shown.
    assert "No. It changes the brain; it is not a simple choice." in review
    assert "Right answer" in review and "Your answer" in review
    assert client.get("/learn/staying-safe/steps").status_code == 403

    passed = take_quiz(client, "first-steps", RIGHT_FIRST)
    review = client.get(passed.headers["Location"]).text
    assert "Your result: 100%" in review and "You passed." in review
    assert "Go on to “Staying safe”" in review
    assert client.get("/learn/staying-safe/steps").status_code == 200
    with app.app_context():
        attempts = db.session.scalars(sa.select(QuizAttempt).order_by(QuizAttempt.id)).all()
        assert [(a.score, a.passed) for a in attempts] == [(0, False), (100, True)]
        assert all(a.user_id == user.id and a.content_version for a in attempts)
        answers = db.session.scalars(sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempts[1].id)).all()
        assert {a.question_id: (a.chosen, a.is_correct) for a in answers} == {
            "health-problem": (["health"], True),
            "what-helps": (["treatment", "support"], True),
            "call-911": (["true"], True),
        }


def test_the_best_attempt_counts(client, login_as):
    login_as()
    finish_module_one(client)
    worse = take_quiz(client, "first-steps", WRONG_FIRST)
    review = client.get(worse.headers["Location"]).text
    assert "Your best attempt so far scored 100% and passed; that is the one that counts." in review
    home = client.get("/learn").text
    assert "Passed, best score 100%" in home
    assert client.get("/learn/staying-safe/steps").status_code == 200


def test_missing_the_critical_question_means_not_passed(client, login_as):
    login_as()
    finish_module_one(client)
    complete(client, "staying-safe", "steps")
    response = take_quiz(client, "staying-safe", wrong=("response-order",))
    review = client.get(response.headers["Location"]).text
    assert "Your result: 66%" in review  # 2 of the 3 questions drawn
    assert "Not passed yet" in review and "must get right" in review
    assert "Your order" in review and "The right order" in review


def test_an_unanswered_question_keeps_the_answers_and_saves_nothing(app, client, login_as):
    login_as()
    complete(client, "first-steps", "hello")
    complete(client, "first-steps", "second")
    response = take_quiz(client, "first-steps", {"q-health-problem": "health"})
    assert response.status_code == 200
    assert "Please answer every question" in response.text
    assert "Question 2: Choose at least one answer." in response.text
    assert 'value="health" checked' in response.text
    assert count(app, QuizAttempt) == 0


def test_an_answer_that_is_not_a_choice_is_refused_and_nothing_saved(app, client, login_as):
    login_as()
    complete(client, "first-steps", "hello")
    complete(client, "first-steps", "second")
    response = take_quiz(client, "first-steps", {**RIGHT_FIRST, "q-health-problem": "made-up"})
    assert response.status_code == 400
    assert "is not an answer to question" in response.text and "Nothing was saved." in response.text
    assert count(app, QuizAttempt) == 0 and count(app, AttemptAnswer) == 0


def test_a_replayed_quiz_form_records_one_attempt(app, client, login_as):
    login_as()
    complete(client, "first-steps", "hello")
    complete(client, "first-steps", "second")
    page = client.get("/learn/first-steps/quiz")
    data = {"csrf_token": csrf_token(page.text), "submission_token": form_value(page.text, "submission_token"), **RIGHT_FIRST}
    first = client.post("/learn/first-steps/quiz", data=data)
    second = client.post("/learn/first-steps/quiz", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, QuizAttempt) == 1


def test_a_quiz_form_without_its_token_is_refused(app, client, login_as):
    login_as()
    complete(client, "first-steps", "hello")
    complete(client, "first-steps", "second")
    page = client.get("/learn/first-steps/quiz")
    response = client.post(
        "/learn/first-steps/quiz", data={"csrf_token": csrf_token(page.text), "submission_token": "x", **RIGHT_FIRST}
    )
    assert response.status_code == 400
    assert count(app, QuizAttempt) == 0


def test_another_learners_attempt_is_404(client, auth, login_as, make_user):
    login_as()
    response = finish_module_one(client)
    attempt_url = response.headers["Location"]
    assert client.get(attempt_url).status_code == 200
    auth.logout()
    auth.login(make_user().email)
    assert client.get(attempt_url).status_code == 404
    assert client.get(attempt_url.replace("first-steps", "staying-safe")).status_code == 404


def test_finishing_the_course(client, login_as):
    login_as()
    finish_module_one(client)
    complete(client, "staying-safe", "steps")
    response = take_quiz(client, "staying-safe")
    review = client.get(response.headers["Location"]).text
    assert "You finished the course" in review
    home = client.get("/learn").text
    assert progress_value(home) == (5, 5)
    assert "You have passed every module" in home


def test_coming_back_later_continues_where_they_left_off(app, client, auth, login_as):
    user = login_as()
    complete(client, "first-steps", "hello")
    auth.logout()
    auth.login(user.email)
    html = client.get("/learn").text
    assert "Continue where you left off" in html
    assert 'href="/learn/first-steps/second"' in html
    assert "The second lesson" in html


def test_module_page_lists_lessons_quiz_and_attempts(client, login_as):
    login_as()
    finish_module_one(client)
    html = client.get("/learn/first-steps").text
    assert html.count("status status-passed\">Done") == 2
    assert "Take the quiz again" in html
    assert "100%</a>" in html and "passed" in html


def test_handout_prints_every_lesson_with_sources(client, login_as):
    login_as()
    html = client.get("/learn/first-steps/handout").text
    assert "1. Hello" in html and "2. The second lesson" in html
    assert html.index("2. The second lesson") < html.index("Sources")
    assert "https://www.cdc.gov/stop-overdose/response/index.html" in html
    assert client.get("/learn/staying-safe/handout").status_code == 403


def test_facilitators_preview_any_lesson_and_quiz(client, login_as):
    login_as("facilitator")
    assert client.get("/learn/staying-safe/steps").status_code == 200
    assert client.get("/learn/staying-safe/quiz").status_code == 200
    assert client.get("/learn/staying-safe/handout").status_code == 200


# --- draws and shuffles per attempt ------------------------------------------------------


def open_safe_quiz(client):
    """Pass module one, read the staying-safe lesson, and open its quiz; return the page."""
    finish_module_one(client)
    complete(client, "staying-safe", "steps")
    page = client.get("/learn/staying-safe/quiz")
    assert page.status_code == 200
    return page.text


def post_quiz(client, module: str, page: str, answers: dict):
    data = {"csrf_token": csrf_token(page), "submission_token": form_value(page, "submission_token"), **answers}
    return client.post(f"/learn/{module}/quiz", data=data)


def test_reloading_the_quiz_shows_the_same_draw_and_order(client, login_as):
    login_as()
    page = open_safe_quiz(client)
    again = client.get("/learn/staying-safe/quiz").text
    drawn = shown_questions(page)
    assert len(drawn) == 3 and drawn[0] == "response-order"
    assert "3 questions, picked for this attempt from a larger set" in page
    assert shown_questions(again) == drawn
    assert form_value(again, "submission_token") == form_value(page, "submission_token")
    assert all(shown_choices(again, q) == shown_choices(page, q) for q in drawn)
    assert shown_choices(page, "response-order") != ["check", "call", "naloxone"]  # never the right order


def test_the_attempt_is_graded_on_the_draw_and_a_retake_asks_the_others(app, client, login_as):
    user = login_as()
    page = open_safe_quiz(client)
    first_draw = shown_questions(page)
    response = post_quiz(client, "staying-safe", page, answer_fields("staying-safe", first_draw))
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.module_slug == "staying-safe"))
        assert (attempt.score, attempt.correct_count, attempt.question_count, attempt.passed) == (100, 3, 3, True)
        assert sorted(a.question_id for a in attempt.answers) == sorted(first_draw)
        layout = db.session.scalar(sa.select(QuizLayout).where(QuizLayout.attempt_id == attempt.id))
        assert layout.user_id == user.id and [q for q, _ in layout.questions] == first_draw
    # The next attempt draws the two ordinary questions not asked yet, with a new token.
    retake = client.get("/learn/staying-safe/quiz").text
    second_draw = shown_questions(retake)
    assert second_draw[0] == "response-order"
    assert set(second_draw[1:]).isdisjoint(first_draw[1:])
    assert form_value(retake, "submission_token") != form_value(page, "submission_token")


def test_the_review_shows_the_questions_and_choices_in_the_order_seen(client, login_as):
    login_as()
    page = open_safe_quiz(client)
    drawn = shown_questions(page)
    review = client.get(post_quiz(client, "staying-safe", page, answer_fields("staying-safe", drawn)).headers["Location"]).text
    prompts = [COURSE.module("staying-safe").quiz.question(q).prompt for q in drawn]
    positions = [review.index(prompt) for prompt in prompts]
    assert positions == sorted(positions)
    not_drawn = [q for q in COURSE.module("staying-safe").quiz.questions if q.id not in drawn]
    assert all(q.prompt not in review for q in not_drawn)
    for question_id in drawn[1:]:
        question = COURSE.module("staying-safe").quiz.question(question_id)
        texts = [question.choice(choice_id).text for choice_id in shown_choices(page, question_id)]
        assert [review.index(text) for text in texts] == sorted(review.index(text) for text in texts)


def test_an_answer_to_a_question_not_drawn_is_refused_and_nothing_saved(app, client, login_as):
    login_as()
    page = open_safe_quiz(client)
    drawn = shown_questions(page)
    extra = next(q.id for q in COURSE.module("staying-safe").quiz.questions if q.id not in drawn)
    answers = {**answer_fields("staying-safe", drawn), **answer_fields("staying-safe", [extra])}
    response = post_quiz(client, "staying-safe", page, answers)
    assert response.status_code == 400
    assert "is not a question of this quiz" in response.text and "Nothing was saved." in response.text
    assert count(app, QuizAttempt, module_slug="staying-safe") == 0 and count(app, AttemptAnswer) == 3


def test_another_learners_quiz_form_is_refused(app, client, auth, login_as, make_user):
    login_as()
    page = open_safe_quiz(client)
    answers = answer_fields("staying-safe", shown_questions(page))
    auth.logout()
    other = make_user()
    auth.login(other.email)
    finish_module_one(client)
    complete(client, "staying-safe", "steps")
    mine = client.get("/learn/staying-safe/quiz").text
    forged = {"csrf_token": csrf_token(mine), "submission_token": form_value(page, "submission_token"), **answers}
    response = client.post("/learn/staying-safe/quiz", data=forged)
    assert response.status_code == 400
    assert "This quiz form is out of date or not yours." in response.text
    assert count(app, QuizAttempt, module_slug="staying-safe") == 0


def test_a_quiz_changed_since_it_was_opened_shows_a_fresh_quiz(app, client, login_as):
    login_as()
    page = open_safe_quiz(client)
    with app.app_context():  # the layout was drawn on an older quiz file
        db.session.execute(sa.update(QuizLayout).values(content_version="older-version"))
        db.session.commit()
    response = post_quiz(client, "staying-safe", page, answer_fields("staying-safe", shown_questions(page)))
    assert response.status_code == 200
    assert "This quiz was updated while you were answering it" in response.text
    assert form_value(response.text, "submission_token") != form_value(page, "submission_token")
    assert "\" checked" not in response.text and "selected>" not in response.text  # the new quiz starts empty
    assert count(app, QuizAttempt, module_slug="staying-safe") == 0


def test_a_double_submitted_draw_records_one_attempt(app, client, login_as):
    login_as()
    page = open_safe_quiz(client)
    answers = answer_fields("staying-safe", shown_questions(page))
    first = post_quiz(client, "staying-safe", page, answers)
    second = post_quiz(client, "staying-safe", page, answers)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, QuizAttempt, module_slug="staying-safe") == 1


# --- staff preview and always-open modules ------------------------------------------------


def test_staff_preview_shows_no_locks_and_records_nothing(app, client, login_as):
    login_as("facilitator")
    assert "Locked" not in client.get("/learn").text
    module_page = client.get("/learn/staying-safe").text
    assert "Locked" not in module_page and 'href="/learn/staying-safe/steps"' in module_page
    lesson = client.get("/learn/staying-safe/steps").text
    assert "Staff preview." in lesson and "Mark complete" not in lesson
    client.post("/learn/staying-safe/steps/complete", data={"csrf_token": csrf_token(lesson)})
    assert count(app, LessonProgress) == 0
    page = client.get("/learn/staying-safe/quiz").text
    review = post_quiz(client, "staying-safe", page, answer_fields("staying-safe", shown_questions(page)))
    assert review.status_code == 200
    assert "Your result: 100%" in review.text and "Not saved (staff preview)." in review.text
    assert count(app, QuizAttempt) == 0 and count(app, AttemptAnswer) == 0


def test_an_always_open_module_and_where_to_start_when_worried(app, client, extra_app, tmp_path, make_user):
    from tests.conftest import AuthActions

    tree = tmp_path / "modules"
    shutil.copytree(FIXTURE_CONTENT, tree)
    with open(tree / "02-staying-safe" / "module.yaml", "a") as meta:
        meta.write("always_open: true\n")
    other = extra_app(app.config["SQLALCHEMY_DATABASE_URI"], content_dir=tree).test_client()
    AuthActions(other).login(make_user().email)
    home = other.get("/learn").text
    assert "Worried about an overdose right now?" in home
    words = " ".join(home.split())  # as a reader sees it: line breaks and indentation do not count
    assert 'href="/emergency"' in home and 'start with <a href="/learn/staying-safe">Staying safe</a>' in words
    assert other.get("/learn/staying-safe/steps").status_code == 200
    assert other.get("/learn/first-steps/second").status_code == 403
    assert other.get("/learn/staying-safe/quiz").status_code == 403  # its quiz waits for its lesson
    complete(other, "staying-safe", "steps")
    assert other.get("/learn/staying-safe/quiz").status_code == 200
    assert other.get("/learn/staying-safe/steps").status_code == 200


def test_the_home_page_links_the_emergency_steps_near_the_top(client, login_as):
    login_as()
    home = client.get("/learn").text
    assert home.index("Worried about an overdose right now?") < home.index("Your progress")
    assert 'follow <a href="/emergency">the emergency steps</a>' in home


def test_copies_of_one_quiz_form_sent_at_once_record_one_attempt(app, client, login_as):
    login_as()
    page = open_safe_quiz(client)
    data = {
        "csrf_token": csrf_token(page),
        "submission_token": form_value(page, "submission_token"),
        **answer_fields("staying-safe", shown_questions(page)),
    }
    session_cookie = client.get_cookie("session").value
    senders = [app.test_client() for _ in range(4)]
    for sender in senders:
        sender.set_cookie("session", session_cookie)
    barrier = threading.Barrier(len(senders))

    def send(sender):
        barrier.wait()
        return sender.post("/learn/staying-safe/quiz", data=data)

    with ThreadPoolExecutor(len(senders)) as pool:
        responses = list(pool.map(send, senders))
    assert {response.status_code for response in responses} == {302}
    assert len({response.headers["Location"] for response in responses}) == 1
    assert count(app, QuizAttempt, module_slug="staying-safe") == 1
    assert count(app, QuizLayout, module_slug="staying-safe") == 1


def test_deleting_the_account_removes_its_quiz_layouts(app, client, login_as):
    from tests.conftest import PASSWORD

    user = login_as()
    open_safe_quiz(client)  # one layout answered (module one), one open (staying safe)
    assert count(app, QuizLayout, user_id=user.id) == 2
    token = csrf_token(client.get("/account").text)
    response = client.post("/account/delete", data={"delete-password": PASSWORD, "delete-csrf_token": token})
    assert response.status_code == 302
    assert count(app, QuizLayout, user_id=user.id) == 0 and count(app, QuizAttempt, user_id=user.id) == 0
