"""The knowledge check: which one is due (before, after, follow-up), and scoring and storing it.

`due_check` is a plain function of what the learner has done and which checks they have
taken. The check's questions are the content's own bank (modules/knowledge-check.yaml),
drawn per sitting and graded by the same code as the module quizzes. Every check is
optional: nothing in the course waits for it, and skipping it records nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from course import grading, progress, quiz_layouts
from course.content import Course, Quiz
from course.extensions import db
from course.models import KnowledgeCheck, utcnow

BEFORE, AFTER, FOLLOW_UP = "before", "after", "follow_up"
KINDS = (BEFORE, AFTER, FOLLOW_UP)
KIND_LABELS = {BEFORE: "Before the course", AFTER: "After the course", FOLLOW_UP: "Follow-up"}
# In URLs: /learn/knowledge-check/follow-up
KIND_SLUGS = {BEFORE: "before", AFTER: "after", FOLLOW_UP: "follow-up"}
CONFIDENCE_FIELDS = ("confidence_overdose", "confidence_naloxone", "confidence_support")
CONFIDENCE_QUESTIONS = {
    "confidence_overdose": "How sure are you that you could respond to an overdose?",
    "confidence_naloxone": "How sure are you that you could give naloxone?",
    "confidence_support": "How sure are you that you could support your loved one without enabling?",
}
CONFIDENCE_SCALE = (
    (1, "1 – Not at all sure"),
    (2, "2 – A little sure"),
    (3, "3 – Somewhat sure"),
    (4, "4 – Quite sure"),
    (5, "5 – Very sure"),
)


class CheckNotOpen(ValueError):
    """A submitted check is not the one due now (and was not taken already)."""


def kind_from_slug(slug: str) -> str | None:
    """Return the kind a URL names, or None."""
    return next((kind for kind, kind_slug in KIND_SLUGS.items() if kind_slug == slug), None)


def due_check(
    taken: Mapping[str, datetime], started: bool, complete: bool, now: datetime, follow_up_days: int
) -> str | None:
    """Return the check due now, or None.

    'before' until the learner has done a first step of the course (afterwards it would not
    measure "before"); 'after' once every quiz is passed; 'follow_up' from `follow_up_days`
    after the 'after' check. Each kind is taken once.
    """
    if complete:
        if AFTER not in taken:
            return AFTER
        if FOLLOW_UP not in taken and now >= taken[AFTER] + timedelta(days=follow_up_days):
            return FOLLOW_UP
        return None
    if not started and BEFORE not in taken:
        return BEFORE
    return None


# Built once: the learner home asks on every visit.
_TAKEN_CHECKS = sa.select(KnowledgeCheck.kind, KnowledgeCheck.taken_at).where(KnowledgeCheck.user_id == sa.bindparam("user_id"))


def taken_checks(user_id: int) -> dict[str, datetime]:
    """Return when the learner took each kind of check (one query)."""
    rows = db.session.execute(_TAKEN_CHECKS, {"user_id": user_id}).all()
    return {kind: taken_at for kind, taken_at in rows}


def find_check(user_id: int, kind: str) -> KnowledgeCheck | None:
    return db.session.scalar(
        sa.select(KnowledgeCheck).where(KnowledgeCheck.user_id == user_id, KnowledgeCheck.kind == kind)
    )


def due_for(
    user,
    course: Course,
    state: progress.LearnerState,
    follow_up_days: int,
    now: datetime | None = None,
    taken: Mapping[str, datetime] | None = None,
) -> str | None:
    """Return the check due for this person now; staff previewing the course are never asked.

    `taken` (kind -> when) saves the query when the caller has read it already.
    """
    if course.knowledge_check is None or not progress.records_progress(user):
        return None
    done, _ = progress.course_progress(course, state)
    complete = progress.course_complete(course, state)
    taken = taken_checks(user.id) if taken is None else taken
    return due_check(taken, done > 0, complete, now or utcnow(), follow_up_days)


def friendly_word(check: KnowledgeCheck, before: KnowledgeCheck | None) -> str:
    """Return a kind sentence about a result: never a pass or a fail."""
    if check.kind == BEFORE:
        return (
            "Thank you. This is your starting point: there is no pass mark here. "
            "The course covers every question here, so come back to it at the end and see how far you have come."
        )
    if before is not None and check.score > before.score:
        gain = check.score - before.score
        return f"You scored {gain} points more than before the course. That is real learning: well done."
    if check.score >= 80:
        return "You know a lot of this now. That knowledge can help you keep your loved one safe."
    return "Every answer you read here is a chance to learn. The explanations below show what each question was about."


@dataclass(frozen=True)
class CheckSubmission:
    """What became of a submitted check: a stored check, or the form to show again."""

    check: KnowledgeCheck | None = None
    layout: quiz_layouts.Layout | None = None
    errors: dict[str, str] = field(default_factory=dict)
    notice: str = ""


def submit_check(
    user, bank: Quiz, due: str | None, kind: str, form: grading.FormData, token: str, confidence: dict[str, int] | None
) -> CheckSubmission:
    """Grade a check form against the layout it names and store it once per kind.

    A kind taken already returns that check (a double submit). Raises CheckNotOpen for a
    kind that is not due, and grading.TamperedSubmission for a form no honest page sends.
    `confidence` is None when the confidence answers are missing.
    """
    existing = find_check(user.id, kind) if kind in KINDS else None
    if existing is not None:
        return CheckSubmission(check=existing)
    if kind != due:
        raise CheckNotOpen("This knowledge check is not open to you now.")
    row = quiz_layouts.find_layout(user.id, token) if grading.TOKEN_PATTERN.match(token) else None
    if row is None or row.module_slug != bank.module_slug:
        # The same form may have been stored a moment ago by a request running alongside this one.
        if (existing := find_check(user.id, kind)) is not None:
            return CheckSubmission(check=existing)
        raise grading.TamperedSubmission("This form is out of date or not yours. Please answer the check below.")
    if row.content_version != bank.version:
        db.session.delete(row)
        return CheckSubmission(layout=quiz_layouts.open_layout(user, bank), notice=grading.QUIZ_CHANGED)
    layout = quiz_layouts.layout_from_row(bank, row)
    answers, errors = grading.read_answers(bank, form, layout.question_list)
    if errors or confidence is None:
        return CheckSubmission(layout=layout, errors=errors)
    graded = grading.grade(bank, answers, layout.question_list)
    return CheckSubmission(check=record_check(user.id, kind, bank, graded, confidence, row))


def record_check(
    user_id: int, kind: str, bank: Quiz, graded: grading.GradedAttempt, confidence: dict[str, int], layout_row=None
) -> KnowledgeCheck:
    """Store a check (and drop the layout it was answered on); a kind taken already returns the first."""
    check = KnowledgeCheck(
        user_id=user_id,
        kind=kind,
        taken_at=utcnow(),
        score=graded.score,
        correct_count=graded.correct_count,
        question_count=graded.question_count,
        answers=[{"question": a.question.id, "chosen": list(a.chosen), "correct": a.correct} for a in graded.answers],
        content_version=bank.version,
        **{name: confidence[name] for name in CONFIDENCE_FIELDS},
    )
    db.session.add(check)
    if layout_row is not None:
        # The next check draws afresh instead of reopening this one's questions.
        db.session.delete(layout_row)
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        # The same form arrived twice at once: keep the first.
        db.session.rollback()
        existing = find_check(user_id, kind)
        if existing is None:
            raise
        return existing
    return check
