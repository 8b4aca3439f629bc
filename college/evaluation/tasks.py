"""RQ jobs of the evaluation feature: invitations after the last session, the burden moments
and their reminders, and the burden answers' retention."""

from __future__ import annotations

import logging

from college.enrolment.tasks import periodic_notices
from college.evaluation.burden import invite_and_remind, remove_expired
from college.evaluation.services import invite_after_last_session
from college.transactions import unit_of_work

log = logging.getLogger(__name__)


def invite_to_evaluations() -> int:
    """The periodic job: invite those who attended an edition that has just ended."""
    return periodic_notices("inviting to evaluations", invite_after_last_session)


def ask_about_burden() -> int:
    """The periodic job: invite caregivers to the burden moments open now, remind once."""
    return periodic_notices("asking about burden", invite_and_remind)


def remove_expired_burden() -> int:
    """The daily job: remove burden answers kept longer than their course's retention."""
    with unit_of_work():
        removed = remove_expired()
    log.info("burden answers past their retention removed: %s", removed)
    return removed
