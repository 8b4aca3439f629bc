"""Health checks for load balancers and orchestrators: is the process alive, can it serve?"""

from __future__ import annotations

import logging

import redis
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from college.extensions import db
from college.jobs import redis_connection

log = logging.getLogger(__name__)


def readiness() -> dict[str, str]:
    """"ok" or "unreachable" for the database and for Redis, each tried once."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("readiness: the database does not answer: %s", error)
        checks["database"] = "unreachable"
    try:
        redis_connection().ping()
        checks["redis"] = "ok"
    except redis.exceptions.RedisError as error:
        log.warning("readiness: Redis does not answer: %s", error)
        checks["redis"] = "unreachable"
    return checks
