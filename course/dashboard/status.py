"""Each learner's summary kept as data, so a group's pages read one row per learner.

Whenever a flush adds, changes or deletes a learner's lesson progress, quiz attempt (or its
answers) or refresher, the learner is noted; when the transaction commits, their summary is
recomputed from their rows by the course's rules (course.dashboard.summary) and written in that
same transaction, and so are their latest answers (one row per question, for the per-question
results). Bulk INSERT, UPDATE and DELETE statements run through the session note their
learners too. A summary computed for another shape of the course (content changed), or
missing for someone with rows (written before this table, or by raw SQL), is recomputed
when read.

The summary's time (updated_at) is also the learner's stamp for what course pages keep between
requests (course.kept): a change to the other rows those pages read about a learner (knowledge
checks, reminder choice, quiz layouts, practice answers) moves it too, without a new summary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from course import refreshers
from course.content import Course
from course.dashboard import loading
from course.dashboard.summary import Summary, decode, encode, summarize
from course.extensions import db
from course.loaded import get_course
from course.models import (
    AttemptAnswer,
    KnowledgeCheck,
    LatestAnswer,
    LearnerStatus,
    LessonProgress,
    PracticeAnswer,
    QuizAttempt,
    QuizLayout,
    RefresherAttempt,
    ReminderPreference,
    User,
    utcnow,
)

# The rows a summary and the latest answers are computed from.
WATCHED = (LessonProgress, QuizAttempt, AttemptAnswer, RefresherAttempt)
# The other rows that course pages read about a learner and keep (course.kept): no summary depends on them.
STAMPED = (KnowledgeCheck, ReminderPreference, QuizLayout, PracticeAnswer)
_STALE = "lantern_stale_status"  # key in session.info: learners whose summary must be rewritten
_MOVED = "lantern_moved_stamp"  # key in session.info: learners whose stamp alone must move
_versions: dict[int, tuple[Course, str]] = {}
_empty: dict[str, Summary] = {}


def content_version(course: Course) -> str:
    """Return a fingerprint of everything in the course that a summary depends on (cached per course)."""
    cached = _versions.get(id(course))
    if cached is not None and cached[0] is course:
        return cached[1]
    shape = [
        (
            module.slug, module.title, module.always_open, [lesson.slug for lesson in module.lessons],
            [(q.id, q.critical, q.prompt) for q in module.quiz.questions],
        )
        for module in course.modules
    ]
    version = hashlib.sha256(repr(shape).encode()).hexdigest()
    _versions[id(course)] = (course, version)
    return version


def refresh(user_ids: Iterable[int]) -> dict[int, Summary]:
    """Recompute and store the summaries and latest answers of these learners, in the current transaction.

    Return the summaries.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    course = get_course()
    existing = sa.select(User.id).where(User.id.in_(ids))  # a deleted account gets no summary
    # Lock the learners (PostgreSQL; SQLite has one writer anyway): two tabs writing at once take turns,
    # and the second reads the first one's rows, so the last summary written counts both.
    present = db.session.scalars(existing.order_by(User.id).with_for_update()).all()
    if not present:
        return {}
    progress = loading.load_progress(existing)
    attempts = loading.load_attempts(existing)
    misses = loading.load_critical_misses(course, existing)
    renewals = last_renewals(course, present)
    summaries = {
        user_id: summarize(
            course, progress.get(user_id, []), attempts.get(user_id, []), misses.get(user_id, []), renewals.get(user_id)
        )
        for user_id in present
    }
    version, now = content_version(course), utcnow()
    values = [
        {"user_id": user_id, "content_version": version, "summary": encode(summary), "updated_at": now}
        for user_id, summary in summaries.items()
    ]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(LearnerStatus)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[LearnerStatus.user_id],
            set_={name: insert.excluded[name] for name in ("content_version", "summary", "updated_at")},
        ),
        values,
    )
    _rewrite_latest_answers(existing)
    return summaries


_ANSWER_COLUMNS = ("user_id", "module_slug", "question_id", "is_correct", "chosen")


def _rewrite_latest_answers(user_ids: sa.Select) -> None:
    # Computed in the database by the one rule for "latest" (course.dashboard.loading.latest_answers).
    db.session.execute(sa.delete(LatestAnswer).where(LatestAnswer.user_id.in_(user_ids)))
    latest = loading.latest_answers(user_ids)
    db.session.execute(
        sa.insert(LatestAnswer).from_select(_ANSWER_COLUMNS, sa.select(*(latest.c[name] for name in _ANSWER_COLUMNS)))
    )


def last_renewals(course: Course, user_ids: list[int]) -> dict[int, datetime]:
    """Return when each learner last passed the overdose module's quiz or a refresher (course.refreshers)."""
    module = refreshers.overdose_module(course)
    return refreshers.last_renewals(module.slug, user_ids) if module is not None else {}


