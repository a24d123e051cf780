"""Sequencing rules, as plain functions of the course and a learner's state."""

import shutil

from course.content import load_course
from course.progress import (
    BestAttempt,
    LearnerState,
    ModuleStatus,
    course_complete,
    course_progress,
    lesson_access,
    module_status,
    next_step,
    previews_course,
    quiz_access,
    records_progress,
)
from tests.conftest import FIXTURE_CONTENT

COURSE = load_course(FIXTURE_CONTENT)
FIRST = COURSE.module("first-steps")
SAFE = COURSE.module("staying-safe")
HELLO, SECOND = FIRST.lessons
STEPS = SAFE.lessons[0]

NEW = LearnerState()
READ_FIRST_LESSON = LearnerState(started=frozenset({("first-steps", "hello")}), completed=frozenset({("first-steps", "hello")}))
READ_MODULE_ONE = LearnerState(
    started=frozenset({("first-steps", "hello"), ("first-steps", "second")}),
    completed=frozenset({("first-steps", "hello"), ("first-steps", "second")}),
)


def with_attempt(state: LearnerState, module: str, score: int, passed: bool) -> LearnerState:
    return LearnerState(state.started, state.completed, {module: BestAttempt(1, score, passed)}, {module: 1})


def test_a_new_learner_can_open_only_the_first_lesson():
    assert lesson_access(COURSE, NEW, FIRST, HELLO).allowed
    second = lesson_access(COURSE, NEW, FIRST, SECOND)
    assert not second.allowed
    assert second.reason == "This lesson opens when you finish “Hello”."
    assert second.go_to == ("first-steps", "hello")


def test_a_lesson_opens_when_the_one_before_is_complete():
    assert lesson_access(COURSE, READ_FIRST_LESSON, FIRST, SECOND).allowed


def test_an_opened_but_unfinished_lesson_does_not_open_the_next():
    started_only = LearnerState(started=frozenset({("first-steps", "hello")}))
    assert not lesson_access(COURSE, started_only, FIRST, SECOND).allowed


def test_the_quiz_opens_when_every_lesson_is_complete():
    assert not quiz_access(COURSE, READ_FIRST_LESSON, FIRST).allowed
    assert quiz_access(COURSE, READ_FIRST_LESSON, FIRST).go_to == ("first-steps", "second")
    assert quiz_access(COURSE, READ_MODULE_ONE, FIRST).allowed


def test_the_next_module_opens_only_when_the_quiz_is_passed():
    failed = with_attempt(READ_MODULE_ONE, "first-steps", 33, False)
    assert not lesson_access(COURSE, failed, SAFE, STEPS).allowed
    assert lesson_access(COURSE, failed, SAFE, STEPS).reason == "This lesson opens when you pass the quiz of “First steps”."
    assert not quiz_access(COURSE, failed, SAFE).allowed
    passed = with_attempt(READ_MODULE_ONE, "first-steps", 100, True)
    assert lesson_access(COURSE, passed, SAFE, STEPS).allowed


def test_anything_already_opened_stays_open():
    # A lesson added before an opened one must not lock the learner out of what they had.
    opened_later = LearnerState(started=frozenset({("staying-safe", "steps")}))
    assert lesson_access(COURSE, opened_later, SAFE, STEPS).allowed
    retake = with_attempt(LearnerState(), "first-steps", 33, False)
    assert quiz_access(COURSE, retake, FIRST).allowed


def test_module_statuses():
    assert module_status(COURSE, NEW, FIRST) == ModuleStatus.AVAILABLE
    assert module_status(COURSE, NEW, SAFE) == ModuleStatus.LOCKED
    assert module_status(COURSE, READ_FIRST_LESSON, FIRST) == ModuleStatus.IN_PROGRESS
    assert module_status(COURSE, with_attempt(READ_MODULE_ONE, "first-steps", 100, True), FIRST) == ModuleStatus.PASSED
    assert module_status(COURSE, with_attempt(READ_MODULE_ONE, "first-steps", 100, True), SAFE) == ModuleStatus.AVAILABLE


