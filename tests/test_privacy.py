"""Export and deletion follow the schema: a new table that points to a user is covered, or this fails."""

import sqlalchemy as sa

from course import privacy
from course.extensions import db
from course.models import User


def user_tables() -> set[str]:
    """Every table that points to users.id, directly or through a table that does."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table.name in found or table.name == "users":
                continue
            if any(fk.column.table.name in found | {"users"} for fk in table.foreign_keys):
                found.add(table.name)
                changed = True
    return found


def test_every_table_tied_to_a_user_is_in_the_export(app_context, make_user):
    user = make_user()
    exported = privacy.export_data(db.session.get(User, user.id))
    assert set(exported["records"]) == user_tables()
    assert {"memberships", "lesson_progress", "quiz_attempts", "attempt_answers", "group_facilitators", "user_sessions"} <= user_tables()


def test_every_table_tied_to_a_user_cascades_on_deletion(app_context):
    # Deleting the user must leave no row behind that still points to them (or blocks the delete).
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "users":
                assert fk.ondelete in ("CASCADE", "SET NULL"), f"{table.name}.{fk.parent.name} must cascade or be set null"


def test_no_secret_column_leaves_in_an_export(app_context, make_user):
    user = make_user()
    text = str(privacy.export_data(db.session.get(User, user.id)))
    stored = db.session.scalar(sa.select(User.password_hash).where(User.id == user.id))
    assert stored not in text and "password_hash" not in text
