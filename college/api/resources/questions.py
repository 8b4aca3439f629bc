"""Questions a course asks at enrolment: learners read them, coordinators write them."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from college.api import auth
from college.api.core import Blueprint, Boolean, ChangeSchema
from college.api.resources.courses import visible_course
from college.enrolment import question_authoring
from college.enrolment.models import EnrolmentQuestion, QuestionKind
from college.enrolment.questions import asked_questions
from college.errors import NotFound
from college.extensions import db

blp = Blueprint("api_questions", __name__, url_prefix="/api/v1",
                description="Questions a course asks at enrolment, each with why it asks it.")


class EnrolmentQuestionSchema(ma.Schema):
    """A question asked at enrolment; answer it in `answers` when you enrol."""

    id = ma.fields.Integer(required=True)
    course_id = ma.fields.Integer(required=True)
    position = ma.fields.Integer(required=True)
    kind = ma.fields.Enum(QuestionKind, by_value=True, required=True, metadata={
        "description": "text: any text; choice: one of `choices`, as written."})
    text = ma.fields.String(required=True)
    why = ma.fields.String(required=True, metadata={
        "description": "Why the organiser asks it (data minimisation): show it with the question."})
    required = Boolean(required=True)
    choices = ma.fields.List(ma.fields.String(), required=True)
    archived_at = ma.fields.AwareDateTime(required=True, allow_none=True, metadata={
        "description": "Set when it is no longer asked; its answers stay on the roster."})


class EnrolmentQuestionListSchema(ma.Schema):
    """The questions a course asks now, in order."""

    questions = ma.fields.List(ma.fields.Nested(EnrolmentQuestionSchema), required=True)


class NewEnrolmentQuestionSchema(ma.Schema):
    """A question for a course's enrolment (coordinators); the service checks every field."""

    kind = ma.fields.Enum(QuestionKind, by_value=True, required=True)
    text = ma.fields.String(required=True)
    why = ma.fields.String(required=True)
    required = Boolean(load_default=False)
    choices = ma.fields.List(ma.fields.String(), load_default=list,
                             validate=ma.validate.Length(max=50))
    position = ma.fields.Integer(load_default=None, allow_none=True, metadata={
        "description": "1 to 100; last when left out."})


class EnrolmentQuestionChangeSchema(ChangeSchema):
    """The fields of a question to change; once answered its kind stays, and choices given
    as answers stay."""

    kind = ma.fields.Enum(QuestionKind, by_value=True)
    text = ma.fields.String()
    why = ma.fields.String()
    required = Boolean()
    choices = ma.fields.List(ma.fields.String(), validate=ma.validate.Length(max=50))
    position = ma.fields.Integer()


def _question(question_id: int) -> EnrolmentQuestion:
    question = db.session.get(EnrolmentQuestion, question_id)
    if question is None:
        raise NotFound(_("This question does not exist."))
    return question


def _with_kind_value(data: dict) -> dict:
    if "kind" in data:
        data["kind"] = data["kind"].value
    return data


@blp.get("/courses/<id:course_id>/questions")
@blp.response(200, EnrolmentQuestionListSchema)
@blp.alt_response(404, response="NOT_FOUND")
def list_questions(course_id: int):
    """The questions a course asks at enrolment (a course you may see)."""
    course = visible_course(course_id)
    return {"questions": asked_questions(course.id)}


@blp.post("/courses/<id:course_id>/questions")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(NewEnrolmentQuestionSchema)
@blp.response(201, EnrolmentQuestionSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.idempotent(EnrolmentQuestion)
def create_question(data: dict, course_id: int):
    """Add a question to a course's enrolment, with why it is asked (its coordinators)."""
    course = visible_course(course_id)
    return question_authoring.add_question(auth.current_user(), course, **_with_kind_value(data))


@blp.patch("/questions/<id:question_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(EnrolmentQuestionChangeSchema)
@blp.response(200, EnrolmentQuestionSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def update_question(data: dict, question_id: int):
    """Change a question (the course's coordinators)."""
    return question_authoring.update_question(auth.current_user(), _question(question_id),
                                              **_with_kind_value(data))


@blp.delete("/questions/<id:question_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(200, EnrolmentQuestionSchema, description="Answered before: kept, no longer asked.")
@blp.alt_response(204, description="Nobody answered it: deleted.")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def remove_question(question_id: int):
    """Stop asking a question: deleted when unanswered, else archived with its answers."""
    question = _question(question_id)
    if question_authoring.remove_question(auth.current_user(), question):
        return "", 204
    return question
