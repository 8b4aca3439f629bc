"""Reactions to other features' signals; they add to the sender's transaction and never commit."""

from __future__ import annotations

from college import signals
from college.certificates import services


@signals.enrolment_completed.connect
def on_enrolment_completed(sender, enrolment_id: int, **extra) -> None:
    """A completed enrolment gets a certificate, queued for rendering after the commit."""
    services.request_certificate(enrolment_id)


@signals.enrolment_reopened.connect
def on_enrolment_reopened(sender, enrolment_id: int, **extra) -> None:
    """A certificate still being prepared is withdrawn; an issued one waits for a coordinator."""
    services.withdraw_pending_certificate(enrolment_id)
