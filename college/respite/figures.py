"""Respite on the organiser's dashboard: per course of the period's cohort, the requests, how
many were arranged or not possible, and the attendance of learners with respite against those
without. Care is health-related: every count of one to four people is withheld, and a rate
describes a group of at least five (the rule of `college.dashboards.disclosure`)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, select

from college.attendance.models import Attendance
from college.catalogue.models import Course, Edition, TrainingSession
from college.dashboards.cache import kept
from college.dashboards.disclosure import too_few, too_few_to_describe, withhold
from college.dashboards.organiser import ATTENDED, RECORDED, Period
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.extensions import db
from college.respite.models import RespiteRequest, RespiteSession, RespiteState
from college.staleness import Generation

log = logging.getLogger(__name__)

COUNTS = ("requests", "arranged", "not_possible")


@dataclass
class RespiteRow:
    """A course's respite figures (None: withheld); `course` None is the total."""

    course: str | None
    requests: int | None
    arranged: int | None
    not_possible: int | None
    #: Present or late marks out of recorded ones, in percent, with and without respite.
    attendance_with: float | None
    attendance_without: float | None


def respite_rate(attended: int, recorded: int, people: int) -> float | None:
    """Attendance in percent of a group, or None where the group is too small to describe."""
    if too_few_to_describe(people) or not recorded:
        return None
    return round(100 * attended / recorded, 1)


#: The raw sums one respite row is made of (counts of requests and people, attendance marks).
RAW = (*COUNTS, "people_with", "people_without", "attended_with", "recorded_with",
       "attended_without", "recorded_without")


def _respite_sums(cohort, *keys):
    """The raw respite sums (RAW, and "offers") of the cohort's enrolments, grouped by `keys`."""
    has = lambda state: exists().where(  # noqa: E731
        RespiteSession.request_id == RespiteRequest.id, RespiteSession.state == state)
    marks = (select(TrainingSession.edition_id.label("edition_id"),
                    Attendance.learner_id.label("learner_id"),
                    func.sum(case((Attendance.status.in_(ATTENDED), 1), else_=0)).label("attended"),
                    func.sum(case((Attendance.status.in_(RECORDED), 1), else_=0)).label("recorded"))
             .join(TrainingSession, TrainingSession.id == Attendance.session_id)
             .where(TrainingSession.edition_id.in_(cohort))
             .group_by(TrainingSession.edition_id, Attendance.learner_id).subquery())
    asked = RespiteRequest.id.is_not(None)
    flag = lambda condition: func.sum(case((condition, 1), else_=0))  # noqa: E731
    seated = Enrolment.status.in_(SEATED_STATUSES)
    with_marks = lambda column, respite: func.sum(case(  # noqa: E731
        (and_(seated, respite), func.coalesce(column, 0)), else_=0))
    return (
        select(*keys, flag(asked).label("requests"),
               flag(and_(asked, has(RespiteState.ARRANGED))).label("arranged"),
               flag(and_(asked, has(RespiteState.NOT_POSSIBLE))).label("not_possible"),
               flag(and_(seated, asked)).label("people_with"),
               flag(and_(seated, ~asked)).label("people_without"),
               with_marks(marks.c.attended, asked).label("attended_with"),
               with_marks(marks.c.recorded, asked).label("recorded_with"),
               with_marks(marks.c.attended, ~asked).label("attended_without"),
               with_marks(marks.c.recorded, ~asked).label("recorded_without"),
               func.max(case((Course.offers_respite, 1), else_=0)).label("offers"))
        .select_from(Enrolment)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .outerjoin(RespiteRequest, RespiteRequest.enrolment_id == Enrolment.id)
        .outerjoin(marks, and_(marks.c.edition_id == Enrolment.edition_id,
                               marks.c.learner_id == Enrolment.learner_id))
        .where(Enrolment.edition_id.in_(cohort))
        .group_by(*keys)
    )


def respite_sums_per_edition(cohort) -> dict[int, dict[str, int]]:
    """The raw respite sums (RAW) per edition of the cohort whose course offers respite or
    that had requests (one query): what a region adds up per member and once in its total."""
    return {row["edition_id"]: {name: int(row[name] or 0) for name in RAW}
            for row in db.session.execute(_respite_sums(cohort, Edition.id.label("edition_id")))
            .mappings() if row["offers"] or row["requests"]}


def respite_figures(organiser_id: int, period: Period) -> list[RespiteRow]:
    """Rows per course of the cohort that offers respite or had requests, and a total row."""
    cohort = (select(Edition.id).join(Course, Course.id == Edition.course_id)
              .where(Course.organiser_id == organiser_id, Edition.starts_on >= period.start,
                     Edition.starts_on <= period.end))
    rows = db.session.execute(_respite_sums(cohort, Course.id, Course.title)
                              .order_by(Course.title, Course.id)).mappings().all()
    rows = [row for row in rows if row["offers"] or row["requests"]]
    columns = {name: withhold({index: int(row[name] or 0) for index, row in enumerate(rows)})
               for name in COUNTS}
    shown = [RespiteRow(
        row["title"], *(columns[name][index] for name in COUNTS),
        respite_rate(int(row["attended_with"] or 0), int(row["recorded_with"] or 0),
              int(row["people_with"] or 0)),
        respite_rate(int(row["attended_without"] or 0), int(row["recorded_without"] or 0),
              int(row["people_without"] or 0)))
        for index, row in enumerate(rows)]
    total = {name: sum(int(row[name] or 0) for row in rows) for name in RAW}
    shown.append(RespiteRow(
        None, *(None if too_few(total[name]) else total[name] for name in COUNTS),
        respite_rate(total["attended_with"], total["recorded_with"], total["people_with"]),
        respite_rate(total["attended_without"], total["recorded_without"], total["people_without"])))
    return shown


def respite_table(rows: list[RespiteRow]) -> tuple[list[str], list[list[object]]]:
    """The respite figures as a CSV table (withheld cells say so)."""
    withheld = _("fewer than 5")
    cell = lambda value: withheld if value is None else value  # noqa: E731
    header = [_("Course"), _("Respite requests"), _("Respite arranged"),
              _("Respite not possible"), _("Attendance with respite, in percent"),
              _("Attendance without respite, in percent")]
    return header, [[row.course or _("Total"), cell(row.requests), cell(row.arranged),
                     cell(row.not_possible), cell(row.attendance_with),
                     cell(row.attendance_without)] for row in rows]


#: What the respite figures count: kept in Redis (like the dashboard's own figures,
#: `college.dashboards.cache`) until one of these changes.
RESPITE_FIGURES = Generation(
    "college:respite-figures:generation",
    (RespiteRequest, RespiteSession, Enrolment, Attendance, Edition, TrainingSession, Course))


def kept_respite_figures(organiser_id: int, period: Period) -> list[RespiteRow]:
    """The respite figures of the period: kept ones while nothing they count changed; none
    (one small query) for an organiser none of whose courses offers respite."""
    if not db.session.scalar(select(exists().where(Course.organiser_id == organiser_id,
                                                   Course.offers_respite.is_(True)))):
        return []
    return kept(RESPITE_FIGURES, "respite-figures", organiser_id, period,
                lambda: respite_figures(organiser_id, period),
                lambda rows: json.dumps([asdict(row) for row in rows]),
                lambda text: [RespiteRow(**row) for row in json.loads(text)])
