"""How respite reacts to other features: a cancelled enrolment cancels its respite."""

from __future__ import annotations

from college import signals
from college.respite.services import cancel_open_respite


def on_enrolment_cancelled(sender, enrolment_id: int, **extra) -> None:
    """What was asked or arranged for the enrolment is cancelled (in the sender's transaction)."""
    cancel_open_respite(enrolment_id)


def connect() -> None:
    """Connect the receivers (create_app calls this once)."""
    signals.enrolment_cancelled.connect(on_enrolment_cancelled)
