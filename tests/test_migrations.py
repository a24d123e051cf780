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


def insert_group_with_a_member(connection) -> None:
    """Robin (7) leads group 3, whose member is Sam (8), as raw rows (the schema since co-facilitators)."""
    import sqlalchemy as sa

    connection.execute(sa.text(
        "INSERT INTO users (id, email, display_name, password_hash, role, active, created_at) VALUES "
        "(7, 'robin@example.org', 'Robin', 'x', 'facilitator', 1, '2026-01-01'), "
        "(8, 'sam@example.org', 'Sam', 'x', 'learner', 1, '2026-01-01')"
    ))
    connection.execute(sa.text("INSERT INTO groups (id, name, invite_code, created_at) VALUES (3, 'G', 'ABC', '2026-02-01')"))
    connection.execute(sa.text("INSERT INTO group_facilitators (group_id, user_id, added_at) VALUES (3, 7, '2026-02-01')"))
    connection.execute(sa.text("INSERT INTO memberships (id, group_id, user_id, share_email, joined_at) VALUES (5, 3, 8, 0, '2026-02-02')"))


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
            insert_group_with_a_member(connection)
        downgrade(revision="25eec853b5a2")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT facilitator_id FROM groups")).scalar() == 7
            assert connection.execute(sa.text("SELECT count(*) FROM memberships")).scalar() == 1
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT user_id FROM group_facilitators")).scalar() == 7
            assert connection.execute(sa.text("SELECT count(*) FROM memberships")).scalar() == 1


def test_answers_given_before_latest_answers_existed_are_counted_after_the_upgrade(tmp_path, extra_app):
    """The upgrade drops the old summaries, so each learner's summary and latest answers are written together."""
    from flask_migrate import upgrade

    import sqlalchemy as sa

    from course import dashboard
    from course.dashboard import status
    from course.dashboard.summary import encode
    from course.loaded import get_course

    other = extra_app("sqlite:///" + str(tmp_path / "answers.sqlite3"))
    with other.app_context():
        upgrade(revision="g7_module_status")
        course = get_course()
        current_summary = {"version": status.content_version(course), "summary": encode(status.empty(course))}
        with db.engine.begin() as connection:
            insert_group_with_a_member(connection)
            connection.execute(sa.text(
                "INSERT INTO quiz_attempts (id, user_id, module_slug, submission_token, submitted_at, score, correct_count, "
                "question_count, passed, missed_critical, content_version) "
                "VALUES (1, 8, 'first-steps', 't1', '2026-02-03', 50, 1, 2, 0, 0, 'v')"
            ))
            connection.execute(sa.text(
                "INSERT INTO attempt_answers (attempt_id, question_id, chosen, is_correct) VALUES "
                "(1, 'health-problem', '[\"choice\"]', 0), (1, 'what-helps', '[\"treatment\", \"support\"]', 1)"
            ))
            # A summary written before the upgrade, current for this course: it must not hide the answers.
            connection.execute(sa.text(
                "INSERT INTO learner_status (user_id, content_version, summary, updated_at) "
                "VALUES (8, :version, :summary, '2026-02-03')"
            ), current_summary)
        upgrade()
        results = {r.question.id: r for r in dashboard.question_results(course, 3).answered}
    assert (results["health-problem"].answered, results["health-problem"].missed) == (1, 1)
    assert [answer.summary for answer in results["health-problem"].wrong_answers][0].startswith("1 chose")
    assert (results["what-helps"].answered, results["what-helps"].missed) == (1, 0)
