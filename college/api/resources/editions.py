"""Editions of a course and their sessions, with the edition's calendar file."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import marshmallow as ma
from flask import Response
from flask_babel import gettext as _
from sqlalchemy import select

from college import policy, timeutil
from college.accounts.models import User
from college.api import auth
from college.api.core import Blueprint, ChangeSchema, id_field
from college.api.pagination import PageArgs, page_schema, paginate
from college.attendance.queries import seated_learner_ids
from college.catalogue import calendar, queries, services
from college.catalogue.models import Edition, TrainingSession, WaitlistMode
from college.enrolment.offers import change_waitlist_mode
from college.enrolment.services import change_capacity
from college.errors import Invalid
from college.extensions import db

# Calendars start and end somewhere: outside these years a moment cannot even be converted to
# Brussels time, so such input is refused as invalid rather than failing inside a service.
_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def day_field(**kwargs) -> ma.fields.Date:
    """A calendar day between 1900 and 2199."""
    return ma.fields.Date(validate=ma.validate.Range(min=_FIRST_DAY, max=_LAST_DAY), **kwargs)


def moment_field(**kwargs) -> ma.fields.AwareDateTime:
    """A moment with its offset, between 1900 and 2199."""
    return ma.fields.AwareDateTime(validate=ma.validate.Range(
        min=datetime.combine(_FIRST_DAY, time.min, UTC),
        max=datetime.combine(_LAST_DAY, time.min, UTC),
    ), **kwargs)


blp = Blueprint("api_editions", __name__, url_prefix="/api/v1",
                description="Editions (runs) of a course and their sessions.")


class EditionSchema(ma.Schema):
    """One run of a course, at a place, between dates, with a number of seats."""

    id = ma.fields.Integer(required=True)
    course_id = ma.fields.Integer(required=True)
    venue = ma.fields.String(required=True)
    address = ma.fields.String(required=True)
    place = ma.fields.String(required=True)
    what_to_bring = ma.fields.String(required=True)
    online_url = ma.fields.String(
        required=True, allow_none=True,
        metadata={"description": "The video link; shown to enrolled learners and staff only."},
    )
    capacity = ma.fields.Integer(required=True)
    seats_left = ma.fields.Integer(required=True, metadata={
        "description": "Free seats; a seat held by an open waiting-list offer is not free."})
    waitlist_length = ma.fields.Integer(required=True)
    waitlist_mode = ma.fields.Enum(WaitlistMode, by_value=True, required=True, metadata={
        "description": "automatic: a freed seat goes to the first on the waiting list; offer: "
                       "it is offered to them and held for offer_hold_hours."})
    offer_hold_hours = ma.fields.Integer(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    enrolment_opens_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    enrolment_closes_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    trainer_ids = ma.fields.Function(
        lambda edition: sorted(trainer.id for trainer in edition.trainers),
        required=True, metadata={"type": "array", "items": {"type": "integer"}},
    )
    created_at = ma.fields.AwareDateTime(required=True)


class EditionChangeSchema(ChangeSchema):
    """What a coordinator may change of an edition; fields left out keep their value."""

    # Lengths, dates and trainers are the catalogue service's rules: it answers 422 per field.
    venue = ma.fields.String()
    address = ma.fields.String()
    place = ma.fields.String()
    what_to_bring = ma.fields.String()
    online_url = ma.fields.String(allow_none=True)
    starts_on = day_field()
    ends_on = day_field()
    enrolment_opens_at = moment_field(allow_none=True)
    enrolment_closes_at = moment_field(allow_none=True)
    trainer_ids = ma.fields.List(id_field())
    capacity = ma.fields.Integer(
        strict=True, metadata={"description": "More seats move people up from the waiting list."}
    )
    waitlist_mode = ma.fields.Enum(WaitlistMode, by_value=True)
    offer_hold_hours = ma.fields.Integer(strict=True, metadata={
        "description": "Hours an offered seat is held (1 to 336; default 48), never beyond "
                       "halfway between the offer and the waiting list closing."})


class NewEditionSchema(EditionChangeSchema):
    """A new edition of a course."""

    place = ma.fields.String(required=True, metadata={"description": "The municipality."})
    starts_on = day_field(required=True)
    ends_on = day_field(metadata={"description": "The first day when left out."})
    capacity = ma.fields.Integer(required=True, strict=True)


class SessionSchema(ma.Schema):
    """A meeting of an edition."""

    id = ma.fields.Integer(required=True)
    edition_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    room = ma.fields.String(required=True)


class NewSessionSchema(ma.Schema):
    """A new session: start and end on one day of the edition, with their offset."""

    starts_at = moment_field(required=True)
    ends_at = moment_field(required=True)
    room = ma.fields.String(load_default="")
    title = ma.fields.String(load_default="")


def _waitlist_fields(data: dict) -> dict:
    """Take the waiting-list settings out of the body, for the offers service."""
    fields = {"waitlist_mode": "mode", "offer_hold_hours": "hold_hours"}
    return {name: data.pop(field) for field, name in fields.items() if field in data}


def _visible_edition(edition_id: int) -> Edition:
    """The edition (course, trainers, sessions loaded) if the caller may see it; else 404."""
    return queries.visible_edition(edition_id, auth.current_user())


def _shown(edition: Edition, user: User | None) -> Edition:
    """Hide the video link from all but the edition's staff and seated learners."""
    if edition.online_url and not (
        user is not None
        and (policy.is_course_staff(user, edition.course) or user.id in seated_learner_ids(edition.id))
    ):
        db.session.expunge(edition)  # a copy for this answer only: nothing reaches the database
        edition.online_url = None
    return edition


