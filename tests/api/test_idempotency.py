"""Idempotency-Key: a create request sent again with its key answers the first one's resource."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import User
from college.accreditation.models import CourseAccreditation, Scheme
from college.accreditation.services import add_scheme
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment.models import Enrolment, EnrolmentQuestion
from college.extensions import db
from college.learning.models import Attempt, Module
from tests.api.conftest import assert_problem, bearer_for
from tests.conftest import at_once

KEY = "6f1c0a52-3b4e-4a8e-9d61-2f0c9e7b1a55"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def resource(response) -> dict:
    """The answer's resource, its moments compared as moments (an offset is only notation)."""

    def moment(value):
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) and "T" in value else None
        except ValueError:
            parsed = None
        return parsed if parsed is not None and parsed.tzinfo else value

    return {name: moment(value) for name, value in response.get_json().items()}


@dataclass
class Create:
    """A create operation as one caller sends it."""

    url: str
    body: dict | None
    headers: dict
    model: type
    #: The same operation with other values.
    other_body: dict | None = None


def _hub(make):
    hub = make.organiser()
    course = make.course(hub)
    trainer = make.trainer(hub)
    edition = make.edition(course, trainers=[trainer])
    return hub, course, trainer, edition


def _course(make) -> Create:
    hub, *_ = _hub(make)
    body = {"title": "Tillen en verplaatsen", "tracks": ["caregivers"], "hours": 3}
    return Create("/api/v1/courses", body, bearer_for(make.coordinator(hub)), Course,
                  {**body, "hours": 4})


def _edition(make) -> Create:
    hub, course, *_ = _hub(make)
    body = {"place": "Deinze", "capacity": 12,
            "starts_on": (timeutil.today() + timedelta(days=30)).isoformat()}
    return Create(f"/api/v1/courses/{course.id}/editions", body,
                  bearer_for(make.coordinator(hub)), Edition, {**body, "capacity": 14})


def _session(make) -> Create:
    hub, _course, _trainer, edition = _hub(make)
    day = edition.starts_on.isoformat()
    body = {"starts_at": f"{day}T14:00:00+01:00", "ends_at": f"{day}T16:00:00+01:00"}
    return Create(f"/api/v1/editions/{edition.id}/sessions", body,
                  bearer_for(make.coordinator(hub)), TrainingSession,
                  {**body, "room": "Zaal 2"})


def _user(make) -> Create:
    hub, *_ = _hub(make)
    body = {"name": "Jeanne Claes", "roles": ["learner"], "kind": "caregiver"}
    return Create("/api/v1/users", body, bearer_for(make.coordinator(hub)), User,
                  {**body, "name": "Jan Claes"})


def _enrolment(make) -> Create:
    _hub_, _course, _trainer, edition = _hub(make)
    return Create(f"/api/v1/editions/{edition.id}/enrolments", {}, bearer_for(make.learner()),
                  Enrolment)


def _module(make) -> Create:
    _hub_, course, trainer, _edition = _hub(make)
    body = {"title": "Wat is dementie?", "body_markdown": "Meer dan **vergeten**."}
    return Create(f"/api/v1/courses/{course.id}/modules", body, bearer_for(trainer), Module,
                  {**body, "title": "Wat is respijtzorg?"})


def _attempt(make, client) -> Create:
    _hub_, course, trainer, edition = _hub(make)
    learner = make.learner()
    make.enrolment(learner, edition)
    quiz = {"pass_pct": 70, "questions": [{"text": "Wat is respijtzorg?", "kind": "single", "choices": [
        {"text": "Tijdelijke overname", "correct": True}, {"text": "Een premie", "correct": False}]}]}
    assert client.put(f"/api/v1/courses/{course.id}/quiz", json=quiz,
                      headers=bearer_for(trainer)).status_code == 200
    return Create(f"/api/v1/courses/{course.id}/quiz/attempts", None, bearer_for(learner), Attempt)


