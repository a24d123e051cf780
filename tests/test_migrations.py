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
