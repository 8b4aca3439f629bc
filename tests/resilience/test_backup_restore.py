"""A backup restored into an empty database: certificates still verify and their PDFs download.

Certificate PDFs live in the database (table stored_file), so the dump holds them. On
PostgreSQL the backup is `pg_dump -Fc` and `pg_restore` into a new database, as the README
tells; on SQLite it is SQLite's online backup (the `.backup` command of the sqlite3 shell).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, select, text

from college.accounts.models import User
from college.certificates.models import Certificate, CertificateStatus
from college.extensions import db
from tests.certificates.helpers import complete_enrolment, run_worker
from tests.conftest import Auth
from tests.resilience.conftest import second_app


def _pg_args(url) -> list[str]:
    return ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]


def _pg_env(url) -> dict[str, str]:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return env


@contextmanager
def restored_copy(source_url: str, folder) -> Iterator[str]:
    """Back the database up and restore it into a new, empty one; yield the new URL."""
    url = make_url(source_url)
    if url.get_backend_name() == "sqlite":
        copy = folder / "restored.sqlite"
        with sqlite3.connect(url.database) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        yield str(url.set(database=str(copy)))
        return
    dump = folder / "college.dump"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", *_pg_args(url), "-f", str(dump), url.database],
                   check=True, env=_pg_env(url), timeout=120)
    name = f"{url.database}_restore_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *_pg_args(url), "-d", name,
                        str(dump)], check=True, env=_pg_env(url), timeout=120)
        yield str(url.set(database=name))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_restored_backup_verifies_certificates_and_serves_their_pdfs(app, make, tmp_path):
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "sqlite":
        assert shutil.which("pg_dump") and shutil.which("pg_restore"), "PostgreSQL client tools"
    enrolment = complete_enrolment(make, name="Mevrouw Claes")
    run_worker(app)
    certificate = db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id))
    assert certificate.status == CertificateStatus.ISSUED
    code, certificate_id = certificate.verification_code, certificate.id
    email = db.session.get(User, certificate.learner_id).email
    db.session.commit()
    db.session.remove()

    with restored_copy(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as url:
        with second_app(app, SQLALCHEMY_DATABASE_URI=url) as restored:
            assert db.engine.url.database != make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
            client = restored.test_client()
            page = client.get(f"/verify/{code}").get_data(as_text=True)
            assert "This certificate is valid." in page and "Mevrouw Claes" in page
            assert Auth(client).login(email).status_code == 302
            response = client.get(f"/certificates/{certificate_id}/download")
            assert response.status_code == 200 and response.data.startswith(b"%PDF")
