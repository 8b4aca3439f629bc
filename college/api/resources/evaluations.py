"""Evaluations: questionnaires (coordinators), the learner's own evaluations to answer, and the
reports (coordinators), which withhold every figure about fewer than five people.

Answering is a PUT of the answers to the invitation, not a POST that creates: an Idempotency-Key
would be kept with its sender and the answer set it made, a link between a person and their
answers that the College does not keep. A second PUT answers 409. A paper form typed in by a
trainer is a POST whose Idempotency-Key is kept with the edition, not with the answer set it made.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from college.api import auth
from college.api.core import MAX_ID, Blueprint, Boolean, id_field
from college.catalogue.models import Edition
from college.dashboards.services import organiser_to_report
from college.errors import NotFound
from college.evaluation import burden, questionnaires, reports, services
from college.evaluation.models import BurdenInstrument, BurdenMoment, QuestionKind
from college.extensions import db

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
@blp.alt_response(404, response="NOT_FOUND")
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


# ------------------------------------------------------------------------ paper forms


class PaperEvaluationSchema(ma.Schema):
    """An edition's paper evaluation: its questions, who attended and how many answered."""

    id = ma.fields.Integer(required=True, metadata={"description": "The edition's id."})
    attended = ma.fields.Integer(required=True, metadata={
        "description": "Learners who attended at least one session."})
    answered = ma.fields.Integer(required=True, metadata={
        "description": "Evaluations answered, online and on paper: at most one per learner who "
                       "attended."})
    questions = ma.fields.List(ma.fields.Nested(EvaluationAskedQuestionSchema), required=True)


def _paper_evaluation(edition_id: int) -> dict:
    _edition, versions = services.paper_edition(auth.current_user(), edition_id)
    tally = services.paper_tally(edition_id)
    return {"id": edition_id, "attended": tally.attended, "answered": tally.answered,
            "questions": [{"id": f"{version.id}-{question['key']}", "kind": question["kind"],
                           "text": question["text"], "options": question["options"]}
                          for version in versions for question in version.questions]}


@blp.get("/editions/<id:edition_id>/paper-evaluations")
@blp.login_required
@blp.staff_only()
@blp.response(200, PaperEvaluationSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_paper_evaluation(edition_id: int):
    """The questions of an edition's paper form (its trainers and the organiser's coordinators)."""
    return _paper_evaluation(edition_id)


@blp.post("/editions/<id:edition_id>/paper-evaluations")
@blp.login_required
@blp.staff_only()
@blp.arguments(EvaluationAnswersSchema)
@blp.response(201, PaperEvaluationSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.idempotent(Edition, present=lambda edition: _paper_evaluation(edition.id))
def add_paper_evaluation(data: dict, edition_id: int):
    """Type in the answers of one paper form, anonymous like those given online; 409 once every
    learner who attended has answered. The key is kept with the edition, never with the answers."""
    services.submit_paper_answers(auth.current_user(), edition_id, data["answers"])
    return _paper_evaluation(edition_id)


class EvaluationReportArgsSchema(ma.Schema):
    """The period (editions that started in it) and, optionally, one course or edition."""

    start = ma.fields.String(metadata={"pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"})
    end = ma.fields.String(metadata={"pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"})
    course = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))
    edition = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))


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


# ------------------------------------------------------------------------ burden measure


class BurdenItemSchema(ma.Schema):
    key = ma.fields.String(required=True)
    text = ma.fields.String(required=True)
    reversed = ma.fields.Boolean(required=True)


class BurdenInstrumentSchema(ma.Schema):
    """An instrument as data: items, answer scale, reversed items, score and bands."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(BurdenItemSchema), required=True)
    scale_min = ma.fields.Integer(required=True, strict=True)
    scale_max = ma.fields.Integer(required=True, strict=True)
    low_label = ma.fields.String(required=True)
    high_label = ma.fields.String(required=True)
    score = ma.fields.String(required=True, metadata={"enum": ["sum", "mean"]})
    bands = ma.fields.List(ma.fields.Dict(), required=True)


class OpenBurdenMeasureSchema(ma.Schema):
    """A moment at which you may tell how heavy caring feels (never required)."""

    enrolment_id = ma.fields.Integer(required=True)
    course_title = ma.fields.String(required=True)
    moment = ma.fields.String(required=True, metadata={"enum": ["before", "after", "follow_up"]})
    closes_at = ma.fields.AwareDateTime(required=True)
    instrument = ma.fields.Nested(BurdenInstrumentSchema, required=True)


def _instrument(instrument) -> dict:
    return {name: getattr(instrument, name) for name in (
        "id", "name", "items", "scale_min", "scale_max", "low_label", "high_label", "score", "bands")}


@blp.get("/me/burden-measures")
@blp.login_required
@blp.response(200, OpenBurdenMeasureSchema(many=True))
def my_burden_measures():
    """The burden questions open for you now."""
    return [{"enrolment_id": item.enrolment.id, "course_title": item.enrolment.edition.course.title,
             "moment": item.moment.value, "closes_at": item.closes_at,
             "instrument": _instrument(db.session.get(BurdenInstrument, item.setting.instrument_id))}
            for item in burden.open_measures(auth.current_user().id)]


class BurdenAnswerSchema(ma.Schema):
    """Your answer per item, and your consent to keep it for the purpose explained."""

    answers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(), required=True,
                             metadata={"example": {"i1": 6}})
    consent = Boolean(required=True, metadata={
        "description": "True: you agree that the answer is kept to show what trainings do; "
                       "without it nothing is kept."})


class BurdenMeasuredSchema(ma.Schema):
    moment = ma.fields.String(required=True)
    score = ma.fields.Float(required=True)
    band = ma.fields.String(required=True, allow_none=True)


@blp.put("/me/burden-measures/<id:enrolment_id>/<moment>")
@blp.login_required
@blp.arguments(BurdenAnswerSchema)
@blp.response(200, BurdenMeasuredSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def answer_burden(data: dict, enrolment_id: int, moment: str):
    """Tell how heavy caring feels now, with your consent: once per moment."""
    try:
        which = BurdenMoment(moment)
    except ValueError:
        raise NotFound(_("There is no question about your burden to answer here.")) from None
    measurement = burden.record_burden(auth.current_user(), enrolment_id, which,
                                       data["answers"], consent=data["consent"])
    instrument = db.session.get(BurdenInstrument, measurement.instrument_id)
    return {"moment": moment, "score": measurement.score,
            "band": burden.band_of(instrument, measurement.score)}


class BurdenSettingSchema(ma.Schema):
    """A course's burden measure: on or off, its instrument and timing."""

    on = Boolean(required=True)
    instrument_id = id_field(load_default=None, allow_none=True, metadata={
        "description": "Left out: the College's single-question scale."})
    # Whole numbers only; the service's rule answers 422 for a number out of its range.
    follow_up_weeks = ma.fields.Integer(load_default=8, strict=True)
    retention_months = ma.fields.Integer(load_default=24, strict=True)


