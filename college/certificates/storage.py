"""One small file-storage interface, so web servers and workers on several machines share files.

The database backend keeps files as StoredFile rows, written in the caller's transaction: a
certificate's file and its `storage_key` are committed together, so a half-written file is never
served. An S3-compatible backend can implement the same three methods later (it would write the
object before the commit; a rollback then leaves an unreferenced object, never a half one).
"""

from __future__ import annotations

from typing import Protocol

from flask import current_app
from sqlalchemy import delete, select

from college.certificates.models import StoredFile
from college.extensions import db


class FileStorage(Protocol):
    """What every storage backend offers."""

    def put(self, key: str, content: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class DatabaseStorage:
    """Files in the database, inside the current transaction (the caller commits)."""

    def put(self, key: str, content: bytes, content_type: str) -> None:
        """Store the whole file under the key, replacing what was there."""
        stored = db.session.get(StoredFile, key)
        if stored is None:
            stored = StoredFile(key=key)
            db.session.add(stored)
        stored.content = content
        stored.content_type = content_type
        stored.size = len(content)
        db.session.flush()

    def get(self, key: str) -> bytes | None:
        """The file's bytes, or None when nothing is stored under the key."""
        return db.session.scalar(select(StoredFile.content).where(StoredFile.key == key))

    def delete(self, key: str) -> None:
        """Forget the file (no error when it does not exist)."""
        db.session.execute(delete(StoredFile).where(StoredFile.key == key))

    def exists(self, key: str) -> bool:
        """Is a file stored under the key (without reading it)?"""
        return db.session.scalar(select(StoredFile.key).where(StoredFile.key == key)) is not None


def file_storage() -> FileStorage:
    """The configured storage backend (FILE_STORAGE; only "database" exists so far)."""
    backend = current_app.config.get("FILE_STORAGE", "database")
    if backend == "database":
        return DatabaseStorage()
    raise RuntimeError(f"unknown FILE_STORAGE backend {backend!r}")
