"""Background jobs of create-once keys; they take ids, never ORM objects."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from college.idempotency import services
from college.transactions import committed

log = logging.getLogger(__name__)


@committed
def remove_expired_keys() -> int:
    """The periodic clean-up: forget keys older than IDEMPOTENCY_KEY_HOURS; returns how many."""
    hours = current_app.config["IDEMPOTENCY_KEY_HOURS"]
    removed = services.remove_expired_keys(timedelta(hours=hours))
    log.info("removed %d create-once keys older than %d hours", removed, hours)
    return removed
