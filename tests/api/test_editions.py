"""Editions and sessions through the API, calling the catalogue and enrolment services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from college import timeutil
from college.catalogue.models import Edition, TrainingSession
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from tests.api.conftest import assert_problem


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _new_edition(trainer_id: int, **fields) -> dict:
    starts = timeutil.today() + timedelta(days=30)
    return {"venue": "Dienstencentrum Ter Linde", "place": "Gent", "capacity": 12, "trainer_ids": [trainer_id],
            "starts_on": starts.isoformat(), "ends_on": (starts + timedelta(days=7)).isoformat(),
            "enrolment_closes_at": f"{starts.isoformat()}T12:00:00+01:00", **fields}


def test_coordinator_adds_an_edition(client, make, bearer):
    hub = make.organiser()
    trainer, course = make.trainer(hub), make.course(hub)
    response = client.post(f"/api/v1/courses/{course.id}/editions", json=_new_edition(trainer.id),
                           headers=bearer(make.coordinator(hub)))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["course_id"] == course.id
    assert (body["capacity"], body["seats_left"], body["waitlist_length"]) == (12, 12, 0)
    assert body["trainer_ids"] == [trainer.id]
    assert datetime.fromisoformat(body["enrolment_closes_at"]).utcoffset() is not None
    edition = db.session.get(Edition, body["id"])
    assert (edition.venue, edition.capacity) == ("Dienstencentrum Ter Linde", 12)


def test_edition_with_bad_values_changes_nothing(client, make, bearer):
    hub = make.organiser()
    course, headers = make.course(hub), bearer(make.coordinator(hub))
    stranger = make.trainer(make.organiser())
    url = f"/api/v1/courses/{course.id}/editions"
    for fields, field in [
        ({"trainer_ids": [stranger.id]}, "trainer_ids"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": "twelve"}, "capacity"),
        ({"place": ""}, "place"),
        ({"ends_on": "2020-01-01"}, "ends_on"),
        ({"enrolment_closes_at": "2030-01-01T12:00:00"}, "enrolment_closes_at"),  # no offset
        ({"starts_on": "0001-01-01"}, "starts_on"),
    ]:
        body = assert_problem(client.post(url, json=_new_edition(stranger.id, **fields) | fields, headers=headers), 422)
        assert field in body["errors"], (fields, body)
    assert_problem(client.post("/api/v1/courses/999999/editions", json=_new_edition(1), headers=headers), 404)
    assert _count(Edition) == 0


def test_edition_shows_seats_and_waiting_list_and_hides_the_video_link(client, make, bearer):
    hub = make.organiser()
    edition = make.edition(make.course(hub), capacity=2, online_url="https://meet.example.be/zorg")
    seated = make.learner()
    make.enrolment(seated, edition)
    make.enrolment(make.learner(), edition)
    make.enrolment(make.learner(), edition, status=EnrolmentStatus.WAITLISTED)
    body = client.get(f"/api/v1/editions/{edition.id}").get_json()
    assert (body["capacity"], body["seats_left"], body["waitlist_length"]) == (2, 0, 1)
    assert body["online_url"] is None
    assert client.get(f"/api/v1/editions/{edition.id}", headers=bearer(make.learner())).get_json()["online_url"] is None
    assert client.get(f"/api/v1/editions/{edition.id}", headers=bearer(seated)).get_json()["online_url"]
    assert client.get(f"/api/v1/editions/{edition.id}", headers=bearer(make.trainer(hub))).get_json()["online_url"]
    assert db.session.get(Edition, edition.id).online_url == "https://meet.example.be/zorg"


def test_edition_of_an_unpublished_course_is_for_its_staff(client, make, bearer):
    hub = make.organiser()
    edition = make.edition(make.course(hub, published=False))
    for path in ("", "/sessions", "/calendar.ics"):
        assert_problem(client.get(f"/api/v1/editions/{edition.id}{path}"), 404)
        assert_problem(client.get(f"/api/v1/editions/{edition.id}{path}", headers=bearer(make.learner())), 404)
        assert client.get(f"/api/v1/editions/{edition.id}{path}", headers=bearer(make.trainer(hub))).status_code == 200
    assert_problem(client.get("/api/v1/editions/999999"), 404)


def test_more_seats_move_the_waiting_list_up(client, make, bearer):
    hub = make.organiser()
    edition = make.edition(make.course(hub), capacity=1)
    make.enrolment(make.learner(), edition)
    waiting = make.enrolment(make.learner(), edition, status=EnrolmentStatus.WAITLISTED)
    response = client.patch(f"/api/v1/editions/{edition.id}", json={"capacity": 2, "venue": "Bibliotheek"},
                            headers=bearer(make.coordinator(hub)))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["capacity"], body["seats_left"], body["waitlist_length"], body["venue"]) == (2, 0, 0, "Bibliotheek")
    assert db.session.get(Enrolment, waiting.id).status == EnrolmentStatus.ENROLLED


def test_patch_with_bad_values_changes_nothing(client, make, bearer):
    hub = make.organiser()
    edition = make.edition(make.course(hub), capacity=2, venue="De Vlinder")
    make.enrolment(make.learner(), edition)
    make.enrolment(make.learner(), edition)
    headers = bearer(make.coordinator(hub))
    url = f"/api/v1/editions/{edition.id}"
    body = assert_problem(client.patch(url, json={"capacity": 1}, headers=headers), 422)
    assert "2 seats are taken" in body["errors"]["capacity"][0]
    body = assert_problem(client.patch(url, json={"capacity": -3, "venue": "Elders"}, headers=headers), 422)
    assert list(body["errors"]) == ["capacity"]
    body = assert_problem(client.patch(url, json={"venue": "x" * 201}, headers=headers), 422)
    assert list(body["errors"]) == ["venue"]
    body = assert_problem(client.patch(url, json={"ends_on": "2000-01-01"}, headers=headers), 422)
    assert list(body["errors"]) == ["ends_on"]
    assert_problem(client.patch(url, json={"capacity": 30}, headers=bearer(make.trainer(hub))), 403)
    db.session.expire_all()
    edition = db.session.get(Edition, edition.id)
    assert (edition.capacity, edition.venue, edition.seats_taken) == (2, "De Vlinder", 2)


def test_coordinator_adds_sessions_with_offsets(client, make, bearer):
    hub = make.organiser()
    edition = make.edition(make.course(hub), starts_on=date(2031, 3, 3), ends_on=date(2031, 3, 31))
    headers = bearer(make.coordinator(hub))
    url = f"/api/v1/editions/{edition.id}/sessions"
    response = client.post(url, json={"starts_at": "2031-03-10T13:00:00Z", "ends_at": "2031-03-10T16:00:00+01:00",
                                      "room": "Zaal Linde"}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert datetime.fromisoformat(body["starts_at"]) == timeutil.brussels(date(2031, 3, 10), time(14))
    assert datetime.fromisoformat(body["ends_at"]) == timeutil.brussels(date(2031, 3, 10), time(16))
    assert body["room"] == "Zaal Linde"
    client.post(url, json={"starts_at": "2031-03-03T09:00:00+01:00", "ends_at": "2031-03-03T11:00:00+01:00"},
                headers=headers)
    listed = client.get(url).get_json()
    assert [s["id"] for s in listed["items"]] == sorted(s["id"] for s in listed["items"])
    assert len(listed["items"]) == 2 and listed["next"] is None

    ics = client.get(f"/api/v1/editions/{edition.id}/calendar.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    text = ics.get_data(as_text=True)
    assert text.count("BEGIN:VEVENT") == 2 and "Europe/Brussels" in text


def test_session_with_bad_times_changes_nothing(client, make, bearer):
    hub = make.organiser()
    edition = make.edition(make.course(hub), starts_on=date(2031, 3, 3), ends_on=date(2031, 3, 31))
    headers = bearer(make.coordinator(hub))
    url = f"/api/v1/editions/{edition.id}/sessions"
    for starts, ends, field in [
        ("2031-04-10T14:00:00+02:00", "2031-04-10T16:00:00+02:00", "starts_at"),  # after the last day
        ("2031-03-10T16:00:00+01:00", "2031-03-10T14:00:00+01:00", "ends_at"),
        ("2031-03-10T14:00:00+01:00", "2031-03-11T10:00:00+01:00", "ends_at"),  # overnight
        ("2031-03-10T14:00:00", "2031-03-10T16:00:00+01:00", "starts_at"),  # no offset
    ]:
        body = assert_problem(client.post(url, json={"starts_at": starts, "ends_at": ends}, headers=headers), 422)
        assert list(body["errors"]) == [field], (starts, ends, body)
    assert_problem(client.post(url, json={"starts_at": "2031-03-10T14:00:00+01:00",
                                          "ends_at": "2031-03-10T16:00:00+01:00"},
                               headers=bearer(make.trainer(hub))), 403)
    assert _count(TrainingSession) == 0


def test_a_refused_capacity_changes_nothing_else(client, make, bearer):
    """PATCH is one unit of work: a capacity below the enrolled count refuses the place too."""
    hub = make.organiser()
    edition = make.edition(make.course(hub), capacity=3, place="Gent")
    for _ in range(2):
        make.enrolment(make.learner(), edition)
    response = client.patch(f"/api/v1/editions/{edition.id}", json={"place": "Brugge", "capacity": 1},
                            headers=bearer(make.coordinator(hub)))
    body = assert_problem(response, 422)
    assert "capacity" in body["errors"]
    db.session.expire_all()
    assert (db.session.get(Edition, edition.id).place, db.session.get(Edition, edition.id).capacity) == (
        "Gent", 3)
