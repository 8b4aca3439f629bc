"""The published catalogue through the API: filters, cursor pagination, visibility."""

from __future__ import annotations

from tests.api.conftest import assert_problem


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [course["title"] for course in response.get_json()["items"]]


def test_lists_published_courses_by_track_and_words(client, make):
    make.course(title="Omgaan met dementie", open_to_caregivers=True)
    make.course(title="Signalen van overbelasting", open_to_caregivers=False, open_to_professionals=True)
    make.course(title="Tillen en verplaatsen", published=False)
    assert _titles(client.get("/api/v1/courses")) == ["Omgaan met dementie", "Signalen van overbelasting"]
    assert _titles(client.get("/api/v1/courses?track=professionals")) == ["Signalen van overbelasting"]
    assert _titles(client.get("/api/v1/courses?track=caregivers")) == ["Omgaan met dementie"]
    assert _titles(client.get("/api/v1/courses?q=DEMENTIE")) == ["Omgaan met dementie"]
    assert _titles(client.get("/api/v1/courses?q=100%25")) == []
    assert_problem(client.get("/api/v1/courses?track=everyone"), 422)


def test_course_fields(client, make):
    course = make.course(title="Omgaan met dementie", hours=6,
                         open_to_professionals=True, min_attendance_pct=75)
    body = client.get(f"/api/v1/courses/{course.id}").get_json()
    assert body["tracks"] == ["caregivers", "professionals"]
    assert body["completion"] == {"min_attendance_pct": 75, "modules_required": False, "quiz_pass_pct": 70}
    assert body["created_at"].endswith("+00:00")


def test_cursor_walks_every_page_once(client, make):
    titles = [make.course(title=f"Cursus {n:02d}").title for n in range(7)]
    seen, url = [], "/api/v1/courses?limit=3"
    while url:
        body = client.get(url).get_json()
        assert len(body["items"]) <= 3
        seen += [course["title"] for course in body["items"]]
        url = f"/api/v1/courses?limit=3&cursor={body['next']}" if body["next"] else None
    assert seen == titles


def test_unpublished_course_is_only_visible_to_its_organisers_staff(client, make, bearer):
    hub = make.organiser()
    course = make.course(hub, published=False)
    url = f"/api/v1/courses/{course.id}"
    assert_problem(client.get(url), 404)
    assert_problem(client.get(url, headers=bearer(make.learner())), 404)
    assert_problem(client.get(url, headers=bearer(make.coordinator(make.organiser()))), 404)
    assert client.get(url, headers=bearer(make.trainer(hub))).status_code == 200
    assert client.get(url, headers=bearer(make.coordinator(hub))).status_code == 200
    assert_problem(client.get("/api/v1/courses/999999"), 404)


def test_search_ignores_accents_and_searches_the_description(client, make):
    make.course(title="Coördinatie van zorg", description="Over het zorgplan.")
    make.course(title="Tillen en verplaatsen")
    assert _titles(client.get("/api/v1/courses?q=coordinatie")) == ["Coördinatie van zorg"]
    assert _titles(client.get("/api/v1/courses?q=ZORGPLAN")) == ["Coördinatie van zorg"]
    assert _titles(client.get("/api/v1/courses?q=zorg%20tillen")) == []


NEW_COURSE = {
    "title": "Rouw en verlies", "summary": "Stilstaan bij afscheid.", "tracks": ["caregivers", "professionals"],
    "hours": 4.5,
    "completion": {"min_attendance_pct": 75, "modules_required": True, "quiz_pass_pct": 60},
}


def _course_count() -> int:
    from sqlalchemy import func, select

    from college.catalogue.models import Course
    from college.extensions import db

    return db.session.scalar(select(func.count()).select_from(Course))


def test_coordinator_creates_a_course(client, make, bearer):
    from college.catalogue.models import Course
    from college.extensions import db

    hub = make.organiser()
    response = client.post("/api/v1/courses", json=NEW_COURSE, headers=bearer(make.coordinator(hub)))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["organiser_id"] == hub.id
    assert body["tracks"] == ["caregivers", "professionals"]
    assert body["completion"] == {"min_attendance_pct": 75, "modules_required": True, "quiz_pass_pct": 60}
    assert body["published"] is False
    course = db.session.get(Course, body["id"])
    assert (course.title, course.hours) == ("Rouw en verlies", 4.5)


def test_course_defaults_and_organiser_choice(client, make, bearer):
    from college.accounts.models import Membership, Role

    first, second = make.organiser(), make.organiser()
    coordinator = make.coordinator(first)
    headers = bearer(coordinator)
    minimal = {"title": "Eerste hulp", "tracks": ["caregivers"], "hours": 2}
    body = client.post("/api/v1/courses", json=minimal, headers=headers).get_json()
    assert body["completion"] == {"min_attendance_pct": 80, "modules_required": False, "quiz_pass_pct": 70}
    assert body["organiser_id"] == first.id

    make._save(Membership(user_id=coordinator.id, organiser_id=second.id, role=Role.COORDINATOR))
    body = assert_problem(client.post("/api/v1/courses", json=minimal, headers=headers), 422)
    assert list(body["errors"]) == ["organiser_id"]
    body = client.post("/api/v1/courses", json={**minimal, "organiser_id": second.id}, headers=headers).get_json()
    assert body["organiser_id"] == second.id


def test_course_with_bad_values_changes_nothing(client, make, bearer):
    headers = bearer(make.coordinator(make.organiser()))
    body = assert_problem(client.post("/api/v1/courses", json={**NEW_COURSE, "tracks": []}, headers=headers), 422)
    assert list(body["errors"]) == ["tracks"]
    body = assert_problem(client.post("/api/v1/courses", json={**NEW_COURSE, "title": "x" * 201},
                                      headers=headers), 422)
    assert list(body["errors"]) == ["title"]
    body = assert_problem(client.post("/api/v1/courses", json={
        **NEW_COURSE, "completion": {"min_attendance_pct": 120}}, headers=headers), 422)
    assert list(body["errors"]) == ["min_attendance_pct"]
    body = assert_problem(client.post("/api/v1/courses", json={"title": "X"}, headers=headers), 422)
    assert set(body["errors"]) == {"tracks", "hours"}
    assert _course_count() == 0


def test_only_a_coordinator_of_the_organiser_creates_courses(client, make, bearer):
    hub = make.organiser()
    assert_problem(client.post("/api/v1/courses", json=NEW_COURSE), 401)
    assert_problem(client.post("/api/v1/courses", json=NEW_COURSE, headers=bearer(make.trainer(hub))), 403)
    assert_problem(client.post("/api/v1/courses", json=NEW_COURSE, headers=bearer(make.learner())), 403)
    other = bearer(make.coordinator(make.organiser()))
    assert_problem(client.post("/api/v1/courses", json={**NEW_COURSE, "organiser_id": hub.id}, headers=other), 403)
    assert_problem(client.post("/api/v1/courses", json={**NEW_COURSE, "organiser_id": 999999}, headers=other), 404)
    assert _course_count() == 0