def _referral(make) -> Create:
    from college.accounts.models import Kind
    from college.referrals.models import Referral

    hub, *_ = _hub(make)
    body = {"caregiver_name": "Rosa Van Hove", "phone": "09 386 44 21", "needs": ["training"],
            "source": "pharmacy", "consent": True}
    return Create(f"/api/v1/organisers/{hub.id}/referrals", body,
                  bearer_for(make.learner(kind=Kind.PROFESSIONAL)), Referral,
                  {**body, "source": "gp"})


OPERATIONS: dict[str, Callable] = {
    "course": lambda make, client: _course(make),
    "edition": lambda make, client: _edition(make),
    "session": lambda make, client: _session(make),
    "user": lambda make, client: _user(make),
    "enrolment": lambda make, client: _enrolment(make),
    "module": lambda make, client: _module(make),
    "quiz attempt": _attempt,
    "referral": lambda make, client: _referral(make),
}


def _scheme(make) -> Create:
    body = {"code": "nurses", "name": "Permanente vorming verpleegkundigen", "unit": "hours"}
    return Create("/api/v1/accreditation-schemes", body, bearer_for(make.coordinator(make.organiser())),
                  Scheme, {**body, "name": "Verpleegkundigen"})


def _accreditation(make) -> Create:
    hub, course, _trainer, _edition = _hub(make)
    scheme = add_scheme(None, "nurses", "Permanente vorming verpleegkundigen")
    db.session.commit()
    body = {"scheme_id": scheme.id, "points": 4, "number": "PV-2026-0412"}
    return Create(f"/api/v1/courses/{course.id}/accreditations", body,
                  bearer_for(make.coordinator(hub)), CourseAccreditation, {**body, "points": 3})


OPERATIONS.update({
    "accreditation scheme": lambda make, client: _scheme(make),
    "course accreditation": lambda make, client: _accreditation(make),
})


def _burden_instrument(make) -> Create:
    from college.evaluation.models import BurdenInstrument

    hub = make.organiser()
    body = {"name": "Eigen schaal", "scale_min": 0, "scale_max": 4, "items": [{"text": "Ik voel me moe"}]}
    return Create(f"/api/v1/organisers/{hub.id}/burden-instruments", body,
                  bearer_for(make.coordinator(hub)), BurdenInstrument, {**body, "name": "Andere schaal"})


OPERATIONS["burden instrument"] = lambda make, client: _burden_instrument(make)


def _paper_evaluation(make) -> Create:
    """A trainer types in one paper form of an edition three learners attended."""
    from college.attendance.models import Attendance, AttendanceSource, AttendanceStatus
    from college.evaluation.models import EvaluationResponse
    from college.evaluation.services import paper_edition

    _hub_, _course, trainer, edition = _hub(make)
    session = make.session(edition)
    for _number in range(3):
        learner = make.learner()
        make.enrolment(learner, edition)
        db.session.add(Attendance(session_id=session.id, learner_id=learner.id,
                                  source=AttendanceSource.ROSTER, status=AttendanceStatus.PRESENT))
    _edition, versions = paper_edition(trainer, edition.id)
    db.session.commit()
    body = {"answers": {f"{versions[0].id}-q1": 4}}
    return Create(f"/api/v1/editions/{edition.id}/paper-evaluations", body, bearer_for(trainer),
                  EvaluationResponse, {"answers": {f"{versions[0].id}-q1": 2}})


OPERATIONS["paper evaluation"] = lambda make, client: _paper_evaluation(make)


def _enrolment_question(make) -> Create:
    hub, course, *_ = _hub(make)
    body = {"kind": "text", "text": "Dieetwensen?", "why": "Voor de lunch."}
    return Create(f"/api/v1/courses/{course.id}/questions", body,
                  bearer_for(make.coordinator(hub)), EnrolmentQuestion,
                  {**body, "text": "Allergieën?"})


OPERATIONS.update({"enrolment question": lambda make, client: _enrolment_question(make)})


