"""RQ jobs of the evaluation feature: inviting learners after an edition's last session."""

from __future__ import annotations

import logging

from college.enrolment.tasks import queue_pending_notifications
from college.evaluation.services import invite_after_last_session
from college.transactions import unit_of_work

log = logging.getLogger(__name__)


def invite_to_evaluations() -> int:
    """The periodic job: invite those who attended an edition that has just ended."""
    try:
        with unit_of_work():
            invited = invite_after_last_session()
        queue_pending_notifications()
    except Exception:  # a failed run must not end the repetition; the next run retries
        log.exception("inviting to evaluations failed")
        return 0
    log.info("invited to evaluations: %s", invited)
    return invited
