"""What the learning feature tells the rest of the College; the completion engine listens."""

from __future__ import annotations

from flask import current_app

from college.extensions import db
from college.signals import completion_rule_changed, learning_progressed


def progressed(course_id: int, learner_id: int) -> None:
    """A learner finished a module or had a quiz attempt graded."""
    learning_progressed.send(current_app._get_current_object(), course_id=course_id,
                             learner_id=learner_id)


def rule_changed(course_id: int) -> None:
    """Flush a change to what a course asks of learners (modules, quiz) and announce it."""
    db.session.flush()
    completion_rule_changed.send(current_app._get_current_object(), course_id=course_id)
