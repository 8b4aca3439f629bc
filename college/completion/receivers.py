"""The completion engine listens to the features whose changes can complete an enrolment."""

from __future__ import annotations

from college.completion.services import refresh_completion, refresh_course
from college.signals import (
    attendance_changed,
    completion_rule_changed,
    learning_progressed,
    seat_taken,
)


def _on_attendance_changed(sender, *, edition_id: int, learner_ids=None, **extra) -> None:
    """Attendance changed: re-decide those learners' enrolments in that edition."""
    refresh_completion(edition_id, learner_ids)


def _on_seat_taken(sender, *, edition_id: int, learner_ids, **extra) -> None:
    """A seat taken: modules or a quiz done for another edition may already meet the rule."""
    refresh_completion(edition_id, learner_ids)


def _on_learning_progressed(sender, *, course_id: int, learner_id: int, **extra) -> None:
    """A module done or a quiz attempt submitted: re-decide the learner's enrolments."""
    refresh_course(course_id, learner_id)


def _on_completion_rule_changed(sender, *, course_id: int, **extra) -> None:
    """The course's rule, modules or quiz changed: re-decide every enrolment of the course."""
    refresh_course(course_id)


def connect() -> None:
    """Connect the receivers (create_app calls this once)."""
    attendance_changed.connect(_on_attendance_changed)
    seat_taken.connect(_on_seat_taken)
    learning_progressed.connect(_on_learning_progressed)
    completion_rule_changed.connect(_on_completion_rule_changed)
