"""Editions that repeat: copy an edition to a new start date, add a weekly or monthly series.

Both are planned first (the dates a coordinator checks before saving) and then created through
the catalogue's own services, so every rule of a new edition or session holds for the copies too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from flask_babel import format_date
from flask_babel import gettext as _

from college import timeutil
from college.accounts.models import User
from college.catalogue import services
from college.catalogue.models import Edition, TrainingSession
from college.errors import Invalid

#: The most sessions one series may add.
MAX_SERIES = 52


class Every(StrEnum):
    """How often a series repeats."""

    WEEK = "week"
    #: The same weekday of the same week of the month ("every second Tuesday").
    MONTH = "month"


@dataclass(frozen=True)
class PlannedSession:
    """A session as it will be created: Brussels wall-clock day and times."""

    day: date
    starts: time
    ends: time
    title: str = ""
    room: str = ""

    @property
    def starts_at(self) -> datetime:
        return timeutil.brussels(self.day, self.starts)

    @property
    def ends_at(self) -> datetime:
        return timeutil.brussels(self.day, self.ends)


@dataclass(frozen=True)
class PlannedEdition:
    """A copy of an edition, shifted to a new first day, with its sessions."""

    starts_on: date
    ends_on: date
    enrolment_opens_at: datetime | None
    enrolment_closes_at: datetime | None
    sessions: list[PlannedSession] = field(default_factory=list)


def _shifted(moment: datetime | None, days: int) -> datetime | None:
    """The same Brussels wall-clock time, `days` later (a summer-time change keeps the hour)."""
    if moment is None:
        return None
    local = timeutil.local(moment)
    return timeutil.brussels(local.date() + timedelta(days=days), local.time()).astimezone(UTC)


def _not_in_the_past(day: date, field_name: str) -> None:
    if day < timeutil.today():
        raise Invalid(_("Choose a day from today on."), field=field_name)


def plan_copy(edition: Edition, starts_on: date | None) -> PlannedEdition:
    """The copy of `edition` (sessions loaded) that starts on `starts_on`; nothing is saved."""
    if not isinstance(starts_on, date):
        raise Invalid(_("Enter the first day of the new edition."), field="starts_on")
    _not_in_the_past(starts_on, "starts_on")
    days = (starts_on - edition.starts_on).days
    sessions = []
    for session in sorted(edition.sessions, key=lambda session: session.starts_at):
        starts, ends = timeutil.local(session.starts_at), timeutil.local(session.ends_at)
        sessions.append(PlannedSession(starts.date() + timedelta(days=days), starts.time(),
                                       ends.time(), session.title, session.room))
    return PlannedEdition(
        starts_on=starts_on,
        ends_on=edition.ends_on + timedelta(days=days),
        enrolment_opens_at=_shifted(edition.enrolment_opens_at, days),
        enrolment_closes_at=_shifted(edition.enrolment_closes_at, days),
        sessions=sessions,
    )


def copy_edition(actor: User | None, edition: Edition, starts_on: date | None) -> Edition:
    """A new edition like `edition`: place, seats, trainers and sessions, from `starts_on` on.

    Nobody is enrolled in the copy; its enrolment window moves with its dates.
    """
    services.require_course_manager(actor, edition.course)
    plan = plan_copy(edition, starts_on)
    copy = services.create_edition(
        actor, edition.course, capacity=edition.capacity,
        **{**services.edition_fields(edition), "starts_on": plan.starts_on, "ends_on": plan.ends_on,
           "enrolment_opens_at": plan.enrolment_opens_at,
           "enrolment_closes_at": plan.enrolment_closes_at},
    )
    _create_sessions(actor, copy, plan.sessions)
    return copy


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _series_days(first_day: date, every: Every, count: int) -> list[date]:
    if every is Every.WEEK:
        return [first_day + timedelta(weeks=number) for number in range(count)]
    nth = (first_day.day - 1) // 7 + 1
    if nth > 4:
        raise Invalid(_("A monthly series repeats a weekday of the first four weeks of the month "
                        "(\"every second Tuesday\"): choose a first day up to the 28th."),
                      field="first_day")
    days = []
    for number in range(count):
        year, month = divmod(first_day.month - 1 + number, 12)
        days.append(_nth_weekday(first_day.year + year, month + 1, first_day.weekday(), nth))
    return days


def plan_series(edition: Edition, *, first_day: date | None, starts: time | None,
                ends: time | None, every: Every | str | None, count: int | None,
                title: str = "", room: str = "") -> list[PlannedSession]:
    """The sessions of a series for `edition`, each checked as a single new session; nothing saved."""
    if not isinstance(first_day, date):
        raise Invalid(_("Enter the day of the first session."), field="first_day")
    _not_in_the_past(first_day, "first_day")
    try:
        every = Every(every)
    except ValueError:
        raise Invalid(_("Choose every week or every month."), field="every") from None
    if not isinstance(count, int) or isinstance(count, bool) or not 2 <= count <= MAX_SERIES:
        raise Invalid(_("Choose between %(low)d and %(high)d sessions.", low=2, high=MAX_SERIES),
                      field="count")
    planned = []
    for number, day in enumerate(_series_days(first_day, every, count), start=1):
        fields = {"day": day, "starts": starts, "ends": ends, "title": title, "room": room}
        try:
            values = services.session_values(edition, fields)
        except Invalid as error:
            if error.field != "day":
                raise
            raise Invalid(_("Session %(number)d would fall on %(day)s, outside the edition "
                            "(%(first)s to %(last)s). Choose fewer sessions or change the "
                            "edition's dates first.",
                            number=number, day=format_date(day, "d MMMM y"),
                            first=format_date(edition.starts_on, "d MMMM y"),
                            last=format_date(edition.ends_on, "d MMMM y")),
                          field="count") from None
        planned.append(PlannedSession(day, timeutil.local(values["starts_at"]).time(),
                                      timeutil.local(values["ends_at"]).time(),
                                      values["title"], values["room"]))
    return planned


def create_series(actor: User | None, edition: Edition, **fields) -> list[TrainingSession]:
    """Add the planned series to `edition`: fields as for `plan_series`."""
    services.require_course_manager(actor, edition.course)
    return _create_sessions(actor, edition, plan_series(edition, **fields))


def _create_sessions(actor: User | None, edition: Edition,
                     planned: list[PlannedSession]) -> list[TrainingSession]:
    return [
        services.create_session(actor, edition, day=session.day, starts=session.starts,
                                ends=session.ends, title=session.title, room=session.room)
        for session in planned
    ]

