"""How enrolment reacts to other features: mail held for an address goes out once it is confirmed."""

from __future__ import annotations

from college import signals
from college.enrolment.notifications import release_held_notifications


def on_email_confirmed(sender, user_id: int, **extra) -> None:
    """Queue the learner's held mails (in the sender's transaction, after its commit)."""
    release_held_notifications(user_id)


def connect() -> None:
    """Connect the receivers (create_app calls this once)."""
    signals.email_confirmed.connect(on_email_confirmed)
