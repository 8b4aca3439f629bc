"""Configuration from the environment: safe defaults, and production refuses what is unsafe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from college import config, create_app
from college.config import ConfigError
from college.extensions import db
from college.jobs import rate_limit_storage_uri

ROOT = Path(__file__).resolve().parent.parent


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        config.load(str(tmp_path), {"COLLEGE_ENV": "production"})
    assert not (tmp_path / "secret_key").exists()


def test_production_app_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setenv("COLLEGE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="refuses to start"):
        create_app()


def test_gunicorn_entry_point_fails_with_a_clear_message_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["COLLEGE_ENV"] = "production"
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("debug", ["1", "true", "yes"])
def test_production_refuses_debug_mode(tmp_path, debug):
    with pytest.raises(ConfigError, match="Debug mode is not allowed"):
        config.load(str(tmp_path), {"COLLEGE_ENV": "production", "SECRET_KEY": "s" * 40,
                                    "FLASK_DEBUG": debug})


def test_production_with_a_secret_key_starts_with_secure_cookies(tmp_path):
    settings = config.load(str(tmp_path), {"COLLEGE_ENV": "production", "SECRET_KEY": "k" * 40,
                                           "PUBLIC_BASE_URL": "https://academie.example.be"})
    assert settings["PRODUCTION"] is True
    assert settings["SECRET_KEY"] == "k" * 40
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]


def test_development_key_is_generated_once_and_kept_in_instance(tmp_path):
    first = config.load(str(tmp_path), {})["SECRET_KEY"]
    second = config.load(str(tmp_path), {})["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 40
    assert key_file.stat().st_mode & 0o777 == 0o600
    other = tmp_path / "other"
    assert config.load(str(other), {})["SECRET_KEY"] != first
    assert not config.load(str(tmp_path), {})["SESSION_COOKIE_SECURE"]


def test_defaults_keep_data_in_the_instance_folder(tmp_path):
    settings = config.load(str(tmp_path), {})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'college.sqlite'}"
    assert settings["REDIS_URL"] is None
    assert settings["EMBEDDED_REDIS_PATH"] == str(tmp_path / "redis.rdb")
    assert settings["COLLEGE_ENV"] == "development" and not settings["PRODUCTION"]


@pytest.mark.parametrize(
    "url",
    [
        "postgres://college:pw@db:5432/college",
        "postgresql://college:pw@db:5432/college",
        "postgresql+psycopg://college:pw@db:5432/college",
    ],
)
def test_database_url_always_uses_psycopg_3(tmp_path, url):
    settings = config.load(str(tmp_path), {"DATABASE_URL": url})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://college:pw@db:5432/college"


def test_environment_variables_are_read(tmp_path):
    settings = config.load(str(tmp_path), {
        "REDIS_URL": "redis://cache:6379/2",
        "PUBLIC_BASE_URL": "https://college.example.be/",
        "MAIL_SERVER": "smtp.example.be",
        "MAIL_PORT": "25",
        "MAIL_USERNAME": "college",
        "MAIL_PASSWORD": "pw",
        "MAIL_USE_TLS": "false",
        "MAIL_FROM": "Mantelzorgacademie <academie@example.be>",
    })
    assert settings["REDIS_URL"] == "redis://cache:6379/2"
    assert settings["PUBLIC_BASE_URL"] == "https://college.example.be"
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"]) == ("smtp.example.be", 25)
    assert (settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"]) == ("college", "pw")
    assert settings["MAIL_USE_TLS"] is False
    assert settings["MAIL_FROM"] == "Mantelzorgacademie <academie@example.be>"


def test_a_unix_socket_redis_url_reaches_the_rate_limiter_in_its_own_scheme(another_app):
    application = another_app(REDIS_URL="unix:///run/redis/redis.sock")
    assert rate_limit_storage_uri(application) == "redis+unix:///run/redis/redis.sock"
    assert rate_limit_storage_uri(another_app(REDIS_URL="redis://cache:6379/2")) == "redis://cache:6379/2"


def test_postgresql_plans_every_statement_for_its_own_values(tmp_path, app):
    """A prepared statement's generic plan made the coordinator's figures 45 times slower from
    their eleventh computation in a process on: every PostgreSQL connection plans each
    statement for its values; SQLite has no such setting and gets no option."""
    postgres = config.load(str(tmp_path), {"DATABASE_URL": "postgresql://c:pw@db:5432/college"})
    sqlite = config.load(str(tmp_path), {})
    assert postgres["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {
        "options": "-c plan_cache_mode=force_custom_plan"}
    assert "connect_args" not in sqlite["SQLALCHEMY_ENGINE_OPTIONS"]
    # An address's own options (a schema's search_path) are kept, not replaced.
    schema = config.load(str(tmp_path), {
        "DATABASE_URL": "postgresql://c:pw@db:5432/college?options=-csearch_path%3Dempty"})
    assert schema["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {
        "options": "-csearch_path=empty -c plan_cache_mode=force_custom_plan"}
    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # the database the suite runs on
            assert db.session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
