"""The coordinator's figures kept in Redis, per organiser and period, until a change they count.

Computing an organiser's figures reads every enrolment, mark and certificate of the period's
editions, so it grows with the history. The figures are kept in the app's Redis (shared by
every web server and process) under the figures' generation number (`college.staleness`),
which goes up after every commit that changed an enrolment, a mark, a certificate, an edition,
a session, a course or its co-organisers, or a learner's kind; a view after that computes
them once again. So a figure shown is always the live computation's. Keys expire after FIGURES_SECONDS; when Redis
cannot be reached the figures are computed as if there were no cache.

The generation is read before the rows; on PostgreSQL (read committed) every statement then
sees each commit whose number was already counted. SQLite (development) reads a request's rows
from the snapshot of its first read, the signed-in user: a change committed in between could
be kept once under the newer number, until the next change or the hour ends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import TypeVar

from flask import Flask

from college import staleness
from college.accounts.models import User
from college.attendance.models import Attendance
from college.catalogue.models import CoOrganiser, Course, Edition, TrainingSession
from college.certificates.models import Certificate
from college.dashboards.organiser import (
    CourseRow,
    Figures,
    OrganiserDashboard,
    Period,
    organiser_dashboard,
)
from college.enrolment.models import Enrolment
from college.staleness import Generation, existing_and_going_or_changed, watch

FIGURES_SECONDS = 3600
T = TypeVar("T")


def _counts(obj: object) -> bool:
    """A user changes the figures only by going or by changing kind (reach counts per kind);
    a new account counts from its first enrolment."""
    if not isinstance(obj, User):
        return True
    return existing_and_going_or_changed(obj, "kind")


#: What the figures count: a change to one of these makes every organiser's figures stale.
FIGURES = Generation(
    "college:figures:generation",
    (Enrolment, Attendance, Certificate, Edition, TrainingSession, Course, CoOrganiser, User),
    counts=_counts,
)


def kept(generation: Generation, name: str, owner_id: int, period: Period,
         compute: Callable[[], T], dump: Callable[[T], str], load: Callable[[bytes], T]) -> T:
    """Figures of an organiser (or a region: `name` tells whose) and period kept in Redis under
    `generation` (every kind of figures: the dashboard's, evaluation, respite, the region's
    roll-up), for FIGURES_SECONDS."""
    return staleness.kept(generation, name,
                          f"{owner_id}:{period.start.isoformat()}:{period.end.isoformat()}",
                          compute, dump, load, FIGURES_SECONDS)


def organiser_figures(organiser_id: int, period: Period) -> OrganiserDashboard:
    """The organiser's figures of the period: kept ones while nothing they count changed."""
    return kept(FIGURES, "figures", organiser_id, period,
                lambda: organiser_dashboard(organiser_id, period), to_json, from_json)


def to_json(dashboard: OrganiserDashboard) -> str:
    """The figures as JSON (days as YYYY-MM-DD)."""
    return json.dumps(asdict(dashboard), default=date.isoformat)


def from_json(text: str | bytes) -> OrganiserDashboard:
    """The figures `to_json` wrote."""
    data = json.loads(text)
    return OrganiserDashboard(
        period=Period(date.fromisoformat(data["period"]["start"]),
                      date.fromisoformat(data["period"]["end"])),
        total=Figures(**data["total"]),
        courses=[CourseRow(**{**row, "figures": Figures(**row["figures"])})
                 for row in data["courses"]],
        tracks=[(track, Figures(**figures)) for track, figures in data["tracks"]],
        months=[(month, Figures(**figures)) for month, figures in data["months"]],
        reach=data["reach"],
        new_learners=data["new_learners"],
        returning_learners=data["returning_learners"],
    )


def init_app(app: Flask) -> None:
    """Watch the database session for changes the figures count."""
    del app  # the listeners are on every session, once per process
    watch(FIGURES)
