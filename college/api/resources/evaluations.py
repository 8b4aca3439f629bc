"""Evaluations: questionnaires (coordinators), the learner's own evaluations to answer, and the
reports (coordinators), which withhold every figure about fewer than five people.

Answering is a PUT of the answers to the invitation, not a POST that creates: an Idempotency-Key
would be kept with its sender and the answer set it made, a link between a person and their
answers that the College does not keep. A second PUT answers 409.
"""

from __future__ import annotations

import marshmallow as ma

from college.api import auth
from college.api.core import Blueprint
from college.evaluation import questionnaires, reports, services
from college.evaluation.models import QuestionKind

blp = Blueprint("api_evaluations", __name__, url_prefix="/api/v1",
                description="Evaluations of trainings: questionnaires, answers, reports.")

_KINDS = [kind.value for kind in QuestionKind]


class EvaluationQuestionSchema(ma.Schema):
    """A question: scale (answers from low to high), choice, or open (no answers to choose)."""

    key = ma.fields.String(dump_only=True)
    kind = ma.fields.String(required=True, metadata={"enum": _KINDS})
    text = ma.fields.String(required=True)
    options = ma.fields.List(ma.fields.String(), load_default=list)


class EvaluationQuestionnaireSchema(ma.Schema):
    """An organiser's standard evaluation of a track, or a course's extra questions."""

    id = ma.fields.Integer(required=True)
    track = ma.fields.String(allow_none=True, required=True,
                             metadata={"enum": ["caregivers", "professionals", None]})
    course_id = ma.fields.Integer(allow_none=True, required=True)
    version = ma.fields.Integer(required=True, metadata={
        "description": "Changing questions that have answers makes a new version."})
    questions = ma.fields.List(ma.fields.Nested(EvaluationQuestionSchema), required=True)


class EvaluationQuestionsSchema(ma.Schema):
    """The new questions: at most six to choose from and one open question."""

    questions = ma.fields.List(ma.fields.Nested(EvaluationQuestionSchema), required=True)


def _questionnaire(questionnaire, version) -> dict:
    return {"id": questionnaire.id, "course_id": questionnaire.course_id,
            "track": questionnaire.track.value if questionnaire.track else None,
            "version": version.number, "questions": version.questions}


@blp.get("/organisers/<id:organiser_id>/questionnaires")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(200, EvaluationQuestionnaireSchema(many=True))
@blp.alt_response(403, response="FORBIDDEN")
def list_questionnaires(organiser_id: int):
    """The organiser's questionnaires with their current questions (its coordinators)."""
    return [_questionnaire(questionnaire, version) for questionnaire, version, _title
            in questionnaires.questionnaires_of(auth.current_user(), organiser_id)]


@blp.put("/questionnaires/<id:questionnaire_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(EvaluationQuestionsSchema)
@blp.response(200, EvaluationQuestionnaireSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_questionnaire(data: dict, questionnaire_id: int):
    """Replace a questionnaire's questions (a new version once it has answers)."""
    user = auth.current_user()
    questionnaire = questionnaires.questionnaire_for_staff(user, questionnaire_id)
    version = questionnaires.save_questions(user, questionnaire, data["questions"])
    return _questionnaire(questionnaire, version)


@blp.put("/courses/<id:course_id>/questionnaire")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(EvaluationQuestionsSchema)
@blp.response(200, EvaluationQuestionnaireSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_course_questionnaire(data: dict, course_id: int):
    """A course's extra questions, asked after the standard evaluation."""
    version = questionnaires.save_course_questions(auth.current_user(), course_id, data["questions"])
    return _questionnaire(questionnaires.course_questionnaire(course_id), version)


class EvaluationAskedQuestionSchema(ma.Schema):
    """A question to answer; `id` names it in the answers."""

    id = ma.fields.String(required=True, metadata={"example": "12-q1"})
    kind = ma.fields.String(required=True, metadata={"enum": _KINDS})
    text = ma.fields.String(required=True)
    options = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "The answers to choose, numbered from 1 in this order."})


class PendingEvaluationSchema(ma.Schema):
    """An evaluation waiting for your answers."""

    enrolment_id = ma.fields.Integer(required=True)
    course_title = ma.fields.String(required=True)
    questions = ma.fields.List(ma.fields.Nested(EvaluationAskedQuestionSchema), required=True)


@blp.get("/me/evaluations")
@blp.login_required
@blp.response(200, PendingEvaluationSchema(many=True))
def my_evaluations():
    """Your evaluations still to answer, with their questions."""
    user = auth.current_user()
    result = []
    for enrolment in services.pending_evaluations(user.id):
        evaluation = services.evaluation_for(user, enrolment.id)
        result.append({
            "enrolment_id": enrolment.id, "course_title": enrolment.edition.course.title,
            "questions": [{"id": question_id, "kind": question["kind"], "text": question["text"],
                           "options": question["options"]}
                          for question_id, question in evaluation.questions]})
    return result


class EvaluationAnswersSchema(ma.Schema):
    """Answers by question id: an option's number (scale, choice) or words (open)."""

    answers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(), required=True,
                             metadata={"example": {"12-q1": 4, "12-q7": "Heel leerrijk"}})


