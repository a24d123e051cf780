"""The tests' handles on course/builders.py: each opens an app context, builds, commits and
returns detached rows (or ids), and takes module slugs of the fixture content."""

from __future__ import annotations

import html
import re
import secrets
from functools import cache

from werkzeug.security import generate_password_hash

from course import builders
from course.extensions import db
from course.models import Group, Role, User
from tests.conftest import PASSWORD

# The fixture content (tests/content): module slug -> lesson slugs.
FIRST, SAFE = "first-steps", "staying-safe"


def course(app):
    return app.extensions["lantern_course"]


@cache
def _password_hash() -> str:
    # Hashing is slow on purpose; tests that build many accounts share one hash of PASSWORD.
    return generate_password_hash(PASSWORD)


def quick_user(app, role: str = Role.LEARNER, name: str = "Learner", email: str | None = None, active: bool = True) -> User:
    """Create an account that logs in with PASSWORD; returns a detached User."""
    with app.app_context():
        user = builders.make_user(
            email or f"{secrets.token_hex(6)}@example.org", name, role, password_hash=_password_hash(), active=active
        )
        return _detached(user)


def _detached(row):
    db.session.commit()
    db.session.refresh(row)
    db.session.expunge(row)
    return row


def make_group(app, facilitator: User, name: str = "Tuesday family group", archived: bool = False) -> Group:
    """Create a group led by the facilitator, with a fresh code; returns a detached Group."""
    with app.app_context():
        return _detached(builders.make_group(facilitator, name, archived))


def add_member(app, group: Group, user: User, share_email: bool = False, joined_days_ago: float = 0) -> None:
    with app.app_context():
        builders.add_member(group, user, share_email, joined_days_ago)
        db.session.commit()


def set_last_seen(app, user: User, days_ago: float | None) -> None:
    with app.app_context():
        builders.set_last_seen(user, days_ago)
        db.session.commit()


def finish_lessons(app, user: User, module_slug: str, count: int | None = None, days_ago: float = 0) -> None:
    """Record the first `count` lessons of a module (all by default) as opened and completed."""
    with app.app_context():
        builders.finish_lessons(user, course(app).module(module_slug), count, days_ago)
        db.session.commit()


def take_quiz(app, user: User, module_slug: str, wrong: tuple[str, ...] = (), days_ago: float = 0):
    """Record an attempt that gets the questions named in `wrong` wrong and every other one right."""
    with app.app_context():
        module = course(app).module(module_slug)
        attempt = builders.take_quiz(user, module, builders.right_answers(module, wrong), days_ago)
        db.session.commit()
        return attempt.id


def pass_module(app, user: User, module_slug: str, days_ago: float = 0) -> None:
    with app.app_context():
        builders.pass_module(user, course(app).module(module_slug), days_ago)
        db.session.commit()


def text_of(page: str) -> str:
    """Return a page's visible words in <main>, tags dropped and spaces collapsed, to assert what a user reads."""
    main = page[page.index("<main") : page.index("</main>")]
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())
    return re.sub(r" ([,.;:!?])", r"\1", words)  # "<strong>name</strong>, led by" reads "name, led by"
