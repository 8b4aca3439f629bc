"""The periodic job that reminds learners before their certificate expires."""

from __future__ import annotations

from college.certificates.expiry import remind_before_expiry
from college.enrolment.tasks import periodic_notices


def remind_of_expiring_certificates() -> int:
    """The periodic job: remind once, some days before, each learner whose certificate expires."""
    return periodic_notices("reminding of expiring certificates", remind_before_expiry)
