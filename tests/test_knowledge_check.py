"""The knowledge check: which one is due, the bank as content, and a learner taking it over real HTTP."""

import re
import shutil
from datetime import datetime, timedelta

import sqlalchemy as sa

from course import knowledge
from course.content import check_course
from course.extensions import db
from course.models import KnowledgeCheck, utcnow
from tests.conftest import FIXTURE_CONTENT, csrf_token, form_value
from tests.group_builders import FIRST, SAFE, course, pass_module, text_of
from tests.test_races import PARALLEL, in_parallel

NOW = datetime(2026, 12, 1, 12, 0)
CONFIDENCE = {"confidence_overdose": "2", "confidence_naloxone": "3", "confidence_support": "1"}


# --- which check is due (no request) ---------------------------------------------------


def test_before_is_due_until_the_first_step_and_only_once():
    assert knowledge.due_check({}, started=False, complete=False, now=NOW, follow_up_days=90) == "before"
    assert knowledge.due_check({}, started=True, complete=False, now=NOW, follow_up_days=90) is None
    assert knowledge.due_check({"before": NOW}, started=False, complete=False, now=NOW, follow_up_days=90) is None


def test_after_is_due_when_the_course_is_complete_with_or_without_a_before():
    assert knowledge.due_check({"before": NOW}, started=True, complete=True, now=NOW, follow_up_days=90) == "after"
    assert knowledge.due_check({}, started=True, complete=True, now=NOW, follow_up_days=90) == "after"


def test_follow_up_is_due_from_the_configured_days_after_the_after_check():
    after = NOW - timedelta(days=90)
    assert knowledge.due_check({"after": after + timedelta(seconds=1)}, True, True, NOW, 90) is None
    assert knowledge.due_check({"after": after}, True, True, NOW, 90) == "follow_up"
    assert knowledge.due_check({"after": NOW - timedelta(days=31)}, True, True, NOW, 30) == "follow_up"
    assert knowledge.due_check({"after": after, "follow_up": NOW}, True, True, NOW, 90) is None


# --- the bank is content ------------------------------------------------------------------


def test_the_shipped_course_has_a_valid_bank_of_its_own(app):
    from course.config import PROJECT_ROOT

    shipped, problems = check_course(PROJECT_ROOT / "modules", 6, 5)
    assert problems == []
    bank = shipped.knowledge_check
    assert 12 <= len(bank.questions) <= 15 and bank.draw == 10
    quiz_ids = {q.id for module in shipped.modules for q in module.quiz.questions}
    assert not quiz_ids & {q.id for q in bank.questions}
    assert {q.lesson_slug.split("/")[0] for q in bank.questions} >= {
        "overdose-and-naloxone", "understanding-opioid-use-disorder", "treatment-and-recovery",
        "enabling-or-supporting", "talking-with-your-loved-one", "caring-for-yourself",
    }


def test_a_broken_bank_is_a_content_problem_naming_the_file(tmp_path):
    tree = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, tree)
    bank = tree / "knowledge-check.yaml"
    bank.write_text(bank.read_text().replace("lesson: staying-safe/steps", "lesson: staying-safe/no-such", 1)
                    .replace("draw: 4", "draw: 5"))
    _, problems = check_course(tree)
    found = [str(problem) for problem in problems]
    assert any("knowledge-check.yaml: questions[1] (kc-wake).lesson: must name a lesson" in line for line in found), found
    assert any("knowledge-check.yaml: draw: the pool of 6 questions is smaller than 1.5 × draw (5)" in line for line in found), found


# --- a learner takes it ---------------------------------------------------------------------


def _answers(app, page: str, wrong: int = 0) -> dict:
    """Return form data answering the drawn questions: the first `wrong` of them wrongly, the rest right."""
    bank = course(app).knowledge_check
    drawn = list(dict.fromkeys(re.findall(r'name="q-([a-z0-9-]+)"', page)))
    data = {}
    for index, question_id in enumerate(drawn):
        question = bank.question(question_id)
        right = question.correct_answer
        data[f"q-{question_id}"] = [c.id for c in question.choices if c.id not in right][:1] if index < wrong else list(right)
    return data


def _submit(client, app, wrong=0, **extra):
    page = client.get("/learn/knowledge-check").text
    data = {
        "csrf_token": csrf_token(page),
        "submission_token": form_value(page, "submission_token"),
        "kind": form_value(page, "kind"),
        **_answers(app, page, wrong),
        **CONFIDENCE,
        **extra,
    }
    return client.post("/learn/knowledge-check", data=data), data


def _checks(app):
    with app.app_context():
        return [(c.kind, c.score, c.confidence_overdose) for c in db.session.scalars(sa.select(KnowledgeCheck))]


def test_a_new_learner_is_offered_the_before_check_takes_it_and_sees_a_kind_score(app, client, login_as):
    login_as()
    home = text_of(client.get("/learn").text)
    assert "Before you start: a short check (optional)" in home
    page = client.get("/learn/knowledge-check").text
    assert "4 short questions" in text_of(page)
    assert len(re.findall(r'<label><input id="confidence_overdose-\d" name="confidence_overdose" [^>]*type="radio"', page)) == 5
    assert "1 – Not at all sure" in page and "5 – Very sure" in page
    response, _ = _submit(client, app, wrong=1)
    assert response.status_code == 302 and response.location.endswith("/learn/knowledge-check/before")
    result = text_of(client.get(response.location).text)
    assert "3 of 4 right (75%)" in result and "This is your starting point" in result
    assert "fail" not in result.lower()
    assert "How sure are you that you could respond to an overdose? 2 – A little sure" in result
    assert _checks(app) == [("before", 75, 2)]
    assert "Before you start" not in text_of(client.get("/learn").text)