@blp.put("/courses/<id:course_id>/burden-measure")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(BurdenSettingSchema)
@blp.response(200, BurdenSettingSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_burden_setting(data: dict, course_id: int):
    """Switch a course's burden measure on or off (the organiser's coordinators)."""
    setting = burden.set_course_measure(auth.current_user(), course_id, **data)
    if setting is None:
        return {"on": False, "instrument_id": None, "follow_up_weeks": 8, "retention_months": 24}
    return {"on": True, "instrument_id": setting.instrument_id,
            "follow_up_weeks": setting.follow_up_weeks, "retention_months": setting.retention_months}


class NewBurdenInstrumentSchema(ma.Schema):
    """An instrument the organiser holds the rights to."""

    name = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Dict(), required=True, metadata={
        "example": [{"text": "Ik voel me moe", "reversed": False}]})
    scale_min = ma.fields.Integer(required=True, strict=True)
    scale_max = ma.fields.Integer(required=True, strict=True)
    low_label = ma.fields.String(load_default="")
    high_label = ma.fields.String(load_default="")
    score = ma.fields.String(load_default="sum", metadata={"enum": ["sum", "mean"]})
    bands = ma.fields.List(ma.fields.Dict(), load_default=list, metadata={
        "example": [{"upto": 10, "label": "licht"}]})


@blp.get("/organisers/<id:organiser_id>/burden-instruments")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(200, BurdenInstrumentSchema(many=True))
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_burden_instruments(organiser_id: int):
    """The instruments the organiser may use: the College's and its own."""
    organiser = organiser_to_report(auth.current_user(), organiser_id)
    return [_instrument(instrument) for instrument in burden.instruments_for(organiser.id)]


@blp.post("/organisers/<id:organiser_id>/burden-instruments")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(NewBurdenInstrumentSchema)
@blp.response(201, BurdenInstrumentSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.idempotent(BurdenInstrument, present=_instrument)
def create_burden_instrument(data: dict, organiser_id: int):
    """Enter an instrument as data (the organiser's coordinators)."""
    return burden.define_instrument(auth.current_user(), organiser_id, data)


class BurdenChangeSchema(ma.Schema):
    """The change from before to a later moment (negative: lighter); null figures: too few."""

    later = ma.fields.String(required=True, metadata={"enum": ["after", "follow_up"]})
    too_few = ma.fields.Boolean(required=True)
    people = ma.fields.Integer(required=True, allow_none=True)
    mean = ma.fields.Float(required=True, allow_none=True)
    median = ma.fields.Float(required=True, allow_none=True)
    ci_low = ma.fields.Float(required=True, allow_none=True)
    ci_high = ma.fields.Float(required=True, allow_none=True)
    improved_pct = ma.fields.Float(required=True, allow_none=True)
    worse_pct = ma.fields.Float(required=True, allow_none=True)


class BurdenInstrumentReportSchema(ma.Schema):
    instrument_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    changes = ma.fields.List(ma.fields.Nested(BurdenChangeSchema), required=True)


class BurdenReportSchema(ma.Schema):
    """The change per caregiver who answered both moments; no figure about fewer than five."""

    organiser_id = ma.fields.Integer(required=True)
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    minimum_group = ma.fields.Integer(required=True)
    instruments = ma.fields.List(ma.fields.Nested(BurdenInstrumentReportSchema), required=True)


@blp.get("/organisers/<id:organiser_id>/burden-report")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(EvaluationReportArgsSchema, location="query")
@blp.response(200, BurdenReportSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_burden_report(args: dict, organiser_id: int):
    """The burden change of a period's caregivers, as on the report page (coordinators)."""
    report = burden.burden_report(auth.current_user(), organiser_id, args.get("start"),
                                  args.get("end"), args.get("course"), args.get("edition"))
    fields = ("mean", "median", "ci_low", "ci_high", "improved_pct", "worse_pct")
    return {
        "organiser_id": organiser_id, "start": report.period.start, "end": report.period.end,
        "minimum_group": report.minimum_group,
        "instruments": [{"instrument_id": measure.instrument.id, "name": measure.instrument.name,
                         "changes": [{"later": change.later, "too_few": change.too_few,
                                      "people": None if change.too_few else change.people,
                                      **{name: getattr(change, name) for name in fields}}
                                     for change in measure.changes]}
                        for measure in report.instruments],
    }
