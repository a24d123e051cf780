"""Demo accounts and progress, so a newcomer sees a living course (`flask --app wsgi demo`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from course import accounts, grading
from course.content import Course, Module
from course.extensions import db
from course.models import LessonProgress, QuizAttempt, Role, User, utcnow


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    display_name: str


DEMO_LOGINS = (
    DemoLogin(Role.LEARNER, "learner@demo.lantern", "demo-learner-2026", "Sam (demo)"),
    DemoLogin(Role.FACILITATOR, "facilitator@demo.lantern", "demo-facilitator-2026", "Robin, group leader (demo)"),
    DemoLogin(Role.ADMIN, "admin@demo.lantern", "demo-admin-2026", "Site admin (demo)"),
)


def ensure_user(login: DemoLogin) -> User:
    """Return the demo account, creating it (or resetting its password and role) as needed."""
    user = accounts.find_user_by_email(login.email)
    if user is None:
        return accounts.create_user(login.email, login.password, login.display_name, login.role)
    if not user.check_password(login.password) or user.role != login.role or not user.active:
        user.set_password(login.password)
        user.role = login.role
        user.active = True
        db.session.commit()
    return user


def right_answers(module: Module) -> dict[str, tuple[str, ...]]:
    return {question.id: question.correct_answer for question in module.quiz.questions}


def finish_lessons(user: User, module: Module, count: int | None = None, days_ago: float = 0) -> None:
    """Record the first `count` lessons of a module (all by default) as read and completed."""
    when = utcnow() - timedelta(days=days_ago)
    for lesson in module.lessons[:count]:
        db.session.add(
            LessonProgress(
                user_id=user.id, module_slug=module.slug, lesson_slug=lesson.slug, started_at=when, completed_at=when
            )
        )
    db.session.flush()


def take_quiz(user: User, module: Module, answers: dict[str, tuple[str, ...]], days_ago: float = 0) -> QuizAttempt:
    """Record a quiz attempt with the given answers, dated days_ago."""
    graded = grading.grade(module.quiz, answers)
    token = f"demo-{user.id}-{module.slug}-{days_ago}"[:64].ljust(16, "x").replace(".", "-")
    attempt = grading.record_attempt(user.id, module.quiz, graded, token)
    attempt.submitted_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return attempt


def load_demo(course: Course) -> list[DemoLogin]:
    """Create the demo accounts, and give the demo learner some progress once."""
    users = {login.role: ensure_user(login) for login in DEMO_LOGINS}
    learner = users[Role.LEARNER]
    has_progress = db.session.scalar(
        sa.select(sa.func.count()).select_from(LessonProgress).where(LessonProgress.user_id == learner.id)
    )
    if not has_progress and course.modules:
        first = course.modules[0]
        finish_lessons(learner, first, days_ago=3)
        take_quiz(learner, first, right_answers(first), days_ago=2)
        if len(course.modules) > 1:
            finish_lessons(learner, course.modules[1], count=1, days_ago=1)
        db.session.commit()
    return list(DEMO_LOGINS)
