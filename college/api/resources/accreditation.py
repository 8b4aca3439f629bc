"""Accreditation: the schemes, a course's accreditations, your registration numbers, your
learning record, and the attendance list per edition and scheme for the professional body."""

from __future__ import annotations

import marshmallow as ma
from flask import Response

from college.accreditation import services
from college.accreditation.models import (
    CourseAccreditation,
    NumberCheck,
    PartialRule,
    Scheme,
    Unit,
)
from college.api import auth
from college.api.core import Blueprint, Boolean, id_field
from college.api.pagination import page_schema
from college.api.resources.courses import visible_course
from college.catalogue import queries
from college.extensions import db

blp = Blueprint("api_accreditation", __name__, url_prefix="/api/v1",
                description="Accreditation by professional bodies: schemes, courses' "
                            "accreditations, registration numbers, learning records, lists.")


class SchemeSchema(ma.Schema):
    """A professional body's accreditation scheme."""

    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    unit = ma.fields.Enum(Unit, by_value=True, required=True)
    partial_rule = ma.fields.Enum(PartialRule, by_value=True, required=True, metadata={
        "description": "completion: everything once complete; all_sessions: only when every "
                       "session was attended; pro_rata: the share of sessions attended."})
    number_check = ma.fields.Enum(NumberCheck, by_value=True, required=True)


class NewSchemeSchema(ma.Schema):
    """A scheme to add to the installation's list (coordinators)."""

    # Format and length are the accreditation service's rules: it answers 422 per field.
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    body = ma.fields.String(load_default="")
    unit = ma.fields.Enum(Unit, by_value=True, load_default=Unit.POINTS)
    partial_rule = ma.fields.Enum(PartialRule, by_value=True, load_default=PartialRule.COMPLETION)
    number_check = ma.fields.Enum(NumberCheck, by_value=True, load_default=NumberCheck.NONE)


class AccreditationSchema(ma.Schema):
    """A course's accreditation in a scheme."""

    id = ma.fields.Integer(required=True)
    course_id = ma.fields.Integer(required=True)
    scheme = ma.fields.Nested(SchemeSchema, required=True)
    number = ma.fields.String(required=True)
    points = ma.fields.Float(required=True, metadata={"description": "Points or hours, as the scheme counts."})
    rubric = ma.fields.String(required=True)


class NewAccreditationSchema(ma.Schema):
    """Accredit the course in a scheme."""

    scheme_id = id_field(required=True)
    # The range is the accreditation service's rule: it answers 422 for `points`.
    points = ma.fields.Float(required=True)
    number = ma.fields.String(load_default="")
    rubric = ma.fields.String(load_default="")


class RegistrationNumberSchema(ma.Schema):
    """Your registration number in a scheme."""

    scheme = ma.fields.Nested(SchemeSchema, required=True)
    number = ma.fields.String(required=True)


class NumberInSchema(ma.Schema):
    """Your registration number; empty removes it. A RIZIV number's check digits are checked."""

    number = ma.fields.String(required=True)


class EarnedSchema(ma.Schema):
    scheme_id = ma.fields.Integer(required=True)
    earned = ma.fields.Float(required=True)


class CompletedTrainingSchema(ma.Schema):
    """A completed training, and until when its certificate is valid when it expires."""

    day = ma.fields.Date(required=True, metadata={"description": "The edition's last day."})
    title = ma.fields.String(required=True)
    hours = ma.fields.Float(required=True)
    valid_until = ma.fields.Date(required=True, allow_none=True, metadata={
        "description": "The certificate's last valid day; null: it does not expire (or there "
                       "is no live certificate)."})
    expired = Boolean(required=True, metadata={"description": "Past its last valid day."})
    expires_in_days = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Days left (0 on the last valid day) within the reminder days "
                       "(CERTIFICATE_EXPIRY_REMINDER_DAYS); else null."})


class YearSchema(ma.Schema):
    """One year of your learning record."""

    year = ma.fields.Integer(required=True)
    hours = ma.fields.Float(required=True)
    earned = ma.fields.List(ma.fields.Nested(EarnedSchema), required=True)
    trainings = ma.fields.List(ma.fields.Nested(CompletedTrainingSchema), required=True)


class LearningRecordSchema(ma.Schema):
    """Your completed trainings' hours, and points per scheme, per year (newest first)."""

    schemes = ma.fields.List(ma.fields.Nested(SchemeSchema), required=True)
    years = ma.fields.List(ma.fields.Nested(YearSchema), required=True)


