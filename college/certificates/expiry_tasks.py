"""The periodic job that reminds learners before their certificate expires."""

from __future__ import annotations

import logging

from college.certificates.expiry import remind_before_expiry
from college.enrolment.tasks import queue_pending_notifications
from college.transactions import unit_of_work

log = logging.getLogger(__name__)


def remind_of_expiring_certificates() -> int:
    """The periodic job: remind once, some days before, each learner whose certificate expires."""
    try:
        with unit_of_work():
            reminded = remind_before_expiry()
        queue_pending_notifications()
    except Exception:  # a failed run must not end the repetition; the next run retries
        log.exception("reminding of expiring certificates failed")
        return 0
    log.info("reminded of expiring certificates: %s", reminded)
    return reminded
