"""Reactions to other features' signals; they add to the sender's transaction and never commit."""

from __future__ import annotations

from college import signals
from college.certificates import services


def on_enrolment_completed(sender, enrolment_id: int, **extra) -> None:
    """A completed enrolment gets a certificate, queued for rendering after the commit."""
    services.request_certificate(enrolment_id)


def on_enrolment_reopened(sender, enrolment_id: int, **extra) -> None:
    """An enrolment that is no longer complete keeps no live certificate."""
    services.withdraw_certificate(enrolment_id)


def connect() -> None:
    """Connect the receivers (create_app calls this once)."""
    signals.enrolment_completed.connect(on_enrolment_completed)
    signals.enrolment_reopened.connect(on_enrolment_reopened)
