"""Background work of the completion engine."""

from __future__ import annotations

from datetime import timedelta

from college.completion import services
from college.transactions import committed


@committed
def complete_finished_editions(days: int | None = None) -> int:
    """Complete the enrolments whose edition's last session has ended; returns how many."""
    lookback = timedelta(days=days) if days else services.FINISHED_LOOKBACK
    return len(services.complete_finished_editions(lookback=lookback))
