"""Ids inside requests: a member of one organiser cannot reach a second organiser's objects.

tests/api/test_authorisation_matrix.py and tests/security/test_access_walk.py check the ids in
paths. This walk checks the ids a request carries inside it, found by reading the app itself:

- every request-body and query field of the OpenAPI document whose name ends in `_id` or `_ids`,
  whose schema is a row id (`college.api.core.id_field`), or that is a map (quiz answers are
  keyed by question ids);
- every field of every WTForms form under college/ that carries an id: a name ending in `_id` or
  `_ids`, a select coerced to int or whose choices come from the database (people, trainers,
  choices), the rows of a FieldList, and the inputs a form names after ids (`id_keyed_inputs`).

Each must be in API_FIELDS or FORM_FIELDS, which say what kind of object the id names and how
to get one of a hub; a new id-bearing field that is missing fails
test_every_id_in_a_request_is_in_the_table. For each, a member of organiser A sends the
request with organiser B's object: it is refused, changes no row, names nobody of B, and
answers as for an id that belongs to nothing; the same request with A's own object is accepted,
so the refusal is the id's doing.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FieldList, FormField
from wtforms.fields.choices import SelectFieldBase
from wtforms.fields.core import UnboundField

import college
from college import timeutil
from college.accounts.models import User
from college.api.core import MAX_ID
from college.catalogue.models import Edition
from college.enrolment.models import EnrolmentStatus
from college.extensions import db
from college.privacy.models import PersonalDataAccess
from tests.api.conftest import bearer_for
from tests.conftest import Auth, csrf_token
from tests.security.test_access_walk import Hub, _hub, snapshot

ROOT = Path(__file__).parent.parent.parent
#: An id that belongs to nothing, as a stranger's should look.
MISSING = MAX_ID - 7


@dataclass
class World:
    """Organiser A, whose member sends the requests, and organiser B, whose objects are sent."""

    make: object

    def __post_init__(self):
        self.a: Hub = _hub(self.make, "A")
        self.b: Hub = _hub(self.make, "B")
        for label, hub in (("A", self.a), ("B", self.b)):
            hub.managed_id = hub.values["user_id"]
            # Someone who enrolled in the hub's edition once and cancelled: the hub knows them.
            former = self.make.learner(name=f"Former {label}")
            self.make.enrolment(former, db.session.get(Edition, hub.values["edition_id"]),
                                status=EnrolmentStatus.CANCELLED, cancelled_at=timeutil.now())
            hub.former_id = former.id


@dataclass(frozen=True)
class IdField:
    """An id inside a request: what it names, how to get one of a hub, and the request."""

    #: The kind of object the id names.
    names: str
    #: That kind of object of a hub: B's is out of A's reach, A's own is accepted.
    pick: Callable[[Hub], int]
    #: Who of organiser A sends it: "coordinator", "trainer" (of the edition), "learner" or
    #: "former learner" (who cancelled, so may enrol again).
    who: str
    #: (method, path, body or form data) with the id in it; the path is organiser A's.
    request: Callable[[World, int], tuple[str, str, dict]]
    #: Whether B's object answers exactly as an id that belongs to nothing. Organisers are
    #: public (the catalogue lists them), so naming another one may be refused as forbidden.
    like_missing: bool = True
    #: Whether A's own object is accepted; False where no id is ever right (a new question's
    #: choices have none yet).
    own_accepted: bool = True


def _edition_fields(world: World) -> dict:
    return {"venue": "OCMW", "place": "Gent", "starts_on": world.a.values["edition_day"],
            "ends_on": world.a.values["edition_end"]}


def _question_form(choice_id: int) -> dict:
    return {"text": "Wat is respijtzorg?", "kind": "single", "choices-0-choice_id": str(choice_id),
            "choices-0-text": "Tijdelijke overname", "choices-0-correct": "y",
            "choices-1-text": "Een premie"}


def _learner(hub: Hub) -> int:
    return hub.learner.id


def _managed(hub: Hub) -> int:
    return hub.managed_id


def _former(hub: Hub) -> int:
    return hub.former_id


def _trainer(hub: Hub) -> int:
    return hub.trainer.id


def _question(hub: Hub) -> int:
    return hub.values["question_id"]


def _choice(hub: Hub) -> int:
    return hub.values["choice_id"]


def _organiser(hub: Hub) -> int:
    return hub.organiser.id


def _enrolment_question(hub: Hub) -> int:
    return hub.values["enrolment_question_id"]


def _evaluation_version(hub: Hub) -> int:
    return hub.values["evaluation_version_id"]


def _attended_evaluation_version(hub: Hub) -> int:
    """The evaluation's version, once the hub's learner attended (a paper form may be typed in)."""
    from college.attendance.models import Attendance, AttendanceSource, AttendanceStatus

    if db.session.scalar(select(Attendance.id).where(
            Attendance.session_id == hub.values["session_id"],
            Attendance.learner_id == hub.learner.id)) is None:
        db.session.add(Attendance(session_id=hub.values["session_id"], learner_id=hub.learner.id,
                                  source=AttendanceSource.ROSTER, status=AttendanceStatus.PRESENT))
        db.session.commit()
    return _evaluation_version(hub)


def _instrument(hub: Hub) -> int:
    return hub.values["instrument_id"]


def _enrolment(hub: Hub) -> int:
    return hub.values["enrolment_id"]


_ANSWERS = "/api/v1/attempts/{open_attempt_id}/answers"

#: Every id-bearing field of the OpenAPI document: "METHOD path field" (`[]` an array's items,
#: `{}` a map's keys and values), with one IdField or several (a map's keys and its values).
API_FIELDS: dict[str, IdField | tuple[IdField, ...]] = {
    "POST /api/v1/users organiser_id": IdField(
        "organiser", _organiser, "coordinator",
        lambda w, i: ("POST", "/api/v1/users", {"name": "Jo", "roles": ["learner"],
                                                "kind": "caregiver", "organiser_id": i}),
        like_missing=False,
    ),
    "POST /api/v1/courses organiser_id": IdField(
        "organiser", _organiser, "coordinator",
        lambda w, i: ("POST", "/api/v1/courses", {"title": "Rouw en verlies",
                                                  "tracks": ["caregivers"], "hours": 3,
                                                  "organiser_id": i}),
        like_missing=False,
    ),
    "POST /api/v1/courses/{course_id}/editions trainer_ids": IdField(
        "trainer", _trainer, "coordinator",
        lambda w, i: ("POST", f"/api/v1/courses/{w.a.values['course_id']}/editions",
                      {"place": "Gent", "capacity": 12, "starts_on": w.a.values["edition_day"],
                       "trainer_ids": [i]}),
    ),
    "PATCH /api/v1/editions/{edition_id} trainer_ids": IdField(
        "trainer", _trainer, "coordinator",
        lambda w, i: ("PATCH", f"/api/v1/editions/{w.a.values['edition_id']}",
                      {"trainer_ids": [i]}),
    ),
    "POST /api/v1/editions/{edition_id}/enrolments user_id": tuple(
        IdField(names, pick, "trainer",
                lambda w, i: ("POST", f"/api/v1/editions/{w.a.values['edition_id']}/enrolments",
                              {"user_id": i}))
        for names, pick in (("managed account", _managed), ("former learner", _former))
    ),
    "PUT /api/v1/sessions/{session_id}/attendance records[].user_id": IdField(
        "learner", _learner, "trainer",
        lambda w, i: ("PUT", f"/api/v1/sessions/{w.a.values['session_id']}/attendance",
                      {"records": [{"user_id": i, "status": "present"}]}),
    ),
    "PUT /api/v1/attempts/{attempt_id}/answers answers{}": (
        IdField("question (the map's keys)", _question, "learner",
                lambda w, i: ("PUT", _ANSWERS.format(**w.a.values),
                              {"answers": {str(i): [_choice(w.a)]}})),
        IdField("choice (the map's values)", _choice, "learner",
                lambda w, i: ("PUT", _ANSWERS.format(**w.a.values),
                              {"answers": {str(_question(w.a)): [i]}})),
    ),
}
API_FIELDS.update({
    # A coordinator enrols the hub's managed account, answering the course's questions.
    "POST /api/v1/editions/{edition_id}/enrolments answers{}": IdField(
        "enrolment question (the map's keys)", _enrolment_question,
        "coordinator",
        lambda w, i: ("POST", f"/api/v1/editions/{w.a.values['edition_id']}/enrolments",
                      {"user_id": w.a.managed_id, "answers": {str(i): "Geen"}})),
})

API_FIELDS.update({
    # The learner answers their evaluation; a question is named "<questionnaire version id>-<key>".
    "PUT /api/v1/me/evaluations/{enrolment_id} answers{}": IdField(
        "questionnaire version (the map's keys)", _evaluation_version, "learner",
        lambda w, i: ("PUT", f"/api/v1/me/evaluations/{w.a.values['enrolment_id']}",
                      {"answers": {f"{i}-q1": 4}})),
    # A trainer types in a paper form of their edition, named like the learner's answers.
    "POST /api/v1/editions/{edition_id}/paper-evaluations answers{}": IdField(
        "questionnaire version (the map's keys)", _attended_evaluation_version, "trainer",
        lambda w, i: ("POST", f"/api/v1/editions/{w.a.values['edition_id']}/paper-evaluations",
                      {"answers": {f"{i}-q1": 4}})),
    # Burden instruments belong to an organiser (or are the College's, shared by all).
    "PUT /api/v1/courses/{course_id}/burden-measure instrument_id": IdField(
        "burden instrument", _instrument, "coordinator",
        lambda w, i: ("PUT", f"/api/v1/courses/{w.a.values['course_id']}/burden-measure",
                      {"on": True, "instrument_id": i})),
    # The enrolment a referral led to: one of the referral's organiser.
    "POST /api/v1/referrals/{referral_id}/outcome enrolment_id": IdField(
        "enrolment", _enrolment, "coordinator",
        lambda w, i: ("POST", f"/api/v1/referrals/{w.a.values['referral_id']}/outcome",
                      {"outcome": "enrolled", "enrolment_id": i})),
})
# The coordinator's evaluation and burden reports narrowed to one course or edition: another
# organiser's is no training of theirs.
API_FIELDS.update({
    f"GET /api/v1/organisers/{{organiser_id}}/{report} {narrow}": IdField(
        narrow, lambda hub, narrow=narrow: hub.values[f"{narrow}_id"], "coordinator",
        lambda w, i, report=report, narrow=narrow: (
            "GET", f"/api/v1/organisers/{w.a.organiser.id}/{report}?{narrow}={i}", None))
    for report in ("evaluation-report", "burden-report") for narrow in ("course", "edition")
})

def _partner(hub: Hub) -> int:
    return hub.values["partner_id"]


def _session(hub: Hub) -> int:
    return hub.values["session_id"]


def _respite_change(w: World, session_id: int, partner_id: int | None = None) -> dict:
    change = {"session_id": session_id, "state": "not_possible"}
    if partner_id is not None:
        change.update(state="arranged", partner_id=partner_id, helper_first_name="Greet")
    return change


# Respite: a partner or session of another organiser is no partner or session of the request.
API_FIELDS.update({
    "POST /api/v1/enrolments/{enrolment_id}/respite session_ids": IdField(
        "session", _session, "learner",
        lambda w, i: ("POST", f"/api/v1/enrolments/{w.a.values['enrolment_id']}/respite",
                      {"session_ids": [i], "kind": "company", "address": "Kerkstraat 1",
                       "municipality_id": w.a.values["municipality_id"], "consent": True})),
    "PATCH /api/v1/respite-requests/{request_id} ask_partner_id": IdField(
        "respite partner", _partner, "coordinator",
        lambda w, i: ("PATCH", f"/api/v1/respite-requests/{w.a.values['request_id']}",
                      {"ask_partner_id": i})),
    "PATCH /api/v1/respite-requests/{request_id} sessions[].session_id": IdField(
        "session", _session, "coordinator",
        lambda w, i: ("PATCH", f"/api/v1/respite-requests/{w.a.values['request_id']}",
                      {"sessions": [_respite_change(w, i)]})),
    "PATCH /api/v1/respite-requests/{request_id} sessions[].partner_id": IdField(
        "respite partner", _partner, "coordinator",
        lambda w, i: ("PATCH", f"/api/v1/respite-requests/{w.a.values['request_id']}",
                      {"sessions": [_respite_change(w, _session(w.a), i)]})),
})

_ROSTER = "/sessions/{session_id}/roster"
_QUESTION = "/courses/{course_id}/quiz/questions/{question_id}/edit"

#: Every id-bearing input of a form class: "FormClass.input" (`-N-` a FieldList row,
#: `<id>` an input named after an id).
FORM_FIELDS: dict[str, IdField | tuple[IdField, ...]] = {
    "EnrolOnBehalfForm.managed_learner": tuple(
        IdField(names, pick, "trainer",
                lambda w, i: ("POST", f"/editions/{w.a.values['edition_id']}/enrol-on-behalf",
                              {"managed_learner": str(i)}))
        for names, pick in (("managed account", _managed), ("former learner", _former))
    ),
    "EditionForm.trainer_ids": IdField(
        "trainer", _trainer, "coordinator",
        lambda w, i: ("POST", f"/manage/editions/{w.a.values['edition_id']}/edit",
                      {**_edition_fields(w), "trainer_ids": str(i)}),
    ),
    "NewEditionForm.trainer_ids": IdField(
        "trainer", _trainer, "coordinator",
        lambda w, i: ("POST", f"/manage/courses/{w.a.values['course_id']}/editions/new",
                      {**_edition_fields(w), "capacity": "12", "trainer_ids": str(i)}),
    ),
    "RosterForm.status-<id>": IdField(
        "learner", _learner, "trainer",
        lambda w, i: ("POST", _ROSTER.format(**w.a.values), {f"status-{i}": "present"}),
    ),
    "RosterForm.was-<id>": IdField(
        "learner", _learner, "trainer",
        lambda w, i: ("POST", _ROSTER.format(**w.a.values),
                      {f"was-{i}": "", f"status-{i}": "present"}),
    ),
    "QuestionForm.choices-N-choice_id": IdField(
        "choice", _choice, "trainer",
        lambda w, i: ("POST", _QUESTION.format(**w.a.values), _question_form(i)),
    ),
    "NewQuestionForm.choices-N-choice_id": IdField(
        "choice", _choice, "trainer",
        lambda w, i: ("POST", f"/courses/{w.a.values['course_id']}/quiz/questions/new",
                      _question_form(i)),
        own_accepted=False,
    ),
    "AnswerForm.question_id": IdField(
        "question", _question, "learner",
        lambda w, i: ("POST", f"/quiz/attempts/{w.a.values['open_attempt_id']}/questions/1",
                      {"question_id": str(i), "choice": str(_choice(w.a)), "go": "review"}),
    ),
    "AnswerForm.choice": IdField(
        "choice", _choice, "learner",
        lambda w, i: ("POST", f"/quiz/attempts/{w.a.values['open_attempt_id']}/questions/1",
                      {"question_id": str(_question(w.a)), "choice": str(i), "go": "review"}),
    ),
}

FORM_FIELDS.update({
    "BurdenSettingForm.instrument_id": IdField(
        "burden instrument", _instrument, "coordinator",
        lambda w, i: ("POST", f"/courses/{w.a.values['course_id']}/burden-measure",
                      {"on": "yes", "instrument_id": str(i), "follow_up_weeks": "8",
                       "retention_months": "24"})),
    # The course's questions at enrolment, `question_<id>` (A's own question answered too).
    "EnrolForm.question_<id>": IdField(
        "enrolment question", _enrolment_question, "former learner",
        lambda w, i: ("POST", f"/editions/{w.a.values['edition_id']}/enrol",
                      {f"question_{_enrolment_question(w.a)}": "Geen", f"question_{i}": "Geen"})),
    "EnrolOnBehalfForm.question_<id>": IdField(
        "enrolment question", _enrolment_question, "trainer",
        lambda w, i: ("POST", f"/editions/{w.a.values['edition_id']}/enrol-on-behalf",
                      {"managed_learner": str(w.a.managed_id),
                       f"question_{_enrolment_question(w.a)}": "Geen", f"question_{i}": "Geen"})),
    # The learner's evaluation: its inputs are named "<questionnaire version id>-<key>".
    "EvaluationAnswerForm.<id>": IdField(
        "questionnaire version", _evaluation_version, "learner",
        lambda w, i: ("POST", f"/my/evaluations/{w.a.values['enrolment_id']}", {f"{i}-q1": "4"})),
    "OutcomeForm.enrolment_id": IdField(
        "enrolment", _enrolment, "coordinator",
        lambda w, i: ("POST", f"/referrals/{w.a.values['referral_id']}/outcome",
                      {"outcome": "enrolled", "enrolment_id": str(i)})),
})

FORM_FIELDS.update({
    "AskPartnerForm.partner_id": IdField(
        "respite partner", _partner, "coordinator",
        lambda w, i: ("POST", f"/respite-requests/{w.a.values['request_id']}/ask",
                      {"partner_id": str(i)})),
    "SessionStateForm.session_id": IdField(
        "session", _session, "coordinator",
        lambda w, i: ("POST", f"/respite-requests/{w.a.values['request_id']}/sessions",
                      {"session_id": str(i), "state": "not_possible"})),
    "SessionStateForm.partner_id": IdField(
        "respite partner", _partner, "coordinator",
        lambda w, i: ("POST", f"/respite-requests/{w.a.values['request_id']}/sessions",
                      {"session_id": str(_session(w.a)), "state": "arranged",
                       "partner_id": str(i), "helper_first_name": "Greet"})),
})

#: Ids of rows the whole installation shares (accreditation schemes): every organiser may name
#: every one, so there is no other organiser's object to refuse.
SHARED_IDS = {
    "POST /api/v1/courses/{course_id}/accreditations scheme_id",
    "AccreditationForm.scheme_id",
    # Municipalities are the installation's list (college/regions/residence.py): a learner
    # lives in one, an organiser serves some; none belongs to an organiser.
    "PUT /api/v1/me/municipality municipality_id",
    "ResidenceForm.municipality_id",
    "PUT /api/v1/organisers/{organiser_id}/municipalities municipality_ids",
    "ServedForm.municipality_ids",
    "POST /api/v1/enrolments/{enrolment_id}/respite municipality_id",
    "POST /api/v1/organisers/{organiser_id}/respite-partners municipality_ids",
    "PATCH /api/v1/respite-partners/{partner_id} municipality_ids",
    "PartnerForm.municipality_ids",
    "PUT /api/v1/regions/{region_id}/municipalities municipalities[].municipality_id",
    "RegionMunicipalitiesForm.municipality_ids",
    "RegionMunicipalitiesForm.population-<id>",
    # A course's co-organisers are chosen from every organiser of the installation: naming
    # another organiser is the point (tests/catalogue/test_co_organisers.py: an unknown id is
    # refused, and only the lead organiser's coordinators choose).
    "PUT /api/v1/courses/{course_id}/co-organisers organiser_ids",
    "CoOrganisersForm.organiser_ids",
}

#: Maps whose keys are names, not row ids: a burden instrument's items are keyed "i1", "i2",
#: ... in every instrument, and the instrument answered is the one of the course of the
#: caller's own enrolment (the path's), so the body names nothing of another organiser.
NOT_IDS = {
    "PUT /api/v1/me/burden-measures/{enrolment_id}/{moment} answers{}",
}


# --- finding the ids in the app ------------------------------------------------------------


def _names_an_id(name: str) -> bool:
    return name.endswith(("_id", "_ids"))


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _is_row_id(schema: dict) -> bool:
    """The schema of `id_field`: an integer from 1 up to the largest id."""
    return schema.get("type") == "integer" and schema.get("maximum") == MAX_ID


def _schema_ids(schema: dict, document: dict, prefix: str = "") -> list[str]:
    schema = _resolve(schema, document)
    found = []
    for name, field in schema.get("properties", {}).items():
        field = _resolve(field, document)
        items = _resolve(field.get("items", {}), document)
        path = f"{prefix}{name}"
        if _names_an_id(name) or _is_row_id(field) or _is_row_id(items):
            found.append(path)
        if isinstance(field.get("additionalProperties"), dict):
            found.append(f"{path}{{}}")  # a map: its keys are ids (the schema cannot say so)
        if "properties" in field:
            found += _schema_ids(field, document, f"{path}.")
        if "properties" in items:
            found += _schema_ids(items, document, f"{path}[].")
    return found


def api_id_fields(document: dict) -> set[str]:
    """Every request-body and query field of the OpenAPI document that carries an id."""
    found = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and (
                        _names_an_id(parameter["name"]) or _is_row_id(parameter.get("schema", {}))):
                    found.add(f"{where} {parameter['name']}")
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found |= {f"{where} {field}" for field in _schema_ids(content["schema"], document)}
    return found


def form_classes() -> list[type]:
    """Every FlaskForm class defined in a module under college/."""
    classes = []
    for module_info in pkgutil.walk_packages(college.__path__, "college."):
        module = importlib.import_module(module_info.name)
        classes += [value for value in vars(module).values()
                    if isinstance(value, type) and issubclass(value, FlaskForm)
                    and value.__module__ == module.__name__]
    return classes


def _carries_id(name: str, unbound: UnboundField) -> bool:
    if _names_an_id(name):
        return True
    if issubclass(unbound.field_class, SelectFieldBase):
        # A select of rows: coerced to an id, or its choices are filled from the database.
        return unbound.kwargs.get("coerce") is int or not unbound.kwargs.get("choices")
    return False


def _form_inputs(form_class: type, prefix: str = "") -> list[str]:
    found = [f"{prefix}{name}<id>" for name in getattr(form_class, "id_keyed_inputs", ())]
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        if issubclass(unbound.field_class, FieldList):
            row = unbound.args[0]
            if issubclass(row.field_class, FormField):
                found += _form_inputs(row.args[0], f"{prefix}{name}-N-")
            elif _carries_id(name, row):
                found.append(f"{prefix}{name}-N")
        elif issubclass(unbound.field_class, FormField):
            found += _form_inputs(unbound.args[0], f"{prefix}{name}-")
        elif _carries_id(name, unbound):
            found.append(f"{prefix}{name}")
    return found


def form_id_fields() -> set[str]:
    """Every id-bearing input of every form class under college/."""
    classes = form_classes()
    names = [form_class.__name__ for form_class in classes]
    assert len(names) == len(set(names)), "two form classes share a name: key FORM_FIELDS by module"
    return {f"{form_class.__name__}.{name}" for form_class in classes
            for name in _form_inputs(form_class)}


def test_every_id_in_a_request_is_in_the_table(client):
    document = client.get("/api/v1/openapi.json").get_json()
    every = api_id_fields(document) | form_id_fields()
    assert (SHARED_IDS | NOT_IDS) - every == set(), "these SHARED_IDS/NOT_IDS match nothing any more"
    found = api_id_fields(document) - SHARED_IDS - NOT_IDS
    assert found - set(API_FIELDS) == set(), "add these fields to API_FIELDS"
    assert set(API_FIELDS) - found == set(), "these API_FIELDS rows match no field any more"
    found = form_id_fields() - SHARED_IDS
    assert found - set(FORM_FIELDS) == set(), "add these form inputs to FORM_FIELDS"
    assert set(FORM_FIELDS) - found == set(), "these FORM_FIELDS rows match no input any more"


def test_the_walk_finds_what_it_must():
    """The finders themselves: an id in a nested body, a map, a select of people, a row id."""
    document = {"components": {"schemas": {"Row": {"properties": {
        "learner": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "note": {"type": "string"}}}}},
        "paths": {"/x": {"post": {
            "parameters": [{"in": "query", "name": "course_id"}, {"in": "query", "name": "q"}],
            "requestBody": {"content": {"application/json": {"schema": {"properties": {
                "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
                "picks": {"type": "object", "additionalProperties": {"type": "array"}},
                "trainer_ids": {"type": "array", "items": {"type": "integer"}}}}}}}}}}}
    assert api_id_fields(document) == {"POST /x course_id", "POST /x rows[].learner",
                                       "POST /x picks{}", "POST /x trainer_ids"}
    assert "EnrolOnBehalfForm.managed_learner" in form_id_fields()
    named = _NAMED_IN_TEMPLATE.findall(
        '<input name="{{ question_id }}"><input name="{{ item.key }}"><input name="was-{{ learner.id }}">')
    assert [(name, _an_id_expression(variable)) for name, _expression, variable in named] == [
        ("", True), ("", False), ("was-", True)]


_NAMED_IN_TEMPLATE = re.compile(r'name="([A-Za-z_-]*)(\{\{\s*([A-Za-z_.]*))?')


def _an_id_expression(variable: str) -> bool:
    """`{{ question_id }}` or `{{ learner.id }}`, not `{{ item.key }}`."""
    return _names_an_id(variable) or variable.endswith(".id")


def test_templates_send_ids_only_through_the_walked_forms():
    """A hand-written input that carries an id (`question_id`, `status-{{ learner.id }}`,
    `{{ question_id }}`) must be an input of a form class, so the walk above sees it."""
    declared = {name.split(".", 1)[1] for name in form_id_fields()}
    missing = set()
    for template in (ROOT / "templates").rglob("*.html"):
        for name, expression, variable in _NAMED_IN_TEMPLATE.findall(template.read_text()):
            if expression and (name or _an_id_expression(variable)):
                name = f"{name}<id>"
            elif not _names_an_id(name):
                continue
            if name not in declared:
                missing.add(f"{template.relative_to(ROOT)}: {name}")
    assert missing == set(), "read these inputs through a form class (id_keyed_inputs for names)"


_READ_BY_HAND = re.compile(r"request\.(?:form|args)\.(?:get|getlist)\(\s*[\"']([a-z_]+)[\"']")


def test_views_read_no_id_from_the_request_by_hand():
    """Ids reach the views through form classes only, never request.form or request.args."""
    read = {(path.relative_to(ROOT), name) for path in (ROOT / "college").rglob("*.py")
            for name in _READ_BY_HAND.findall(path.read_text()) if _names_an_id(name)}
    assert read == set()


# --- sending them --------------------------------------------------------------------------


def _probes(table: dict) -> list[tuple[str, int]]:
    return [(name, index) for name, fields in table.items()
            for index in range(len(fields) if isinstance(fields, tuple) else 1)]


def _field(table: dict, name: str, index: int) -> IdField:
    fields = table[name]
    return fields[index] if isinstance(fields, tuple) else fields


def _sender(world: World, who: str) -> User:
    return {"coordinator": world.a.coordinator, "trainer": world.a.trainer,
            "learner": world.a.learner, "former learner": db.session.get(User, world.a.former_id)}[who]


def _people_of(hub: Hub) -> list[str]:
    """Whatever would name a person of the hub: names and email addresses."""
    people = [hub.coordinator, hub.trainer, hub.learner, db.session.get(User, hub.managed_id),
              db.session.get(User, hub.former_id)]
    return [text for person in people for text in (person.name, person.email) if text]


def _api_answer(response) -> tuple[int, dict]:
    body = response.get_json(force=True, silent=True) or {}
    return response.status_code, {key: body.get(key) for key in ("title", "detail", "errors")}


def _page_answer(client, response) -> tuple[int, list[str]]:
    """The status and what the page says about the request: headings, alerts, errors, flashes."""
    location = response.headers.get("Location")
    html = (client.get(location) if location else response).get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    said = soup.select("h1, [role=alert], .error-summary li, .field-error, p.flash")
    return response.status_code, [element.get_text(" ", strip=True) for element in said]


class Sender:
    """Sends a field's request as its member of organiser A, through the API or a page."""

    def __init__(self, app, world: World, surface: str, field: IdField):
        self.world, self.surface, self.field = world, surface, field
        self.client = app.test_client()
        user = _sender(world, field.who)
        if surface == "api":
            self.headers = bearer_for(user)
        else:
            Auth(self.client).login_as(user)
            self.token = csrf_token(self.client, "/")

    def send(self, object_id: int):
        """The response, what it answers (to compare) and all the text it shows."""
        method, path, data = self.field.request(self.world, object_id)
        if self.surface == "api":
            response = self.client.open(path, method=method, json=data, headers=self.headers)
            return response, _api_answer(response), response.get_data(as_text=True)
        response = self.client.open(path, method=method, data={**data, "csrf_token": self.token})
        answer = _page_answer(self.client, response)
        return response, answer, response.get_data(as_text=True) + " ".join(answer[1])


