"""The one time-zone helper: UTC in the database, Europe/Brussels for people."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """Return an aware moment as wall-clock time in Brussels."""
    return moment.astimezone(BRUSSELS)


def today() -> date:
    """Return today's date in Brussels."""
    return local(now()).date()


def brussels(day: date, at: time) -> datetime:
    """Return the aware moment of a Brussels wall-clock date and time."""
    return datetime.combine(day, at, tzinfo=BRUSSELS)