def _respite(make) -> Create:
    from college.regions.models import Municipality
    from college.respite.models import RespiteRequest

    hub, course, _trainer, edition = _hub(make)
    course.offers_respite = True
    make.session(edition)
    gent = Municipality(nis_code="44021", name="Gent", postcodes="9000")
    db.session.add(gent)
    db.session.commit()
    learner = make.learner()
    enrolment = make.enrolment(learner, edition)
    body = {"kind": "company", "municipality_id": gent.id, "address": "Kerkstraat 1",
            "consent": True}
    return Create(f"/api/v1/enrolments/{enrolment.id}/respite", body, bearer_for(learner),
                  RespiteRequest, {**body, "address": "Kerkstraat 2"})


def _respite_partner(make) -> Create:
    from college.respite.models import RespitePartner

    hub = make.organiser()
    body = {"name": "Oppasdienst", "email": "oppas@example.be", "kinds": ["company"]}
    return Create(f"/api/v1/organisers/{hub.id}/respite-partners", body,
                  bearer_for(make.coordinator(hub)), RespitePartner, {**body, "name": "Andere"})


OPERATIONS.update({"respite": lambda make, client: _respite(make),
                   "respite partner": lambda make, client: _respite_partner(make)})


def _design_restore(make) -> Create:
    """Restoring version 1 of a design saves it as a new version: a retry saves no third."""
    from college.certificates.design_services import save_design
    from college.certificates.models import CertificateDesign

    hub = make.organiser()
    coordinator = make.coordinator(hub)
    for layout in ("classic", "modern"):
        save_design(coordinator, hub, {"layout": layout, "primary_colour": "#1b4f72",
                                       "accent_colour": "#a4431e"}, None)
    db.session.commit()
    return Create(f"/api/v1/organisers/{hub.id}/certificate-design/versions/1/restore", None,
                  bearer_for(coordinator), CertificateDesign)


OPERATIONS["certificate design restore"] = lambda make, client: _design_restore(make)


def post(client, create: Create, key: str | None = KEY, body: dict | None = None, url: str | None = None):
    headers = {**create.headers, **({"Idempotency-Key": key} if key is not None else {})}
    return client.post(url or create.url, json=body if body is not None else create.body,
                       headers=headers)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_retry_with_the_key_answers_the_first_resource_and_creates_nothing(
        client, make, operation):
    create = OPERATIONS[operation](make, client)
    before = count(create.model)

    first = post(client, create)
    retry = post(client, create)

    assert first.status_code == 201, first.get_data(as_text=True)
    assert "Idempotent-Replayed" not in first.headers
    assert retry.status_code == 201, retry.get_data(as_text=True)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert resource(retry) == resource(first)
    assert count(create.model) == before + 1


@pytest.mark.parametrize("operation", ["course", "session", "enrolment"])
def test_without_a_key_every_request_is_new(client, make, operation):
    create = OPERATIONS[operation](make, client)
    before = count(create.model)
    first, second = post(client, create, key=None), post(client, create, key=None)
    assert first.status_code == 201 and "Idempotent-Replayed" not in second.headers
    # Another course and session; the learner's second enrolment is refused as before.
    assert second.status_code == (409 if operation == "enrolment" else 201)
    assert count(create.model) == before + (1 if operation == "enrolment" else 2)


def test_a_key_reused_for_another_path_is_refused(client, make):
    session = _session(make)
    assert post(client, session).status_code == 201
    edition = db.session.get(Edition, int(session.url.split("/")[4]))
    other_edition = make.edition(db.session.get(Course, edition.course_id))
    other_url = f"/api/v1/editions/{other_edition.id}/sessions"
    body = {key: value.replace(session.body["starts_at"][:10], other_edition.starts_on.isoformat())
            for key, value in session.body.items()}

    refused = post(client, session, body=body, url=other_url)

    problem = assert_problem(refused, 422)
    assert problem["errors"] == {"Idempotency-Key": ["This key was already used for another request."]}
    assert count(TrainingSession) == 1


@pytest.mark.parametrize("operation", ["course", "edition", "session", "user", "module"])
def test_a_key_reused_with_other_values_is_refused(client, make, operation):
    create = OPERATIONS[operation](make, client)
    before = count(create.model)
    assert post(client, create).status_code == 201

    problem = assert_problem(post(client, create, body=create.other_body), 422)

    assert problem["errors"] == {
        "Idempotency-Key": ["This key was already used for a request with other values."]}
    assert count(create.model) == before + 1