class ExportRowSchema(ma.Schema):
    user_id = ma.fields.Integer(attribute="learner_id", required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    registration_number = ma.fields.String(required=True, metadata={"description": "Empty when missing."})
    attended = ma.fields.Integer(required=True)
    sessions = ma.fields.Integer(required=True)
    complete = Boolean(required=True)
    points = ma.fields.Float(required=True)


class EditionExportSchema(ma.Schema):
    """The attendance list for the scheme's body; `missing` lists who lacks a registration number."""

    edition_id = ma.fields.Integer(required=True)
    accreditation = ma.fields.Nested(AccreditationSchema, required=True)
    dates = ma.fields.List(ma.fields.Date(), required=True)
    rows = ma.fields.List(ma.fields.Nested(ExportRowSchema), required=True)
    missing = ma.fields.List(ma.fields.Integer(), required=True,
                             metadata={"description": "User ids of complete learners without a number."})


@blp.get("/accreditation-schemes")
@blp.response(200, page_schema(SchemeSchema))
def list_schemes():
    """The installation's accreditation schemes, all on one page."""
    return {"items": Scheme.all(), "next": None}


@blp.post("/accreditation-schemes")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(NewSchemeSchema)
@blp.response(201, SchemeSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.idempotent(Scheme)
def create_scheme(data: dict):
    """Add a scheme to the installation's list (coordinators; 409 when the code is taken)."""
    return services.add_scheme(auth.current_user(), **data)


@blp.get("/courses/<id:course_id>/accreditations")
@blp.response(200, page_schema(AccreditationSchema))
@blp.alt_response(404, response="NOT_FOUND")
def list_accreditations(course_id: int):
    """A course's accreditations, all on one page (whoever may see the course)."""
    course = visible_course(course_id)
    return {"items": services.course_accreditations(course.id), "next": None}


@blp.post("/courses/<id:course_id>/accreditations")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(NewAccreditationSchema)
@blp.response(201, AccreditationSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.idempotent(CourseAccreditation, lambda item: _with_scheme(item))
def create_accreditation(data: dict, course_id: int):
    """Accredit a course in a scheme (its organiser's coordinators; 409 when it already is)."""
    course = visible_course(course_id)
    return services.add_accreditation(auth.current_user(), course, **data)


def _with_scheme(accreditation: CourseAccreditation) -> CourseAccreditation:
    accreditation.scheme = db.session.get(Scheme, accreditation.scheme_id)
    return accreditation


@blp.delete("/accreditations/<id:accreditation_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def delete_accreditation(accreditation_id: int):
    """Remove an accreditation from its course (its organiser's coordinators)."""
    found = services.accreditation(accreditation_id)
    visible_course(found.course_id)
    services.remove_accreditation(auth.current_user(), found)


@blp.get("/me/registration-numbers")
@blp.login_required
@blp.response(200, page_schema(RegistrationNumberSchema))
def my_registration_numbers():
    """Your registration numbers, one per scheme, all on one page."""
    return {"items": services.registration_numbers(auth.current_user().id), "next": None}


@blp.put("/me/registration-numbers/<id:scheme_id>")
@blp.login_required
@blp.arguments(NumberInSchema)
@blp.response(200, RegistrationNumberSchema)
@blp.alt_response(204, description="The number was empty: none is kept for the scheme.")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def put_registration_number(data: dict, scheme_id: int):
    """Keep your registration number in a scheme (professionals); an empty one removes it."""
    kept = services.set_registration_number(auth.current_user(), scheme_id, data["number"])
    if kept is None:
        return Response(status=204)
    return kept


@blp.get("/me/learning-record")
@blp.login_required
@blp.response(200, LearningRecordSchema)
def my_learning_record():
    """Your learning record: hours and points per scheme, per year."""
    record = services.learning_record(auth.current_user())
    return {
        "schemes": record.schemes,
        "years": [{"year": year.year, "hours": year.hours,
                   "earned": [{"scheme_id": scheme_id, "earned": earned}
                              for scheme_id, earned in year.earned.items()],
                   "trainings": [_training(training) for training in year.courses]}
                  for year in record.years],
    }


def _training(training: services.CompletedTraining) -> dict:
    validity = training.validity
    return {"day": training.day, "title": training.title, "hours": training.hours,
            "valid_until": validity.last_valid_day if validity else None,
            "expired": bool(validity and validity.expired),
            "expires_in_days": validity.days_left if validity and validity.expires_soon else None}


@blp.get("/editions/<id:edition_id>/accreditation-lists/<id:scheme_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(200, EditionExportSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def edition_list(edition_id: int, scheme_id: int):
    """The attendance list a scheme's body asks for (the organiser's coordinators; logged)."""
    edition = queries.visible_edition(edition_id, auth.current_user())
    export = services.edition_export(auth.current_user(), edition, scheme_id)
    return {"edition_id": edition.id, "accreditation": export.accreditation, "dates": export.dates,
            "rows": export.rows, "missing": [row.learner_id for row in export.missing]}