def test_course_progress_counts_lessons_and_passed_quizzes():
    assert course_progress(COURSE, NEW) == (0, 5)
    assert course_progress(COURSE, READ_MODULE_ONE) == (2, 5)
    assert course_progress(COURSE, with_attempt(READ_MODULE_ONE, "first-steps", 33, False)) == (2, 5)
    assert course_progress(COURSE, with_attempt(READ_MODULE_ONE, "first-steps", 100, True)) == (3, 5)


def test_next_step_is_where_to_continue():
    assert next_step(COURSE, NEW).lesson == HELLO
    assert next_step(COURSE, READ_FIRST_LESSON).lesson == SECOND
    quiz_step = next_step(COURSE, READ_MODULE_ONE)
    assert quiz_step.module == FIRST and quiz_step.lesson is None
    assert next_step(COURSE, with_attempt(READ_MODULE_ONE, "first-steps", 100, True)).lesson == STEPS


def test_course_complete_when_every_quiz_is_passed():
    both = LearnerState(best={"first-steps": BestAttempt(1, 100, True), "staying-safe": BestAttempt(2, 80, True)})
    assert course_complete(COURSE, both)
    assert next_step(COURSE, both) is None
    assert not course_complete(COURSE, with_attempt(READ_MODULE_ONE, "first-steps", 100, True))


def course_with_always_open(tmp_path, *folders: str):
    """Load a copy of the fixture course with the named module folders marked always open."""
    root = tmp_path / "modules"
    shutil.copytree(FIXTURE_CONTENT, root)
    for folder in folders:
        meta = root / folder / "module.yaml"
        meta.write_text(meta.read_text() + "always_open: true\n")
    return load_course(root)


def test_an_always_open_module_is_open_from_the_first_visit(tmp_path):
    course = course_with_always_open(tmp_path, "02-staying-safe")
    safe, first = course.module("staying-safe"), course.module("first-steps")
    assert safe.always_open and not first.always_open
    assert lesson_access(course, NEW, safe, safe.lessons[0]).allowed
    assert module_status(course, NEW, safe) == ModuleStatus.AVAILABLE
    # Its quiz still waits for its lessons.
    quiz = quiz_access(course, NEW, safe)
    assert not quiz.allowed and quiz.go_to == ("staying-safe", "steps")
    read_safe = LearnerState(started=frozenset({("staying-safe", "steps")}), completed=frozenset({("staying-safe", "steps")}))
    assert quiz_access(course, read_safe, safe).allowed
    # The rest of the course keeps its sequence.
    assert not lesson_access(course, NEW, first, first.lessons[1]).allowed


def test_an_always_open_modules_lessons_open_in_any_order_and_the_next_module_still_waits(tmp_path):
    course = course_with_always_open(tmp_path, "01-first-steps")
    first, safe = course.module("first-steps"), course.module("staying-safe")
    assert lesson_access(course, NEW, first, first.lessons[1]).allowed  # the second lesson first
    assert not quiz_access(course, NEW, first).allowed
    locked = lesson_access(course, READ_MODULE_ONE, safe, safe.lessons[0])
    assert not locked.allowed and locked.reason == "This lesson opens when you pass the quiz of “First steps”."


def test_staff_preview_opens_everything_and_records_nothing():
    preview = LearnerState(preview=True)
    assert lesson_access(COURSE, preview, FIRST, SECOND).allowed
    assert lesson_access(COURSE, preview, SAFE, STEPS).allowed
    assert quiz_access(COURSE, preview, SAFE).allowed
    assert module_status(COURSE, preview, SAFE) == ModuleStatus.AVAILABLE


def test_who_previews_and_whose_progress_is_recorded(make_user):
    learner, facilitator, admin = make_user("learner"), make_user("facilitator"), make_user("admin")
    assert [previews_course(person) for person in (learner, facilitator, admin)] == [False, True, True]
    assert [records_progress(person) for person in (learner, facilitator, admin)] == [True, False, False]