def test_keys_belong_to_their_user(client, make):
    hub = make.organiser()
    body = {"title": "Tillen en verplaatsen", "tracks": ["caregivers"], "hours": 3}
    for coordinator in (make.coordinator(hub), make.coordinator(hub)):
        response = client.post("/api/v1/courses", json=body,
                               headers={**bearer_for(coordinator), "Idempotency-Key": KEY})
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert count(Course) == 2


@pytest.mark.parametrize("key", ["", "x" * 201, "sleutel\tmet tab", "clé"])
def test_a_malformed_key_is_refused_before_anything_happens(client, make, key):
    create = _course(make)
    before = count(Course)
    problem = assert_problem(post(client, create, key=key), 422)
    assert list(problem["errors"]) == ["Idempotency-Key"]
    assert count(Course) == before


def test_the_longest_key_is_fine(client, make):
    create = _course(make)
    key = "k" * 200
    assert post(client, create, key=key).status_code == 201
    assert post(client, create, key=key).headers["Idempotent-Replayed"] == "true"


def test_a_refused_request_does_not_use_up_its_key(client, make):
    create = _session(make)
    wrong = {**create.body, "ends_at": create.body["starts_at"]}
    assert_problem(post(client, create, body=wrong), 422)

    corrected = post(client, create)

    assert corrected.status_code == 201 and "Idempotent-Replayed" not in corrected.headers
    assert count(TrainingSession) == 1


def test_a_retry_after_its_result_was_deleted_is_a_conflict(client, make):
    create = _session(make)
    created = post(client, create).get_json()
    db.session.delete(db.session.get(TrainingSession, created["id"]))
    db.session.commit()

    problem = assert_problem(post(client, create), 409)

    assert "no longer exists" in problem["detail"]
    assert count(TrainingSession) == 0


def test_two_retries_at_the_same_moment_create_one_session(client, make):
    """On PostgreSQL the second request waits on the key's unique index, then answers the first."""
    create = _session(make)

    responses = at_once(lambda: post(client, create), lambda: post(client, create))

    assert [r.status_code for r in responses] == [201, 201]
    assert sorted(r.headers.get("Idempotent-Replayed", "no") for r in responses) == ["no", "true"]
    assert resource(responses[0]) == resource(responses[1])
    assert count(TrainingSession) == 1


def test_the_header_is_documented_on_every_create_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    creating = {
        f"POST {path}" for path, operations in document["paths"].items()
        if any(p["name"] == "Idempotency-Key" for p in operations.get("post", {}).get("parameters", []))
    }
    assert creating == {
        "POST /api/v1/courses", "POST /api/v1/courses/{course_id}/editions",
        "POST /api/v1/editions/{edition_id}/sessions", "POST /api/v1/users",
        "POST /api/v1/editions/{edition_id}/enrolments", "POST /api/v1/courses/{course_id}/modules",
        "POST /api/v1/courses/{course_id}/quiz/attempts", "POST /api/v1/editions/{edition_id}/copies",
        "POST /api/v1/editions/{edition_id}/sessions/series", "POST /api/v1/courses/{course_id}/images",
        "POST /api/v1/accreditation-schemes", "POST /api/v1/courses/{course_id}/accreditations",
        "POST /api/v1/organisers/{organiser_id}/burden-instruments",
        "POST /api/v1/editions/{edition_id}/paper-evaluations",
        "POST /api/v1/courses/{course_id}/questions",
        "POST /api/v1/organisers/{organiser_id}/referrals",
        "POST /api/v1/enrolments/{enrolment_id}/respite",
        "POST /api/v1/organisers/{organiser_id}/respite-partners",
        "POST /api/v1/organisers/{organiser_id}/certificate-design/versions/{number}/restore",
    }
    header = next(p for p in document["paths"]["/api/v1/courses"]["post"]["parameters"]
                  if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and header["required"] is False
    assert header["schema"]["maxLength"] == 200
    assert "Idempotent-Replayed: true" in header["description"]