class EvaluationAnsweredSchema(ma.Schema):
    answered = ma.fields.Integer(required=True, metadata={"description": "Questions answered."})


@blp.put("/me/evaluations/<id:enrolment_id>")
@blp.login_required
@blp.arguments(EvaluationAnswersSchema)
@blp.response(200, EvaluationAnsweredSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def answer_evaluation(data: dict, enrolment_id: int):
    """Answer an evaluation, anonymously: once."""
    return {"answered": services.submit_evaluation(auth.current_user(), enrolment_id,
                                                   data["answers"])}


class EvaluationReportArgsSchema(ma.Schema):
    """The period (editions that started in it) and, optionally, one course or edition."""

    start = ma.fields.String(metadata={"pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"})
    end = ma.fields.String(metadata={"pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"})
    course = ma.fields.Integer()
    edition = ma.fields.Integer()


class EvaluationQuestionFiguresSchema(ma.Schema):
    """One question's answers; null figures mean "too few answers"."""

    key = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": _KINDS})
    text = ma.fields.String(required=True)
    options = ma.fields.List(ma.fields.String(), required=True)
    too_few = ma.fields.Boolean(required=True)
    answered = ma.fields.Integer(required=True, allow_none=True)
    counts = ma.fields.List(ma.fields.Integer(), required=True, allow_none=True)
    mean = ma.fields.Float(required=True, allow_none=True)
    open_answers = ma.fields.List(ma.fields.String(), required=True, allow_none=True)


class EvaluationVersionFiguresSchema(ma.Schema):
    questionnaire_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    too_few = ma.fields.Boolean(required=True)
    responses = ma.fields.Integer(required=True, allow_none=True)
    questions = ma.fields.List(ma.fields.Nested(EvaluationQuestionFiguresSchema), required=True)


class EvaluationEditionRateSchema(ma.Schema):
    edition_id = ma.fields.Integer(required=True)
    course_title = ma.fields.String(required=True)
    starts_on = ma.fields.Date(required=True)
    too_few = ma.fields.Boolean(required=True)
    invited = ma.fields.Integer(required=True, allow_none=True)
    answered = ma.fields.Integer(required=True, allow_none=True)
    response_rate = ma.fields.Float(required=True, allow_none=True)


class EvaluationReportSchema(ma.Schema):
    """An evaluation report; no figure about fewer than `minimum_group` people."""

    organiser_id = ma.fields.Integer(required=True)
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    minimum_group = ma.fields.Integer(required=True)
    too_few = ma.fields.Boolean(required=True)
    invited = ma.fields.Integer(required=True, allow_none=True)
    answered = ma.fields.Integer(required=True, allow_none=True)
    response_rate = ma.fields.Float(required=True, allow_none=True)
    editions = ma.fields.List(ma.fields.Nested(EvaluationEditionRateSchema), required=True)
    questionnaires = ma.fields.List(ma.fields.Nested(EvaluationVersionFiguresSchema), required=True)


def _withheld(too_few: bool, **figures) -> dict:
    return {name: None if too_few else value for name, value in figures.items()}


@blp.get("/organisers/<id:organiser_id>/evaluation-report")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(EvaluationReportArgsSchema, location="query")
@blp.response(200, EvaluationReportSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_report(args: dict, organiser_id: int):
    """The evaluation report of a period, as on its page (the organiser's coordinators)."""
    report = reports.evaluation_report(auth.current_user(), organiser_id, args.get("start"),
                                       args.get("end"), args.get("course"), args.get("edition"))
    return {
        "organiser_id": report.organiser.id, "start": report.period.start, "end": report.period.end,
        "minimum_group": report.minimum_group, "too_few": report.too_few,
        **_withheld(report.too_few, invited=report.invited, answered=report.answered),
        "response_rate": report.response_rate,
        "editions": [{"edition_id": row.id, "course_title": row.course_title,
                      "starts_on": row.starts_on, "too_few": row.too_few,
                      **_withheld(row.too_few, invited=row.invited, answered=row.answered),
                      "response_rate": row.response_rate} for row in report.editions],
        "questionnaires": [{
            "questionnaire_id": version.questionnaire_id, "name": reports.version_name(version),
            "version": version.number, "too_few": version.too_few,
            "responses": None if version.too_few else version.responses,
            "questions": [{"key": q.key, "kind": q.kind, "text": q.text, "options": q.options,
                           "too_few": q.too_few, "answered": None if q.too_few else q.answered,
                           "counts": q.counts, "mean": q.mean, "open_answers": q.open_answers}
                          for q in version.questions]} for version in report.versions],
    }
