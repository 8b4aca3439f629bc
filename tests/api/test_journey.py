"""The whole journey through the API alone: from a new course to a verified certificate.

Only the first coordinator is made directly (as `flask college create-coordinator` would); every
other step is an API call, and a real RQ worker renders the certificates.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import time_machine

from college import timeutil
from college.completion.tasks import complete_finished_editions
from tests.certificates.helpers import pdf_text
from tests.conftest import PASSWORD, run_worker

LEARNER_PASSWORD = "een lange zin voor de cursus"


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def _token(client, email: str, password: str) -> dict[str, str]:
    body = _ok(client.post("/api/v1/auth/tokens", json={"email": email, "password": password}), 201)
    return {"Authorization": f"Bearer {body['token']}"}


def test_from_a_new_course_to_a_verified_certificate(app, client, make):
    hub = make.organiser(name="Mantelzorghub Leiestreek")
    coordinator = _token(client, make.coordinator(hub).email, PASSWORD)

    # The coordinator creates a trainer, a course with a module and a quiz, an edition, sessions.
    trainer_id = _ok(client.post("/api/v1/users", headers=coordinator, json={
        "name": "Lies Trainer", "email": "lies@example.be", "roles": ["trainer"],
        "password": "lesgeven in Deinze",
    }), 201)["id"]
    trainer = _token(client, "lies@example.be", "lesgeven in Deinze")
    # A new trainer agrees to the privacy notice before anything else (learners do so when
    # they register).
    version = _ok(client.get("/api/v1/privacy-notice"))["version"]
    _ok(client.post("/api/v1/me/privacy-consent", headers=trainer, json={"version": version}))
    course = _ok(client.post("/api/v1/courses", headers=coordinator, json={
        "title": "Omgaan met dementie", "tracks": ["caregivers"], "hours": 6, "published": True,
        "completion": {"min_attendance_pct": 100, "modules_required": True, "quiz_pass_pct": 70},
    }), 201)
    quiz = _ok(client.put(f"/api/v1/courses/{course['id']}/quiz", headers=coordinator, json={
        "pass_pct": 70, "max_attempts": 3, "questions": [
            {"text": "Wat is respijtzorg?", "kind": "single", "choices": [
                {"text": "Tijdelijke overname van de zorg", "correct": True},
                {"text": "Een ziekenhuisopname", "correct": False}]},
            {"text": "Mantelzorgers zijn altijd familie.", "kind": "true_false", "choices": [
                {"text": "Juist", "correct": False}, {"text": "Fout", "correct": True}]},
        ]}))
    correct = {str(q["id"]): [c["id"] for c in q["choices"] if c["correct"]] for q in quiz["questions"]}
    module = _ok(client.post(f"/api/v1/courses/{course['id']}/modules", headers=coordinator, json={
        "title": "Wat is dementie?", "body_markdown": "Dementie is **meer** dan vergeten.", "minutes": 20,
    }), 201)
    first_day = timeutil.today() + timedelta(days=7)
    edition = _ok(client.post(f"/api/v1/courses/{course['id']}/editions", headers=coordinator, json={
        "place": "Deinze", "venue": "Dienstencentrum De Vlinder", "capacity": 12,
        "starts_on": first_day.isoformat(), "ends_on": (first_day + timedelta(days=7)).isoformat(),
        "trainer_ids": [trainer_id],
    }), 201)
    sessions = [
        _ok(client.post(f"/api/v1/editions/{edition['id']}/sessions", headers=coordinator, json={
            "starts_at": timeutil.brussels(day, time(14)).isoformat(),
            "ends_at": timeutil.brussels(day, time(16)).isoformat(), "room": "Zaal 1",
        }), 201)
        for day in (first_day, first_day + timedelta(days=7))
    ]

    # Two caregivers register and enrol.
    learners = {}
    for name, email in (("Maria Peeters", "maria@example.be"), ("Jan Claes", "jan@example.be")):
        _ok(client.post("/api/v1/register", json={
            "email": email, "password": LEARNER_PASSWORD, "name": name, "kind": "caregiver", "consent": True,
        }), 202)
        learners[name] = headers = _token(client, email, LEARNER_PASSWORD)
        assert _ok(client.post(f"/api/v1/editions/{edition['id']}/enrolments", headers=headers, json={}),
                   201)["status"] == "enrolled"

    # The trainer records that both came to both sessions, in the room (not days ahead: the
    # API refuses that, as the page does).
    roster = _ok(client.get(f"/api/v1/sessions/{sessions[0]['id']}/attendance", headers=trainer))
    records = [{"user_id": line["user_id"], "status": "present"} for line in roster["learners"]]
    assert len(records) == 2
    early = client.put(f"/api/v1/sessions/{sessions[0]['id']}/attendance", headers=trainer,
                       json={"records": records})
    assert early.status_code == 409, early.get_data(as_text=True)
    for session in sessions:
        with time_machine.travel(datetime.fromisoformat(session["starts_at"]), tick=False):
            _ok(client.put(f"/api/v1/sessions/{session['id']}/attendance", headers=trainer,
                           json={"records": records}))

    # Each learner reads the module, marks it done, and passes the quiz.
    for headers in learners.values():
        [shown] = _ok(client.get(f"/api/v1/courses/{course['id']}/modules", headers=headers))["items"]
        assert shown["id"] == module["id"] and "<strong>meer</strong>" in shown["html"]
        _ok(client.post(f"/api/v1/modules/{module['id']}/completion", headers=headers))
        attempt = _ok(client.post(f"/api/v1/courses/{course['id']}/quiz/attempts", headers=headers), 201)
        _ok(client.put(f"/api/v1/attempts/{attempt['id']}/answers", headers=headers,
                       json={"answers": {str(q["id"]): correct[str(q["id"])] for q in attempt["questions"]}}))
        result = _ok(client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers))
        assert (result["score_pct"], result["passed"]) == (100.0, True)

    # Everything is done, but the training is not over until its last session has ended.
    assert _ok(client.get("/api/v1/me/certificates", headers=learners["Maria Peeters"]))["items"] == []
    with time_machine.travel(datetime.fromisoformat(sessions[-1]["ends_at"]), tick=False):
        assert complete_finished_editions() == 2  # the worker's periodic job
    assert [c["status"] for c in _ok(client.get("/api/v1/me/certificates",
                                                headers=learners["Maria Peeters"]))["items"]] == ["preparing"]
    # A real worker renders the certificates; the learner downloads hers and anyone verifies it.
    run_worker(app)
    for name, headers in learners.items():
        [certificate] = _ok(client.get("/api/v1/me/certificates", headers=headers))["items"]
        assert (certificate["status"], certificate["course_title"]) == ("issued", "Omgaan met dementie")
        assert certificate["edition_id"] == edition["id"]
        pdf = client.get(f"/api/v1/certificates/{certificate['id']}/pdf", headers=headers)
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        text = pdf_text(pdf.data)
        assert name in text and "Omgaan met dementie" in text
        assert certificate["verification_code"] in text.replace(" ", "").replace("-", "")
        verified = _ok(client.get(f"/api/v1/verify/{certificate['verification_code']}"))
        assert verified["valid"] is True and verified["revoked"] is False
        assert (verified["learner_name"], verified["course_title"], verified["hours"]) == (
            name, "Omgaan met dementie", 6.0)
        assert verified["issued_on"] == timeutil.today().isoformat()
