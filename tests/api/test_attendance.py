"""Attendance through the API: the roster, and recording through the attendance service."""

from __future__ import annotations

from sqlalchemy import func, select

from college.attendance.models import (
    Attendance,
    AttendanceChange,
    AttendanceSource,
    AttendanceStatus,
)
from college.catalogue.models import TrainingSession
from college.extensions import db
from tests.api.conftest import assert_problem


def _setup(make, clock):
    hub = make.organiser()
    trainer = make.trainer(hub)
    edition = make.edition(make.course(hub), trainers=[trainer], sessions=1)
    an, bert = make.learner(name="An"), make.learner(name="Bert")
    make.enrolment(an, edition)
    make.enrolment(bert, edition)
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.edition_id == edition.id))
    clock.move_to(session.starts_at)  # in the room
    return hub, trainer, an, bert, session.id


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_trainer_records_attendance_and_sees_the_roster(client, make, bearer, clock):
    hub, trainer, an, bert, session_id = _setup(make, clock)
    headers = bearer(trainer)
    url = f"/api/v1/sessions/{session_id}/attendance"
    roster = client.get(url, headers=headers).get_json()
    assert [(line["name"], line["status"]) for line in roster["learners"]] == [("An", None), ("Bert", None)]

    response = client.put(url, json={"records": [{"user_id": an.id, "status": "present"},
                                                 {"user_id": bert.id, "status": "excused"}]}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    lines = {line["user_id"]: line for line in response.get_json()["learners"]}
    assert (lines[an.id]["status"], lines[an.id]["source"]) == ("present", "api")
    assert lines[bert.id]["status"] == "excused" and lines[bert.id]["recorded_at"]
    rows = db.session.scalars(select(Attendance).order_by(Attendance.learner_id)).all()
    assert [(r.learner_id, r.status, r.source, r.recorded_by_id) for r in rows] == [
        (an.id, AttendanceStatus.PRESENT, AttendanceSource.API, trainer.id),
        (bert.id, AttendanceStatus.EXCUSED, AttendanceSource.API, trainer.id),
    ]
    assert _count(AttendanceChange) == 2


def test_bad_attendance_changes_nothing(client, make, bearer, clock):
    hub, trainer, an, bert, session_id = _setup(make, clock)
    url = f"/api/v1/sessions/{session_id}/attendance"
    headers = bearer(trainer)
    stranger = make.learner(name="Chris")
    body = assert_problem(client.put(url, json={"records": [{"user_id": an.id, "status": "present"},
                                                            {"user_id": stranger.id, "status": "present"}]},
                                     headers=headers), 422)
    # Chris never dealt with the organiser: the refusal shows the number sent, not his name.
    assert f"not marked: {stranger.id}." in body["detail"] and "Nothing was saved" in body["detail"]
    assert "Chris" not in body["detail"]
    body = assert_problem(client.put(url, json={"records": [{"user_id": an.id, "status": "asleep"}]},
                                     headers=headers), 422)
    assert "records" in body["errors"]
    assert_problem(client.put(url, json={"records": []}, headers=headers), 422)
    assert_problem(client.put(url, json={"records": [{"user_id": an.id, "status": "present"}]},
                              headers=bearer(an)), 403)
    other_trainer = make.trainer(hub)
    assert_problem(client.get(url, headers=bearer(other_trainer)), 403)
    assert_problem(client.put("/api/v1/sessions/999999/attendance",
                              json={"records": [{"user_id": an.id, "status": "present"}]}, headers=headers), 404)
    assert _count(Attendance) == 0 and _count(AttendanceChange) == 0
