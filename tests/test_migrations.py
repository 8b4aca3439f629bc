"""Migrations are the only way a database gets its schema, and they agree with the models."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text

from college.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_models_and_migrations_agree(app):
    """Autogenerate finds nothing to add: the migrated database (from the fixture) is the models."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def _flask(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "FLASK_APP": "wsgi.py"}
    return subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )


class _EmptyDatabase:
    """An empty database of the kind under test: a new SQLite file, or on PostgreSQL a new
    schema of the configured database (the connection's search_path points at it; creating
    and dropping whole databases is slow on a busy server)."""

    def __init__(self, configured_url: str, tmp_path: Path):
        configured = make_url(configured_url)
        if configured.get_backend_name() == "postgresql":
            self.schema = f"college_empty_{uuid.uuid4().hex[:8]}"
            self.admin_url = configured.set(drivername="postgresql+psycopg")
            self.url = self.admin_url.update_query_dict(
                {"options": f"-csearch_path={self.schema}"}
            )
            self._admin(f'CREATE SCHEMA "{self.schema}"')
        else:
            self.schema = None
            self.url = make_url(f"sqlite:///{tmp_path / 'empty.sqlite'}")

    def _admin(self, statement: str) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(statement))
        engine.dispose()

    def tables(self) -> set[str]:
        engine = create_engine(self.url)
        try:
            return set(inspect(engine).get_table_names())
        finally:
            engine.dispose()

    def drop(self) -> None:
        if self.schema:
            self._admin(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


def test_flask_db_upgrade_builds_an_empty_database_and_downgrade_removes_it(app, tmp_path):
    database = _EmptyDatabase(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    url = database.url.render_as_string(hide_password=False)
    try:
        assert database.tables() == set()
        upgraded = _flask("db", "upgrade", database_url=url)
        assert upgraded.returncode == 0, upgraded.stderr
        expected = {table.name for table in db.metadata.sorted_tables} | {"alembic_version"}
        assert database.tables() == expected

        downgraded = _flask("db", "downgrade", "base", database_url=url)
        assert downgraded.returncode == 0, downgraded.stderr
        assert database.tables() == {"alembic_version"}
    finally:
        database.drop()
