"""What an evaluation or burden report covers: the organiser, the period and, if asked, one of
its courses or editions (one rule for both reports)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from college.accounts.models import Organiser, User
from college.catalogue.models import Course, Edition
from college.dashboards.organiser import Period
from college.dashboards.services import organiser_to_report, parse_period
from college.errors import NotFound
from college.extensions import db


def report_scope(viewer: User, organiser_id: int, start: str | None, end: str | None,
                 course_id: int | None, edition_id: int | None) -> tuple[Organiser, Period]:
    """The organiser the viewer may report on and the period; a course or edition to narrow to
    must be the organiser's (another organiser's answers as one that does not exist)."""
    organiser = organiser_to_report(viewer, organiser_id)
    period = parse_period(start, end)
    owners = [db.session.scalar(select(Course.organiser_id).where(Course.id == course_id))
              if course_id is not None else organiser.id,
              db.session.scalar(select(Course.organiser_id).join(Edition).where(Edition.id == edition_id))
              if edition_id is not None else organiser.id]
    if any(owner != organiser.id for owner in owners):
        raise NotFound(_("This training does not exist."))
    return organiser, period
