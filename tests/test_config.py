"""Configuration from the environment."""

import pytest

from course import config


def test_sqlite_in_the_instance_folder_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/lantern.sqlite3"


def test_a_plain_postgres_url_is_accepted(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://lantern@db:5432/lantern")
    assert config.database_url(str(tmp_path)) == "postgresql://lantern@db:5432/lantern"


def test_production_requires_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("LANTERN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="SECRET_KEY must be set"):
        config.from_environment(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    with pytest.raises(config.ConfigError, match="LANTERN_BASE_URL must be set"):
        config.from_environment(str(tmp_path))
    monkeypatch.setenv("LANTERN_BASE_URL", "https://lantern.clinic.example/")
    settings = config.from_environment(str(tmp_path))
    assert settings["BASE_URL"] == "https://lantern.clinic.example"
    assert settings["SECRET_KEY"] == "s3cret"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()


def test_development_keeps_its_generated_key_across_restarts(monkeypatch, tmp_path):
    monkeypatch.delenv("LANTERN_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.from_environment(str(tmp_path))["SECRET_KEY"]
    second = config.from_environment(str(tmp_path))["SECRET_KEY"]
    assert len(first) == 64 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_bad_number_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("LANTERN_CHECK_IN_AFTER_DAYS", "two weeks")
    with pytest.raises(config.ConfigError, match="LANTERN_CHECK_IN_AFTER_DAYS must be a whole number"):
        config.from_environment(str(tmp_path), needs_secret=False)
