"""Enrolments through the API, calling the enrolment service: seats, waiting list, cancelling."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select

from college.accounts.models import Kind
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from tests.api.conftest import assert_problem


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Enrolment))


def test_learner_enrols_then_waits_when_full(client, make, bearer):
    edition = make.edition(capacity=1)
    first, second = make.learner(), make.learner()
    response = client.post(f"/api/v1/editions/{edition.id}/enrolments", headers=bearer(first))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["status"], body["waitlist_position"], body["user_id"]) == ("enrolled", None, first.id)
    body = client.post(f"/api/v1/editions/{edition.id}/enrolments", json={}, headers=bearer(second)).get_json()
    assert (body["status"], body["waitlist_position"]) == ("waitlisted", 1)
    assert client.get(f"/api/v1/editions/{edition.id}").get_json()["waitlist_length"] == 1


def test_double_enrolment_is_409_and_changes_nothing(client, make, bearer):
    edition = make.edition()
    learner = make.learner()
    headers = bearer(learner)
    assert client.post(f"/api/v1/editions/{edition.id}/enrolments", headers=headers).status_code == 201
    body = assert_problem(client.post(f"/api/v1/editions/{edition.id}/enrolments", headers=headers), 409)
    assert "already enrolled" in body["detail"]
    assert _count() == 1


def test_bad_enrolments_change_nothing(client, make, bearer):
    hub = make.organiser()
    edition = make.edition(make.course(hub))
    professional_only = make.edition(make.course(hub, open_to_caregivers=False, open_to_professionals=True))
    learner = make.learner(kind=Kind.CAREGIVER)
    url = f"/api/v1/editions/{edition.id}/enrolments"
    assert_problem(client.post(url), 401)
    assert_problem(client.post("/api/v1/editions/999999/enrolments", headers=bearer(learner)), 404)
    body = assert_problem(client.post(f"/api/v1/editions/{professional_only.id}/enrolments", headers=bearer(learner)), 403)
    assert "only for care professionals" in body["detail"]
    body = assert_problem(client.post(url, json={"user_id": "abc"}, headers=bearer(learner)), 422)
    assert list(body["errors"]) == ["user_id"]
    # A learner cannot enrol someone else; a coordinator of another organiser cannot either.
    assert_problem(client.post(url, json={"user_id": make.learner().id}, headers=bearer(learner)), 403)
    other_coordinator = bearer(make.coordinator(make.organiser()))
    assert_problem(client.post(url, json={"user_id": learner.id}, headers=other_coordinator), 403)
    assert_problem(client.post(url, json={"user_id": 999999}, headers=bearer(make.coordinator(hub))), 404)
    assert _count() == 0


def test_trainer_of_the_edition_enrols_a_managed_learner(client, make, bearer):
    hub = make.organiser()
    trainer = make.trainer(hub)
    edition = make.edition(make.course(hub), trainers=[trainer])
    managed = make.learner(email=None, password=None, managed_by_organiser_id=hub.id)
    response = client.post(f"/api/v1/editions/{edition.id}/enrolments", json={"user_id": managed.id},
                           headers=bearer(trainer))
    assert response.status_code == 201, response.get_data(as_text=True)
    enrolment = db.session.get(Enrolment, response.get_json()["id"])
    assert (enrolment.learner_id, enrolment.enrolled_by_id) == (managed.id, trainer.id)


def test_cancelling_gives_the_seat_to_the_first_waiting(client, make, bearer):
    edition = make.edition(capacity=1)
    learner, waiting = make.learner(), make.learner()
    mine = make.enrolment(learner, edition)
    theirs = make.enrolment(waiting, edition, status=EnrolmentStatus.WAITLISTED)
    assert_problem(client.delete(f"/api/v1/enrolments/{mine.id}", headers=bearer(waiting)), 403)
    response = client.delete(f"/api/v1/enrolments/{mine.id}", headers=bearer(learner))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "cancelled" and body["cancelled_at"]
    assert db.session.get(Enrolment, theirs.id).status == EnrolmentStatus.ENROLLED
    body = assert_problem(client.delete(f"/api/v1/enrolments/{mine.id}", headers=bearer(learner)), 409)
    assert "already cancelled" in body["detail"]
    assert_problem(client.delete("/api/v1/enrolments/999999", headers=bearer(learner)), 404)


def test_my_enrolments_are_only_mine(client, make, bearer):
    learner = make.learner()
    mine = [make.enrolment(learner, make.edition()).id for _ in range(3)]
    make.enrolment(make.learner(), make.edition())
    headers = bearer(learner)
    first = client.get("/api/v1/me/enrolments?limit=2", headers=headers).get_json()
    rest = client.get(f"/api/v1/me/enrolments?limit=2&cursor={first['next']}", headers=headers).get_json()
    assert [e["id"] for e in first["items"] + rest["items"]] == mine
    assert rest["next"] is None
    assert_problem(client.get("/api/v1/me/enrolments?limit=0", headers=headers), 422)


def test_calendar_feed_address_is_made_once_and_works(client, make, bearer):
    learner = make.learner()
    edition = make.edition(sessions=2)
    make.enrolment(learner, edition)
    headers = bearer(learner)
    url = client.get("/api/v1/me/calendar-feed", headers=headers).get_json()["url"]
    assert client.get("/api/v1/me/calendar-feed", headers=headers).get_json()["url"] == url
    db.session.refresh(learner)
    assert url.endswith(f"/calendar/{learner.calendar_token}.ics")
    feed = client.get(urlsplit(url).path)
    assert feed.status_code == 200
    assert feed.get_data(as_text=True).count("BEGIN:VEVENT") == 2
