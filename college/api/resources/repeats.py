"""Editions that repeat: a copy of an edition on a new first day, a weekly or monthly series.

Each has a preview that answers the dates and saves nothing, and a create operation that takes
an Idempotency-Key like every create.
"""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import select

from college.api import auth
from college.api.core import Blueprint
from college.api.resources.editions import EditionSchema, SessionSchema, day_field
from college.catalogue import queries, repeat, services
from college.catalogue.models import Edition, TrainingSession
from college.extensions import db

blp = Blueprint("api_repeats", __name__, url_prefix="/api/v1",
                description="Copies of editions and series of sessions, previewed before saving.")


class CopySchema(ma.Schema):
    """The first day of the copy."""

    starts_on = day_field(required=True, metadata={"description": "From today on."})


class PlannedSessionSchema(ma.Schema):
    """A session as it will be created."""

    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    title = ma.fields.String(required=True)
    room = ma.fields.String(required=True)


class PlannedEditionSchema(ma.Schema):
    """The copy as it will be created: its dates, enrolment window and sessions."""

    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    enrolment_opens_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    enrolment_closes_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    sessions = ma.fields.List(ma.fields.Nested(PlannedSessionSchema), required=True)


class SeriesSchema(ma.Schema):
    """Sessions that repeat every week or every month (the same weekday of the same week)."""

    first_day = day_field(required=True, metadata={"description": "From today on."})
    starts = ma.fields.Time(required=True, metadata={"description": "Brussels time, like 14:00."})
    ends = ma.fields.Time(required=True, metadata={"description": "Brussels time, like 16:00."})
    # The series' rules (which repeats, how many sessions) are the service's: it answers 422.
    every = ma.fields.String(required=True, metadata={
        "description": "week, or month (the same weekday of the same week of the month)",
        "enum": [every.value for every in repeat.Every]})
    count = ma.fields.Integer(required=True, strict=True, metadata={
        "description": f"From 2 to {repeat.MAX_SERIES}.", "minimum": 2, "maximum": repeat.MAX_SERIES})
    title = ma.fields.String(load_default="")
    room = ma.fields.String(load_default="")


class PlannedSeriesSchema(ma.Schema):
    """The sessions a series would add."""

    sessions = ma.fields.List(ma.fields.Nested(PlannedSessionSchema), required=True)


class EditionSessionsSchema(ma.Schema):
    """An edition's sessions after the series was added, in time order."""

    edition_id = ma.fields.Integer(required=True)
    sessions = ma.fields.List(ma.fields.Nested(SessionSchema), required=True)


def _managed_edition(edition_id: int) -> Edition:
    """The edition if the caller may see it (else 404), refused (403) unless they coordinate it."""
    user = auth.current_user()
    edition = queries.visible_edition(edition_id, user)
    services.require_course_manager(user, edition.course)
    return edition


def _edition_sessions(edition_id: int) -> dict:
    """What a series answers: all the edition's sessions, in time order."""
    sessions = db.session.scalars(select(TrainingSession).where(TrainingSession.edition_id == edition_id)
                                  .order_by(TrainingSession.starts_at)).all()
    return {"edition_id": edition_id, "sessions": sessions}


@blp.post("/editions/<id:edition_id>/copies/preview")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(CopySchema)
@blp.response(200, PlannedEditionSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def preview_copy(data: dict, edition_id: int):
    """The dates of a copy of the edition; nothing is saved (the organiser's coordinators)."""
    return repeat.plan_copy(_managed_edition(edition_id), data["starts_on"])


@blp.post("/editions/<id:edition_id>/copies")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(CopySchema)
@blp.response(201, EditionSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.idempotent(Edition, lambda edition: queries.edition_with_course(edition.id))
def create_copy(data: dict, edition_id: int):
    """Copy the edition (place, seats, trainers, sessions) to a new first day; nobody enrolled."""
    copy = repeat.copy_edition(auth.current_user(), _managed_edition(edition_id), data["starts_on"])
    return queries.edition_with_course(copy.id)


@blp.post("/editions/<id:edition_id>/sessions/series/preview")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(SeriesSchema)
@blp.response(200, PlannedSeriesSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def preview_series(data: dict, edition_id: int):
    """The sessions a series would add; nothing is saved (the organiser's coordinators)."""
    return {"sessions": repeat.plan_series(_managed_edition(edition_id), **data)}


@blp.post("/editions/<id:edition_id>/sessions/series")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(SeriesSchema)
@blp.response(201, EditionSessionsSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.idempotent(TrainingSession, lambda first: _edition_sessions(first.edition_id))
def create_series(data: dict, edition_id: int):
    """Add a weekly or monthly series of sessions; answers all the edition's sessions."""
    first, *_rest = repeat.create_series(auth.current_user(), _managed_edition(edition_id), **data)
    # The series is remembered by its first session (a retry with the key answers the same).
    return {"id": first.id, **_edition_sessions(first.edition_id)}
