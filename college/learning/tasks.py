"""Background work of the learning feature."""

from __future__ import annotations

from college.learning.attempts import expired_attempt_ids, grade_if_expired
from college.transactions import unit_of_work


def grade_expired_attempts() -> int:
    """Grade quiz attempts left open past their deadline, each in its own unit; run periodically."""
    graded = 0
    for attempt_id in expired_attempt_ids():
        with unit_of_work():
            graded += grade_if_expired(attempt_id)
    return graded
