"""Courses: the published catalogue, filtered by track and words."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from sqlalchemy import select

from college.api import auth
from college.api.core import Blueprint, Boolean, ChangeSchema, id_field
from college.api.pagination import PageArgs, page_schema, paginate
from college.api.resources.accounts import organiser_to_manage
from college.catalogue import co_organisers, queries, services
from college.catalogue.models import Course, Track
from college.pagecache import cached_for_visitors

blp = Blueprint("api_courses", __name__, url_prefix="/api/v1/courses", description="The courses of the College.")


class CompletionSchema(ma.Schema):
    """What a learner must do to complete the course."""

    min_attendance_pct = ma.fields.Integer(required=True)
    modules_required = Boolean(required=True)
    quiz_pass_pct = ma.fields.Integer(required=True)


class CourseSchema(ma.Schema):
    """A training, open to caregivers, professionals or both."""

    id = ma.fields.Integer(required=True)
    organiser_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    tracks = ma.fields.Function(
        lambda course: sorted(track.value for track in course.tracks),
        required=True,
        metadata={"type": "array", "items": {"type": "string", "enum": [t.value for t in Track]}},
    )
    hours = ma.fields.Float(required=True)
    published = Boolean(required=True)
    completion = ma.fields.Nested(CompletionSchema, required=True)
    allow_companion = Boolean(required=True, metadata={
        "description": "A caregiver may bring the person they care for (a second seat)."})
    offers_respite = Boolean(required=True, metadata={
        "description": "Caregivers may ask respite when enrolling (POST /enrolments/{id}/respite)."})
    certificate_validity_months = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Months its certificates stay valid after the edition's last day; "
                       "null: they do not expire."})
    created_at = ma.fields.AwareDateTime(required=True)

    def get_attribute(self, obj, attr, default):
        # The completion rule is a group of the course's own columns.
        return obj if attr == "completion" else super().get_attribute(obj, attr, default)


class CourseQuerySchema(PageArgs):
    """Filters of the course list."""

    track = ma.fields.Enum(Track, by_value=True, load_default=None)
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100),
                         metadata={"description": "Words in the title, summary or description; "
                                                  "case and accents do not matter."})


@blp.get("")
@cached_for_visitors("track", "q", "cursor", "limit")
@blp.arguments(CourseQuerySchema, location="query")
@blp.response(200, page_schema(CourseSchema))
def list_courses(args: dict):
    """Published courses, optionally for one track or matching words."""
    statement = select(Course).where(Course.published.is_(True))
    if args["track"] is not None:
        statement = statement.where(Course.open_to(args["track"]))
    if args["q"]:
        statement = statement.where(Course.matching(args["q"]))
    return paginate(statement, Course.id, args)


@blp.get("/<id:course_id>")
@blp.response(200, CourseSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_course(course_id: int):
    """One course: published, or any course of an organiser you train or coordinate for."""
    return visible_course(course_id)


def visible_course(course_id: int) -> Course:
    """The course if it is published or the caller is staff of its organiser; else 404."""
    return queries.visible_course(course_id, auth.current_user())


class CompletionInSchema(ma.Schema):
    """The completion rule of a new course; left out, the College's defaults apply."""

    min_attendance_pct = ma.fields.Integer(metadata={"description": "0 to 100; 80 when left out."})
    modules_required = Boolean()
    quiz_pass_pct = ma.fields.Integer(metadata={"description": "0 to 100; 70 when left out."})


VALIDITY_MONTHS = ("1 to 120 months of validity after the edition's last day (36 for a refresher "
                   "every three years); null: its certificates do not expire.")


class Months(ma.fields.Integer):
    """Whole months; anything else is told as the course page tells it."""

    def _validated(self, value):
        try:
            return super()._validated(value)
        except ma.ValidationError as error:
            raise ma.ValidationError(_("Enter a whole number of months, like 36.")) from error


def validity_months_field(description: str, **kwargs) -> Months:
    """A course's certificate validity in months; the range is the service's (the page's) rule."""
    return Months(strict=True, allow_none=True, metadata={"description": description}, **kwargs)


class NewCourseSchema(ma.Schema):
    """A course a coordinator creates for their organiser."""

    # Lengths and ranges are the catalogue service's rules: it answers 422 per field.
    title = ma.fields.String(required=True)
    summary = ma.fields.String(load_default="")
    description = ma.fields.String(load_default="")
    tracks = ma.fields.List(ma.fields.Enum(Track, by_value=True), required=True)
    hours = ma.fields.Float(required=True)
    published = Boolean(load_default=False)
    completion = ma.fields.Nested(CompletionInSchema, load_default=dict)
    allow_companion = Boolean(load_default=False)
    offers_respite = Boolean(load_default=False)
    certificate_validity_months = validity_months_field(
        VALIDITY_MONTHS + " Left out: they do not expire.", load_default=None)
    organiser_id = id_field(
        load_default=None, allow_none=True,
        metadata={"description": "Needed when you coordinate more than one organiser."},
    )


@blp.post("")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(NewCourseSchema)
@blp.response(201, CourseSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.idempotent(Course)
def create_course(data: dict):
    """Create a course of your organiser (coordinators only)."""
    actor = auth.current_user()
    organiser = organiser_to_manage(
        actor, data.pop("organiser_id"), _("Only coordinators of this organiser can manage its courses.")
    )
    return services.create_course(actor, organiser, **data.pop("completion"), **data)


class CourseChangeSchema(ChangeSchema):
    """What a coordinator may change of a course; fields left out keep their value."""

    # Lengths and ranges are the catalogue service's rules (the course page's): 422 per field.
    title = ma.fields.String()
    summary = ma.fields.String()
    description = ma.fields.String()
    tracks = ma.fields.List(ma.fields.Enum(Track, by_value=True))
    hours = ma.fields.Float()
    published = Boolean()
    completion = ma.fields.Nested(CompletionInSchema, metadata={
        "description": "The parts of the completion rule sent change; the others keep theirs."})
    allow_companion = Boolean()
    offers_respite = Boolean()
    certificate_validity_months = validity_months_field(
        VALIDITY_MONTHS + " A new validity counts for certificates made after it; those made "
                          "before keep their last day.")


@blp.patch("/<id:course_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(CourseChangeSchema)
@blp.response(200, CourseSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def update_course(data: dict, course_id: int):
    """Change a course of your organiser (its coordinators), as its page does."""
    course = visible_course(course_id)
    return services.update_course(auth.current_user(), course, **data.pop("completion", {}),
                                  **data)


class CoOrganiserSchema(ma.Schema):
    """An organiser that organises the course with its lead organiser."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)


class CoOrganiserListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CoOrganiserSchema), required=True)


class CoOrganisersInSchema(ma.Schema):
    organiser_ids = ma.fields.List(id_field(), required=True, validate=ma.validate.Length(max=100),
                                   metadata={"description": "Every co-organiser (the whole list; "
                                                            "[] for none), not the lead organiser."})


@blp.get("/<id:course_id>/co-organisers")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(200, CoOrganiserListSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_co_organisers(course_id: int):
    """The organisers that organise the course with its lead organiser (their coordinators)."""
    return {"items": co_organisers.co_organisers_for(auth.current_user(), course_id)}


@blp.put("/<id:course_id>/co-organisers")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(CoOrganisersInSchema)
@blp.response(200, CoOrganiserListSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def set_co_organisers(data: dict, course_id: int):
    """Choose who organises the course with its lead organiser (the lead's coordinators): their
    coordinators manage it too and their figures count it."""
    return {"items": co_organisers.set_co_organisers(auth.current_user(), course_id,
                                                     data["organiser_ids"])}
