"""Demo accounts and progress, so a newcomer sees a living course (`flask --app wsgi demo`)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from course import accounts
from course.builders import finish_lessons, take_quiz
from course.content import Course
from course.extensions import db
from course.models import LessonProgress, Role, User


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
        take_quiz(learner, first, days_ago=2)
        if len(course.modules) > 1:
            finish_lessons(learner, course.modules[1], count=1, days_ago=1)
        db.session.commit()
    return list(DEMO_LOGINS)
