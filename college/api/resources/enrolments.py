"""Enrolments: enrol in an edition (or on its waiting list), cancel, my enrolments, my calendar."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from sqlalchemy import select

from college.addresses import public_url
from college.api import auth
from college.api.core import Blueprint, Boolean, id_field
from college.api.pagination import PageArgs, page_schema, paginate
from college.attendance import queries
from college.catalogue import calendar
from college.enrolment import questions, services
from college.enrolment.models import Enrolment, EnrolmentStatus

blp = Blueprint("api_enrolments", __name__, url_prefix="/api/v1",
                description="Enrolments in editions, the waiting list, and your calendar feed.")


class EnrolmentSchema(ma.Schema):
    """A learner's place in an edition: a seat, a waiting-list position, or a past one."""

    id = ma.fields.Integer(required=True)
    edition_id = ma.fields.Integer(required=True)
    user_id = ma.fields.Integer(attribute="learner_id", required=True)
    status = ma.fields.Enum(EnrolmentStatus, by_value=True, required=True)
    waitlist_position = ma.fields.Integer(required=True, allow_none=True)
    companion = Boolean(required=True, metadata={
        "description": "A caregiver brings the person they care for: the enrolment holds two seats."})
    created_at = ma.fields.AwareDateTime(required=True)
    cancelled_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class EnrolSchema(ma.Schema):
    """Whom to enrol: yourself when both are left out; a coordinator or trainer names a learner
    their organiser knows by `user_id`, anyone else by `email` (one of the two)."""

    user_id = id_field(load_default=None, allow_none=True, metadata={
        "description": "A learner your organiser knows: one of its managed accounts, or someone "
                       "who enrolled in one of its editions. Any other id answers 404, as an id "
                       "that does not exist."})
    email = ma.fields.String(load_default=None, allow_none=True,
                             validate=ma.validate.Length(max=254), metadata={
        "description": "The exact email address of any learner, instead of user_id; they are "
                       "told who enrolled them."})
    answers = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(max=12)),
        values=ma.fields.String(allow_none=True), load_default=dict,
        validate=ma.validate.Length(max=100), metadata={
            "description": "Answers to the course's questions (GET /courses/{id}/questions) by "
                           "question id: text, or one of a choice question's choices as written. "
                           "Required questions must be answered by learners enrolling "
                           "themselves; a refusal names the field `question_<id>`."})
    companion = Boolean(load_default=False, metadata={
        "description": "A caregiver brings the person they care for (a second seat), where the "
                       "course allows it; refused when only one seat is left."})

    @ma.validates_schema
    def one_way(self, data: dict, **kwargs) -> None:
        """A learner is named by id or by email address, not both."""
        if data.get("user_id") is not None and data.get("email"):
            raise ma.ValidationError(_("Name the learner by id or by email address, not both."),
                                     "email")


class CalendarFeedSchema(ma.Schema):
    """The address of your private calendar feed."""

    url = ma.fields.Url(required=True, metadata={
        "description": "Subscribe to it in a calendar app; it shows the sessions you hold a seat in."})


@blp.post("/editions/<id:edition_id>/enrolments")
@blp.login_required
@blp.arguments(EnrolSchema)
@blp.response(201, EnrolmentSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.idempotent(Enrolment)
def enrol(data: dict, edition_id: int):
    """Enrol in an edition, or join its waiting list when it is full."""
    return services.enrol_learner(edition_id=edition_id, actor=auth.current_user(),
                                  learner_id=data["user_id"], email=data["email"],
                                  answers=data["answers"], companion=data["companion"])


@blp.delete("/enrolments/<id:enrolment_id>")
@blp.login_required
@blp.response(200, EnrolmentSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def cancel(enrolment_id: int):
    """Cancel an enrolment or a place on the waiting list; the first one waiting moves up."""
    return services.cancel_enrolment(enrolment_id=enrolment_id, actor=auth.current_user())


@blp.get("/me/enrolments")
@blp.login_required
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(EnrolmentSchema))
def my_enrolments(args: dict):
    """Your enrolments, cancelled ones included."""
    statement = select(Enrolment).where(Enrolment.learner_id == auth.current_user().id)
    return paginate(statement, Enrolment.id, args)


@blp.get("/me/calendar-feed")
@blp.login_required
@blp.response(200, CalendarFeedSchema)
def my_calendar_feed():
    """The address of your private calendar feed, made the first time you ask."""
    user = auth.current_user()
    token = user.calendar_token or calendar.renew_calendar_token(user)
    return {"url": public_url("catalogue.learner_ics", token=token)}


class EnrolmentAnswerSchema(ma.Schema):
    """A learner's answer to one of the course's questions."""

    question_id = ma.fields.Integer(required=True)
    question = ma.fields.String(required=True)
    answer = ma.fields.String(required=True)


class RosterEnrolmentSchema(EnrolmentSchema):
    """An enrolment as the edition's staff see it: who, and their answers."""

    name = ma.fields.Function(lambda enrolment: enrolment.learner.name, required=True,
                              metadata={"type": "string"})
    answers = ma.fields.List(ma.fields.Nested(EnrolmentAnswerSchema), required=True)


class EditionRosterSchema(ma.Schema):
    """Everyone enrolled, waiting or cancelled in an edition."""

    edition_id = ma.fields.Integer(required=True)
    seats_taken = ma.fields.Integer(required=True)
    capacity = ma.fields.Integer(required=True)
    enrolments = ma.fields.List(ma.fields.Nested(RosterEnrolmentSchema), required=True)


@blp.get("/editions/<id:edition_id>/enrolments")
@blp.login_required
@blp.staff_only()
@blp.response(200, EditionRosterSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def edition_enrolments(edition_id: int):
    """An edition's roster with companion seats and answers (its trainers and coordinators;
    logged as the roster page is)."""
    actor = auth.current_user()
    edition = queries.get_edition(edition_id)
    queries.ensure_may_teach(actor, edition)
    roster = services.roster_of(edition.id, actor)
    answers = questions.answers_of(enrolment.id for enrolment in roster)
    for enrolment in roster:
        enrolment.answers = [
            {"question_id": question.id, "question": question.text, "answer": value}
            for question, value in answers.get(enrolment.id, [])
        ]
    return {"edition_id": edition.id, "seats_taken": edition.seats_taken,
            "capacity": edition.capacity, "enrolments": roster}