def test_a_replayed_form_stores_one_check_and_shows_the_first(app, client, login_as):
    login_as()
    first, data = _submit(client, app)
    again = client.post("/learn/knowledge-check", data=data)
    assert again.status_code == 302 and again.location == first.location
    assert _checks(app) == [("before", 100, 2)]


def test_simultaneous_submits_store_one_check(app, client, login_as):
    login_as()
    session = client.get_cookie("session").value
    page = client.get("/learn/knowledge-check").text
    data = {"csrf_token": csrf_token(page), "submission_token": form_value(page, "submission_token"),
            "kind": "before", **_answers(app, page), **CONFIDENCE}
    clients = [app.test_client() for _ in range(PARALLEL)]
    for other in clients:
        other.set_cookie("session", session)
    statuses = in_parallel(PARALLEL, lambda i: clients[i].post("/learn/knowledge-check", data=data).status_code)
    assert statuses == [302] * PARALLEL
    assert _checks(app) == [("before", 100, 2)]


def test_missing_confidence_or_answers_shows_the_form_again_and_saves_nothing(app, client, login_as):
    login_as()
    response, _ = _submit(client, app, confidence_support="")
    assert response.status_code == 200
    assert "Choose how sure you are, from 1 to 5." in text_of(response.text)
    page = client.get("/learn/knowledge-check").text
    data = {"csrf_token": csrf_token(page), "submission_token": form_value(page, "submission_token"), "kind": "before", **CONFIDENCE}
    response = client.post("/learn/knowledge-check", data=data)
    assert response.status_code == 200 and "Please answer every question" in text_of(response.text)
    assert _checks(app) == []


def test_tampered_forms_get_400_and_save_nothing(app, client, login_as):
    login_as()
    for extra in ({"q-not-a-question": "x"}, {"submission_token": "A" * 30}, {"kind": "after"}, {"confidence_naloxone": "9"}):
        response, _ = _submit(client, app, **extra)
        assert response.status_code in (400, 200), extra
        assert response.status_code != 500
        if extra.get("confidence_naloxone"):
            assert "Not a valid choice" in response.text
    assert _checks(app) == []


def test_skip_records_nothing_and_hides_the_offer_for_this_session(app, client, login_as):
    login_as()
    home = client.get("/learn").text
    token = csrf_token(home)
    response = client.post("/learn/knowledge-check/skip", data={"csrf_token": token}, follow_redirects=True)
    assert "Skipped for now. Nothing was saved." in text_of(response.text)
    assert "Before you start" not in text_of(response.text)
    assert _checks(app) == []
    assert client.get("/learn/knowledge-check").status_code == 200  # still there if they change their mind


def test_the_course_never_waits_for_the_check_and_before_ends_with_the_first_step(app, client, login_as):
    login_as()
    page = client.get("/learn/first-steps/hello")
    assert page.status_code == 200
    client.post("/learn/first-steps/hello/complete", data={"csrf_token": csrf_token(page.text)})
    home = text_of(client.get("/learn").text)
    assert "Before you start" not in home
    assert "There is no knowledge check for you right now" in text_of(client.get("/learn/knowledge-check").text)


def test_after_the_course_the_after_check_compares_with_before_and_the_follow_up_comes_later(app, client, login_as):
    learner = login_as()
    _submit(client, app, wrong=2)
    pass_module(app, learner, FIRST)
    pass_module(app, learner, SAFE)
    assert "You finished the course: a short check (optional)" in text_of(client.get("/learn").text)
    response, _ = _submit(client, app)
    assert response.location.endswith("/learn/knowledge-check/after")
    result = text_of(client.get(response.location).text)
    assert "4 of 4 right (100%); before the course: 50%" in result
    assert "You scored 50 points more than before the course." in result
    assert "Three months on" not in text_of(client.get("/learn").text)
    with app.app_context():
        check = db.session.scalar(sa.select(KnowledgeCheck).where(KnowledgeCheck.kind == "after"))
        check.taken_at = utcnow() - timedelta(days=91)
        db.session.commit()
    assert "Three months on: a short check (optional)" in text_of(client.get("/learn").text)
    response, _ = _submit(client, app, wrong=1)
    assert response.location.endswith("/learn/knowledge-check/follow-up")
    assert [kind for kind, _, _ in _checks(app)] == ["before", "after", "follow_up"]


def test_results_not_taken_or_unknown_are_404(app, client, login_as):
    login_as()
    for url in ("/learn/knowledge-check/after", "/learn/knowledge-check/before", "/learn/knowledge-check/nonsense"):
        assert client.get(url).status_code == 404


def test_staff_are_never_offered_the_check(app, client, login_as):
    login_as("facilitator")
    assert "a short check" not in text_of(client.get("/learn").text)
    assert "There is no knowledge check for you right now" in text_of(client.get("/learn/knowledge-check").text)
