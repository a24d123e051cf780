"""Knowledge checks for the demo's "Tuesday family group", so its outcomes page shows what a
funder asks for: scores and confidence up from before the course to after it.

Four families who finished the course months ago join the group too (they come back now and
then), so enough people took the check after the course to be shown (5 or more); only three of
them are three months on, so the follow-up shows how small numbers are held back.
`add_demo_outcomes()` runs after `demo_groups.load_demo_groups()` and is safe to run again.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from course import accounts, grading, knowledge, quiz_layouts
from course.loaded import get_course
from course.builders import wrong_answer
from course.content import Course, Quiz
from course.demo import DEMO_LOGINS, ensure_user
from course.demo_groups import EVERY_LESSON, DemoFamily, _ensure_group, _ensure_member, _give_progress, _has_progress
from course.extensions import db
from course.models import Role, utcnow

# Finished the course in the spring; their last visit is recent, so none needs a check-in.
EARLIER_FAMILIES = (
    DemoFamily("Beth", "beth@demo.lantern", passed=EVERY_LESSON, days_ago=130, joined_days_ago=160),
    DemoFamily("Omar", "omar@demo.lantern", passed=EVERY_LESSON, days_ago=120, joined_days_ago=150),
    DemoFamily("Luz", "luz@demo.lantern", passed=EVERY_LESSON, days_ago=110, joined_days_ago=140),
    DemoFamily("Frank", "frank@demo.lantern", passed=EVERY_LESSON, days_ago=60, joined_days_ago=90),
)
LAST_VISIT_DAYS_AGO = {"beth@demo.lantern": 12, "omar@demo.lantern": 6, "luz@demo.lantern": 9, "frank@demo.lantern": 5}


@dataclass(frozen=True)
class Result:
    right: int  # of the 10 questions asked
    confidence: tuple[int, int, int]  # overdose, naloxone, support
    days_ago: float


# email -> kind -> result. Rosa and Lee skipped the check; the rest took it when they joined.
RESULTS: dict[str, dict[str, Result]] = {
    "maria.g@demo.lantern": {"before": Result(5, (2, 1, 2), 42), "after": Result(9, (4, 5, 4), 2)},
    "dee@demo.lantern": {"before": Result(4, (1, 1, 2), 42), "after": Result(8, (4, 4, 3), 9)},
    "chris@demo.lantern": {"before": Result(6, (2, 2, 3), 42)},
    "tom.ana@demo.lantern": {"before": Result(5, (3, 2, 2), 42)},
    "pat@demo.lantern": {"before": Result(4, (1, 2, 1), 42)},
    "kwame@demo.lantern": {"before": Result(3, (1, 1, 2), 42)},
    "carmen@demo.lantern": {"before": Result(5, (2, 1, 3), 42)},
    "jt@demo.lantern": {"before": Result(6, (2, 3, 2), 42)},
    "sunny@demo.lantern": {"before": Result(4, (2, 2, 1), 42)},
    "nia@demo.lantern": {"before": Result(5, (1, 1, 1), 4)},
    "beth@demo.lantern": {
        "before": Result(4, (1, 1, 1), 160), "after": Result(9, (5, 5, 4), 130), "follow_up": Result(8, (4, 5, 4), 12)
    },
    "omar@demo.lantern": {
        "before": Result(5, (2, 1, 2), 150), "after": Result(8, (4, 4, 4), 120), "follow_up": Result(8, (4, 4, 4), 6)
    },
    "luz@demo.lantern": {
        "before": Result(3, (1, 2, 1), 140), "after": Result(7, (4, 4, 3), 110), "follow_up": Result(7, (4, 4, 3), 9)
    },
    "frank@demo.lantern": {"before": Result(6, (2, 2, 2), 90), "after": Result(10, (5, 5, 4), 60)},
}


def _graded(bank: Quiz, right: int, seed: int) -> grading.GradedAttempt:
    """Return a sitting of drawn questions with `right` of them answered rightly."""
    asked = quiz_layouts.draw_questions(bank, {}, random.Random(seed))
    answers = {q.id: q.correct_answer if index < right else wrong_answer(q) for index, q in enumerate(asked)}
    return grading.grade(bank, answers, asked)


def _add_earlier_families(course: Course) -> None:
    facilitator = ensure_user(next(login for login in DEMO_LOGINS if login.role == Role.FACILITATOR))
    group = _ensure_group(facilitator)
    for seed, family in enumerate(EARLIER_FAMILIES, start=50):
        user = accounts.find_user_by_email(family.email)
        if user is None:
            user = accounts.create_user(family.email, secrets.token_urlsafe(24), family.name)
        _ensure_member(group, user, family.share_email, family.joined_days_ago)
        if not _has_progress(user):
            _give_progress(course, user, family, seed)
            user.last_seen_at = utcnow() - timedelta(days=LAST_VISIT_DAYS_AGO[family.email])
    db.session.commit()


def add_demo_outcomes(course: Course | None = None) -> int:
    """Give the demo group's families their knowledge checks; return how many were added (none twice)."""
    course = course or get_course()
    bank = course.knowledge_check
    if bank is None or not course.modules:
        return 0
    _add_earlier_families(course)
    added = 0
    for seed, (email, results) in enumerate(RESULTS.items()):
        user = accounts.find_user_by_email(email)
        if user is None:
            continue
        for kind, result in results.items():
            if knowledge.find_check(user.id, kind) is not None:
                continue
            confidence = dict(zip(knowledge.CONFIDENCE_FIELDS, result.confidence))
            check = knowledge.record_check(user.id, kind, bank, _graded(bank, result.right, seed), confidence)
            check.taken_at = utcnow() - timedelta(days=result.days_ago)
            db.session.commit()
            added += 1
    return added
