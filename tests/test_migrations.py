"""The migrations produce exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from course.extensions import db


def test_migrations_match_the_models(app):
    # The session's schema was built by `flask db upgrade` (see conftest): compare it
    # with what the models declare, as autogenerate would.
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrade_is_recorded_at_head(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    with app.app_context(), db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
        config = app.extensions["migrate"].migrate.get_config()
        assert isinstance(app.extensions["migrate"].migrate, Migrate)
        assert current == tuple(ScriptDirectory.from_config(config).get_heads())


def test_existing_groups_keep_their_facilitator_through_the_migration(tmp_path, extra_app):
    """Upgrading a database made before co-facilitators gives every group its one facilitator."""
    from flask_migrate import upgrade

    import sqlalchemy as sa

    other = extra_app("sqlite:///" + str(tmp_path / "old.sqlite3"))
    with other.app_context():
        upgrade(revision="25eec853b5a2")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO users (id, email, display_name, password_hash, role, active, created_at) "
                "VALUES (7, 'robin@example.org', 'Robin', 'x', 'facilitator', 1, '2026-01-01')"
            ))
            connection.execute(sa.text(
                "INSERT INTO users (id, email, display_name, password_hash, role, active, created_at) "
                "VALUES (8, 'sam@example.org', 'Sam', 'x', 'learner', 1, '2026-01-01')"
            ))
            connection.execute(sa.text(
                "INSERT INTO groups (id, name, facilitator_id, invite_code, created_at) VALUES (3, 'Old group', 7, 'ABC', '2026-02-01')"
            ))
            connection.execute(sa.text(
                "INSERT INTO memberships (id, group_id, user_id, share_email, joined_at) VALUES (5, 3, 8, 1, '2026-02-02')"
            ))
        upgrade(revision="d4_facilitation")
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT group_id, user_id, added_at FROM group_facilitators")).all()
            members = connection.execute(sa.text("SELECT id, group_id, user_id, share_email FROM memberships")).all()
            columns = [c["name"] for c in sa.inspect(connection).get_columns("groups")]
    assert [(group_id, user_id) for group_id, user_id, _ in rows] == [(3, 7)]
    assert str(rows[0][2]).startswith("2026-02-01") and "facilitator_id" not in columns
    # Rebuilding the groups table on SQLite must not lose the members (ON DELETE CASCADE).
    assert [tuple(row) for row in members] == [(5, 3, 8, 1)]


def test_the_migration_goes_down_and_up_again_keeping_groups_and_members(tmp_path, extra_app):
    from flask_migrate import downgrade, upgrade

    import sqlalchemy as sa

    other = extra_app("sqlite:///" + str(tmp_path / "round.sqlite3"))
    with other.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO users (id, email, display_name, password_hash, role, active, created_at) VALUES "
                "(7, 'robin@example.org', 'Robin', 'x', 'facilitator', 1, '2026-01-01'), "
                "(8, 'sam@example.org', 'Sam', 'x', 'learner', 1, '2026-01-01')"
            ))
            connection.execute(sa.text("INSERT INTO groups (id, name, invite_code, created_at) VALUES (3, 'G', 'ABC', '2026-02-01')"))
            connection.execute(sa.text("INSERT INTO group_facilitators (group_id, user_id, added_at) VALUES (3, 7, '2026-02-01')"))
            connection.execute(sa.text("INSERT INTO memberships (id, group_id, user_id, share_email, joined_at) VALUES (5, 3, 8, 0, '2026-02-02')"))
        downgrade(revision="25eec853b5a2")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT facilitator_id FROM groups")).scalar() == 7
            assert connection.execute(sa.text("SELECT count(*) FROM memberships")).scalar() == 1
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT user_id FROM group_facilitators")).scalar() == 7
            assert connection.execute(sa.text("SELECT count(*) FROM memberships")).scalar() == 1