@blp.post("/courses/<id:course_id>/editions")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(NewEditionSchema)
@blp.response(201, EditionSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.idempotent(Edition, lambda edition: queries.edition_with_course(edition.id))
def create_edition(data: dict, course_id: int):
    """Add an edition to a course (the organiser's coordinators)."""
    user = auth.current_user()
    course = queries.visible_course(course_id, user)
    waitlist = _waitlist_fields(data)
    edition = services.create_edition(user, course, **data)
    if waitlist:
        change_waitlist_mode(edition_id=edition.id, actor=user, **waitlist)
    return queries.edition_with_course(edition.id)


@blp.get("/editions/<id:edition_id>")
@blp.response(200, EditionSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_edition_view(edition_id: int):
    """One edition, with its seats left and the length of its waiting list."""
    return _shown(_visible_edition(edition_id), auth.current_user())


@blp.patch("/editions/<id:edition_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(EditionChangeSchema)
@blp.response(200, EditionSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def update_edition(data: dict, edition_id: int):
    """Change an edition's seats, place, dates or trainers (the organiser's coordinators)."""
    edition = _visible_edition(edition_id)
    user = auth.current_user()
    capacity = data.pop("capacity", None)
    waitlist = _waitlist_fields(data)
    # One unit of work: a refused capacity leaves the place and dates unchanged too.
    services.update_edition(user, edition, **data)
    if waitlist:  # before the capacity: more seats reach the list the chosen way
        change_waitlist_mode(edition_id=edition.id, actor=user, **waitlist)
    if capacity is not None:
        change_capacity(edition_id=edition.id, capacity=capacity, actor=user)
    db.session.expire_all()
    return queries.edition_with_course(edition.id)


_SESSION_FIELDS = {"day": "starts_at", "starts": "starts_at", "ends": "ends_at"}


@blp.post("/editions/<id:edition_id>/sessions")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(NewSessionSchema)
@blp.response(201, SessionSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.idempotent(TrainingSession)
def create_session(data: dict, edition_id: int):
    """Add a session to an edition (the organiser's coordinators)."""
    edition = _visible_edition(edition_id)
    starts, ends = timeutil.local(data["starts_at"]), timeutil.local(data["ends_at"])
    if ends.date() != starts.date():
        raise Invalid(_("A session starts and ends on the same day (Brussels time)."), field="ends_at")
    try:
        return services.create_session(
            auth.current_user(), edition, day=starts.date(), starts=starts.time(), ends=ends.time(),
            room=data["room"], title=data["title"],
        )
    except Invalid as error:
        # The service speaks of the form's day and times; the API's fields are moments.
        error.field = _SESSION_FIELDS.get(error.field, error.field)
        raise


@blp.get("/editions/<id:edition_id>/sessions")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(SessionSchema))
@blp.alt_response(404, response="NOT_FOUND")
def list_sessions(args: dict, edition_id: int):
    """The sessions of an edition, in the order they were added (sort by `starts_at` for time)."""
    edition = _visible_edition(edition_id)
    return paginate(
        select(TrainingSession).where(TrainingSession.edition_id == edition.id), TrainingSession.id, args
    )


@blp.get("/editions/<id:edition_id>/calendar.ics")
@blp.response(200, {"type": "string"}, content_type="text/calendar",
              description="An iCalendar (RFC 5545) file of the sessions.")
@blp.alt_response(404, response="NOT_FOUND")
def edition_calendar(edition_id: int):
    """The sessions of an edition as an iCalendar file."""
    edition = _visible_edition(edition_id)
    body = calendar.render_calendar(
        _("%(course)s, %(place)s", course=edition.course.title, place=edition.place),
        calendar.stable_uid("edition", edition.id),
        calendar.edition_sessions(edition.id),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="edition-{edition.id}.ics"'
    return response
