"""Signals between features, so a feature reacts to another without importing its internals.

Senders emit them inside the transaction that made the change and commit afterwards;
receivers add to that same transaction and never commit themselves.
"""

from blinker import Namespace

_signals = Namespace()

#: Attendance of learners in an edition changed. kwargs: edition_id, learner_ids
attendance_changed = _signals.signal("attendance-changed")
#: Learners took a seat in an edition (enrolled, or moved up from the waiting list): the rule
#: may already be met there. kwargs: edition_id, learner_ids
seat_taken = _signals.signal("seat-taken")
#: A learner finished a module or a quiz attempt of a course. kwargs: course_id, learner_id
learning_progressed = _signals.signal("learning-progressed")
#: A course's completion rule (or its modules or quiz) changed. kwargs: course_id
completion_rule_changed = _signals.signal("completion-rule-changed")
#: An enrolment became complete. kwargs: enrolment_id
enrolment_completed = _signals.signal("enrolment-completed")
#: A completed enrolment is no longer complete (a correction). kwargs: enrolment_id
enrolment_reopened = _signals.signal("enrolment-reopened")
#: A user's password changed (changed or reset): their other credentials end. kwargs: user_id
password_changed = _signals.signal("password-changed")
#: A user's email address was confirmed (at registration or after a change): mail held for
#: it may go out. kwargs: user_id
email_confirmed = _signals.signal("email-confirmed")
#: An enrolment or waiting-list place was cancelled. kwargs: enrolment_id
enrolment_cancelled = _signals.signal("enrolment-cancelled")