def load(course: Course, member_ids: sa.Select) -> dict[int, Summary]:
    """Return the summaries of these members from one query; a missing or outdated one is recomputed.

    A learner who never opened a lesson nor took a quiz has no row: their summary is the empty one.
    """
    version = content_version(course)
    has_rows = sa.case(  # looked up only for members without a summary (few)
        (
            LearnerStatus.user_id.is_(None),
            sa.or_(
                sa.exists().where(LessonProgress.user_id == User.id),
                sa.exists().where(QuizAttempt.user_id == User.id),
                sa.exists().where(RefresherAttempt.user_id == User.id),
            ),
        ),
        else_=sa.true(),
    )
    rows = db.session.execute(
        sa.select(User.id, LearnerStatus.content_version, LearnerStatus.summary, has_rows)
        .outerjoin(LearnerStatus, LearnerStatus.user_id == User.id)
        .where(User.id.in_(member_ids))
    ).all()
    summaries, stale = {}, []
    for user_id, stored_version, summary, active in rows:
        if stored_version == version:
            summaries[user_id] = decode(summary)
        elif stored_version is None and not active:
            summaries[user_id] = empty(course)
        else:  # rows written before this table existed or by a bulk INSERT, or the course changed since
            stale.append(user_id)
    if stale:
        summaries.update(refresh(stale))
        db.session.commit()
    return summaries


def empty(course: Course) -> Summary:
    """Return the summary of a learner who has done nothing yet (computed once per shape of the course)."""
    version = content_version(course)
    if version not in _empty:
        _empty[version] = summarize(course, [], [], [])
    return _empty[version]


# --- keeping summaries current ------------------------------------------------------------------


@sa.event.listens_for(Session, "after_flush")
def _note_changed_learners(session: Session, flush_context) -> None:
    """Note the learners whose rows this flush changed (deletions too): summaries to rewrite, stamps to move."""
    changed, attempt_ids, moved = set(), set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, AttemptAnswer):
            # An answer belongs to its attempt's learner; the attempt is usually at hand (flushed with it).
            attempt = sa.inspect(obj).attrs.attempt.loaded_value
            if isinstance(attempt, QuizAttempt):
                changed.add(attempt.user_id)
            else:
                attempt_ids.add(obj.attempt_id)
        elif isinstance(obj, WATCHED):
            changed.add(obj.user_id)
        elif isinstance(obj, STAMPED):
            moved.add(obj.user_id)
    if attempt_ids:
        changed.update(session.scalars(sa.select(QuizAttempt.user_id).where(QuizAttempt.id.in_(attempt_ids))))
    if changed:
        session.info.setdefault(_STALE, set()).update(changed)
    if moved:
        session.info.setdefault(_MOVED, set()).update(moved)


@sa.event.listens_for(Session, "do_orm_execute")
def _note_learners_of_bulk_statements(state) -> None:
    """Note the learners a bulk INSERT, UPDATE or DELETE of watched or stamped rows touches."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    entity = state.bind_mapper.class_
    if entity not in WATCHED and entity not in STAMPED:
        return
    if entity is AttemptAnswer:  # an answer belongs to its attempt's learner
        owner = sa.select(QuizAttempt.user_id).distinct().join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
    else:
        owner = sa.select(entity.user_id).distinct()
    if state.is_insert:
        rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
        if entity is AttemptAnswer:
            attempt_ids = {row["attempt_id"] for row in rows if "attempt_id" in row}
            changed = set(state.session.scalars(owner.where(QuizAttempt.id.in_(attempt_ids)))) if attempt_ids else set()
        else:
            changed = {row["user_id"] for row in rows if "user_id" in row}
    else:  # whose rows the statement is about to change: read them first, by its own condition
        where = state.statement.whereclause
        changed = set(state.session.scalars(owner.where(where) if where is not None else owner))
    if changed:
        state.session.info.setdefault(_STALE if entity in WATCHED else _MOVED, set()).update(changed)


@sa.event.listens_for(Session, "before_commit")
def _rewrite_noted_summaries(session: Session) -> None:
    """Rewrite the noted learners' summaries, and move the other noted stamps, before the transaction commits."""
    session.flush()
    stale = session.info.pop(_STALE, set())
    moved = session.info.pop(_MOVED, set()) - stale  # a rewritten summary has a new time already
    if stale:
        refresh(stale)
    if moved:
        session.execute(sa.update(LearnerStatus).where(LearnerStatus.user_id.in_(moved)).values(updated_at=utcnow()))


@sa.event.listens_for(Session, "after_rollback")
def _forget_noted_learners(session: Session) -> None:
    """A rolled-back change changed nothing."""
    session.info.pop(_STALE, None)
    session.info.pop(_MOVED, None)
