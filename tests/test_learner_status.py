"""The learner summaries kept as data (course.dashboard.status) always equal what the
course's rules compute from the learner's rows, after any mix of writes."""

import random
import secrets
from datetime import timedelta

import sqlalchemy as sa

from course import dashboard, grading, progress, refreshers
from course.dashboard import loading, status
from course.dashboard.summary import CellState, decode, summarize
from course.extensions import db
from course.models import AttemptAnswer, LatestAnswer, LearnerStatus, LessonProgress, QuizAttempt, Role, utcnow
from tests.test_refreshers import overdose  # noqa: F401  (a fixture: an app with an overdose module)
from course.builders import wrong_answer
from tests.group_builders import FIRST, add_member, course, make_group, quick_user


def stored(user_id: int):
    text = db.session.scalar(sa.select(LearnerStatus.summary).where(LearnerStatus.user_id == user_id))
    return None if text is None else decode(text)


def computed(app, user_id: int):
    """Apply the rules to the learner's rows, read afresh."""
    ids = sa.select(sa.literal(user_id))
    fixture = course(app)
    return summarize(
        fixture,
        loading.load_progress(ids).get(user_id, []),
        loading.load_attempts(ids).get(user_id, []),
        loading.load_critical_misses(fixture, ids).get(user_id, []),
        status.last_renewals(fixture, [user_id]).get(user_id),
    )


def stored_answers(user_id: int) -> dict:
    rows = db.session.execute(
        sa.select(LatestAnswer.module_slug, LatestAnswer.question_id, LatestAnswer.is_correct, LatestAnswer.chosen)
        .where(LatestAnswer.user_id == user_id)
    ).all()
    return {(module, question): (correct, list(chosen)) for module, question, correct, chosen in rows}


def computed_answers(user_id: int) -> dict:
    """Each question's answer on the latest attempt that asked it, by walking the attempts in Python."""
    attempts = db.session.scalars(
        sa.select(QuizAttempt).where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.submitted_at, QuizAttempt.id)
    ).all()
    latest = {}
    for attempt in attempts:
        for answer in attempt.answers:
            latest[(attempt.module_slug, answer.question_id)] = (answer.is_correct, list(answer.chosen))
    return latest


def random_step(app, rng: random.Random, learner) -> str:
    """Make one random change to the learner's rows, through the app's own functions or the session."""
    fixture = course(app)
    module = rng.choice(fixture.modules)
    kind = rng.choice(
        ["complete", "open", "attempt", "attempt", "delete attempt", "delete lesson", "backdate", "delete answer",
         "bulk delete answers"]
    )
    if kind == "complete":
        progress.complete_lesson(learner, module.slug, rng.choice(module.lessons).slug)
    elif kind == "open":
        progress.open_lesson(learner, progress.load_state(learner.id), module.slug, rng.choice(module.lessons).slug)
    elif kind == "attempt":
        questions = module.quiz.questions
        wrong = {q.id for q in rng.sample(questions, k=rng.randint(0, min(3, len(questions))))}
        answers = {q.id: wrong_answer(q) if q.id in wrong else q.correct_answer for q in questions}
        grading.record_attempt(learner.id, module.quiz, grading.grade(module.quiz, answers), secrets.token_urlsafe(24))
    elif kind == "delete attempt":
        attempt = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == learner.id)).first()
        if attempt is not None:
            db.session.delete(attempt)
            db.session.commit()
    elif kind == "delete lesson":
        row = db.session.scalars(sa.select(LessonProgress).where(LessonProgress.user_id == learner.id)).first()
        if row is not None:
            db.session.delete(row)
            db.session.commit()
    elif kind == "delete answer":  # as if that question had not been asked on this attempt
        answer = db.session.scalars(
            sa.select(AttemptAnswer).join(QuizAttempt).where(QuizAttempt.user_id == learner.id)
        ).first()
        if answer is not None:
            db.session.delete(answer)
            db.session.commit()
    elif kind == "bulk delete answers":
        question = rng.choice(module.quiz.questions)
        attempts = sa.select(QuizAttempt.id).where(QuizAttempt.user_id == learner.id)
        db.session.execute(
            sa.delete(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(attempts), AttemptAnswer.question_id == question.id)
        )
        db.session.commit()
    else:  # an attempt moved into the past: the order of attempts, and so the reasons, change
        attempt = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == learner.id)).first()
        if attempt is not None:
            attempt.submitted_at = utcnow() - timedelta(days=rng.randint(1, 60))
            db.session.commit()
    return kind


def test_the_stored_summary_equals_the_rules_after_random_completions_and_attempts(app):
    learners = [quick_user(app, name=f"Learner {n}") for n in range(3)]
    rng = random.Random(11)
    with app.app_context():
        for step in range(80):
            learner = rng.choice(learners)
            kind = random_step(app, rng, learner)
            for each in learners:
                expected = computed(app, each.id)
                found = stored(each.id)
                if found is None:  # nothing ever written for them: the empty summary is what the page shows
                    assert expected == status.empty(course(app)), (step, kind)
                else:
                    assert found == expected, (step, kind, each.display_name)
                assert stored_answers(each.id) == computed_answers(each.id), (step, kind, each.display_name)
        # And independently of the bulk loaders: the learner's own state gives the same passes and steps.
        for each in learners:
            state = progress.load_state(each.id)
            summary = stored(each.id) or status.empty(course(app))
            assert summary.steps_done == progress.course_progress(course(app), state)[0]
            assert [cell.state == CellState.PASSED for cell in summary.cells] == [
                state.quiz_passed(module.slug) for module in course(app).modules
            ]