def _rows() -> dict[str, list]:
    """Every row of every table but the access log (a refused page that shows the roster again
    logs that it was seen); the log is checked for organiser B's people instead."""
    rows = snapshot()
    del rows[PersonalDataAccess.__tablename__]
    return rows


def _seen_of(hub: Hub) -> list[int]:
    """Access-log lines about the hub's people: what staff of another organiser saw of them."""
    ids = [hub.coordinator.id, hub.trainer.id, hub.learner.id, hub.managed_id, hub.former_id]
    return list(db.session.scalars(
        select(PersonalDataAccess.learner_id).where(PersonalDataAccess.learner_id.in_(ids))))


def _without(answer, object_id: int) -> str:
    """The answer with the id it was sent replaced, to compare it with another id's answer."""
    return re.sub(rf"\b{object_id}\b", "<id>", repr(answer))


@pytest.mark.parametrize("surface, name, index", [
    *(("api", name, index) for name, index in _probes(API_FIELDS)),
    *(("page", name, index) for name, index in _probes(FORM_FIELDS)),
])
def test_another_organisers_id_is_refused_changes_nothing_and_names_nobody(
        app, make, surface, name, index):
    field = _field(API_FIELDS if surface == "api" else FORM_FIELDS, name, index)
    world = World(make)
    sender = Sender(app, world, surface, field)
    theirs = field.pick(world.b)

    before = _rows()
    response, answer, shown = sender.send(theirs)
    assert response.status_code >= 400, f"{field.names} of organiser B was accepted: {shown[:300]}"
    assert _rows() == before, f"{field.names} of organiser B changed something"
    named = [text for text in _people_of(world.b) if text in shown]
    assert named == [], f"the refusal names someone of organiser B: {named}"
    assert _seen_of(world.b) == [], "the refusal showed organiser B's people to A's staff"

    _, missing_answer, _ = sender.send(MISSING)
    assert _rows() == before
    if field.like_missing:
        assert _without(answer, theirs) == _without(missing_answer, MISSING), (
            "organiser B's object answers otherwise than an id that belongs to nothing")

    response, _, shown = sender.send(field.pick(world.a))
    if field.own_accepted:
        assert response.status_code < 400, f"A's own {field.names} is refused: {shown[:500]}"
    else:
        assert response.status_code >= 400
