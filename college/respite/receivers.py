"""How respite reacts to other features: a cancelled enrolment cancels its respite."""

from __future__ import annotations

from college import signals
from college.respite.figures import RESPITE_FIGURES
from college.respite.services import cancel_open_respite
from college.staleness import watch


def on_enrolment_cancelled(sender, enrolment_id: int, **extra) -> None:
    """What was asked or arranged for the enrolment is cancelled (in the sender's transaction)."""
    cancel_open_respite(enrolment_id)


def connect() -> None:
    """Connect the receivers (create_app calls this once); the respite figures' generation
    goes up after every commit that changed what they count."""
    signals.enrolment_cancelled.connect(on_enrolment_cancelled)
    watch(RESPITE_FIGURES)
