"""The person's own data: "download my data" and "delete my account".

Both follow the schema rather than a hand-kept list: every table whose rows point to the
user (directly, or through a row that does, such as an attempt's answers) is exported, and
deletion cascades through the same foreign keys. A new table with a user reference is covered
the day it is added (tests/test_privacy.py checks it).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from course.audit import security_event
from course.extensions import db
from course.models import User

# Secrets are not the person's data in any useful sense, and a file on a shared computer must
# not carry them: hashes of passwords and tokens are left out of the export.
SECRET_COLUMNS = {"password_hash", "token_hash"}


def _value(value: object) -> object:
    return value.isoformat() + "Z" if isinstance(value, datetime) else value


def _row(table: sa.Table, row: sa.Row) -> dict:
    return {column.name: _value(row._mapping[column]) for column in table.columns if column.name not in SECRET_COLUMNS}


def tables_tied_to_users() -> list[tuple[sa.Table, list[sa.ForeignKey]]]:
    """Return every table with rows that belong to a user, with the foreign keys that tie them.

    Parents come before children (an attempt before its answers), users first.
    """
    tied: dict[str, tuple[sa.Table, list[sa.ForeignKey]]] = {}
    for table in db.metadata.sorted_tables:
        if table.name == "users":
            continue
        # A row with its own user reference belongs to that user only (a membership is the
        # member's, not the group leader's); other rows belong to whoever owns their parent.
        keys = [fk for fk in table.foreign_keys if fk.column.table.name == "users"] or [
            fk for fk in table.foreign_keys if fk.column.table.name in tied
        ]
        if keys:
            tied[table.name] = (table, keys)
    return list(tied.values())


def export_data(user: User) -> dict:
    """Return every row tied to the user, table by table, with the account first."""
    users = db.metadata.tables["users"]
    account = db.session.execute(sa.select(users).where(users.c.id == user.id)).one()
    ids: dict[str, set] = {"users": {user.id}}
    records: dict[str, list[dict]] = {}
    for table, keys in tables_tied_to_users():
        condition = sa.or_(
            *(fk.parent.in_(ids[fk.column.table.name]) for fk in keys if ids.get(fk.column.table.name))
        ) if any(ids.get(fk.column.table.name) for fk in keys) else sa.false()
        primary = list(table.primary_key.columns)
        rows = db.session.execute(sa.select(table).where(condition).order_by(*primary)).all()
        records[table.name] = [_row(table, row) for row in rows]
        if len(primary) == 1:
            ids[table.name] = {row._mapping[primary[0]] for row in rows}
    _name_groups(records)
    return {
        "about": "Everything Lantern stores about you, table by table. Times are UTC.",
        "account": _row(users, account),
        "records": records,
    }


def _name_groups(records: dict[str, list[dict]]) -> None:
    """Add the group's name to every row that names a group (joined, led, check-ins), so the file reads on its own."""
    rows = [row for table_rows in records.values() for row in table_rows if row.get("group_id") is not None]
    group_ids = {row["group_id"] for row in rows}
    if not group_ids:
        return
    groups = db.metadata.tables["groups"]
    names = dict(db.session.execute(sa.select(groups.c.id, groups.c.name).where(groups.c.id.in_(group_ids))).all())
    for row in rows:
        row["group_name"] = names.get(row["group_id"])


def delete_account(user: User) -> None:
    """Delete a user and everything tied to them (the database cascades the rest)."""
    from course.groups import hand_over_before_deletion

    user_id = user.id
    handed_over = hand_over_before_deletion(user_id)  # members' data never goes with a facilitator
    db.session.expunge(user)
    db.session.execute(sa.delete(User).where(User.id == user_id))
    db.session.commit()
    security_event("account_deleted", user=user_id, groups_handed_over=len(handed_over))