def test_a_rolled_back_change_leaves_the_summary_as_it_was(app):
    learner = quick_user(app)
    with app.app_context():
        progress.complete_lesson(learner, FIRST, course(app).module(FIRST).lessons[0].slug)
        before = stored(learner.id)
        db.session.add(LessonProgress(user_id=learner.id, module_slug=FIRST, lesson_slug="x", completed_at=utcnow()))
        db.session.flush()
        db.session.rollback()
        progress.complete_lesson(learner, FIRST, course(app).module(FIRST).lessons[0].slug)  # commits, nothing new
        assert stored(learner.id) == before and before.cells[0].lessons_done == 1


def test_bulk_statements_through_the_session_rewrite_the_summary(app):
    learner = quick_user(app)
    lessons = course(app).module(FIRST).lessons
    with app.app_context():
        db.session.execute(
            sa.insert(LessonProgress),
            [{"user_id": learner.id, "module_slug": FIRST, "lesson_slug": lesson.slug, "completed_at": utcnow()}
             for lesson in lessons],
        )
        db.session.commit()
        assert stored(learner.id) == computed(app, learner.id)
        assert stored(learner.id).cells[0].lessons_done == len(lessons)
        then = utcnow() - timedelta(days=30)
        mine = LessonProgress.user_id == learner.id
        db.session.execute(sa.update(LessonProgress).where(mine).values(started_at=then, completed_at=then))
        db.session.commit()
        assert stored(learner.id).last_progress_at == then
        db.session.execute(sa.delete(LessonProgress).where(LessonProgress.user_id == learner.id))
        db.session.commit()
        assert stored(learner.id) == computed(app, learner.id) == status.empty(course(app))


def test_rows_written_by_raw_sql_without_a_summary_are_summarized_when_the_group_is_read(app):
    leader = quick_user(app, Role.FACILITATOR)
    group = make_group(app, leader)
    learner, idle = quick_user(app, name="Bulk"), quick_user(app, name="Idle")
    add_member(app, group, learner)
    add_member(app, group, idle)
    lessons = course(app).module(FIRST).lessons
    with app.app_context():
        db.session.connection().execute(  # below the session: no summary is written
            sa.insert(LessonProgress.__table__),
            [{"user_id": learner.id, "module_slug": FIRST, "lesson_slug": lesson.slug, "completed_at": utcnow()}
             for lesson in lessons],
        )
        db.session.commit()
        assert stored(learner.id) is None
        learners = dashboard.group_progress(course(app), group.id, utcnow(), 14).learners
        rows = {row.member.display_name: row for row in learners}
        assert rows["Bulk"].cells[0].lessons_done == len(lessons)
        assert rows["Bulk"].cells[0].state == CellState.IN_PROGRESS
        assert rows["Idle"].cells[0].state == CellState.NOT_STARTED
        assert stored(learner.id) == computed(app, learner.id)  # written, so the next view reads it
        assert stored(idle.id) is None  # a learner who did nothing needs no row


def test_a_summary_for_another_shape_of_the_course_is_recomputed(app):
    leader = quick_user(app, Role.FACILITATOR)
    group = make_group(app, leader)
    learner = quick_user(app, name="Reader")
    add_member(app, group, learner)
    with app.app_context():
        progress.complete_lesson(learner, FIRST, course(app).module(FIRST).lessons[0].slug)
        db.session.execute(sa.update(LearnerStatus).values(content_version="an older course", summary="{}"))
        db.session.commit()
        row = dashboard.group_progress(course(app), group.id, utcnow(), 14).learners[0]
        assert row.cells[0].lessons_done == 1 and row.cells[0].state == CellState.IN_PROGRESS
        assert db.session.scalar(sa.select(LearnerStatus.content_version)) == status.content_version(course(app))


def test_the_refresher_date_on_the_matrix_is_the_one_the_refresher_rule_gives(overdose):
    leader = quick_user(overdose, Role.FACILITATOR)
    group = make_group(overdose, leader)
    learners = [quick_user(overdose, name=f"Learner {n}") for n in range(4)]
    for learner in learners:
        add_member(overdose, group, learner)
    with overdose.app_context():
        fixture = course(overdose)
        quiz = refreshers.overdose_module(fixture).quiz
        passing = {q.id: q.correct_answer for q in quiz.questions}
        for days_ago, learner in zip((1, 200, 400), learners):  # the fourth never passed
            attempt = grading.record_attempt(learner.id, quiz, grading.grade(quiz, passing), secrets.token_urlsafe(24))
            attempt.submitted_at = utcnow() - timedelta(days=days_ago)
            db.session.commit()
        now = utcnow()
        expected = refreshers.due_since([learner.id for learner in learners], fixture, now)
        rows = dashboard.group_progress(fixture, group.id, now, 14).learners
        assert {row.member.user_id: row.refresher_due_since for row in rows if row.refresher_due_since} == expected
        assert learners[2].id in expected and learners[3].id not in expected
