"""Modules through the API: writing them, reading them (published only for learners), marking done."""

from __future__ import annotations

import json

from sqlalchemy import select

from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from college.learning import modules
from college.learning.models import Module, ModuleCompletion
from tests.api.conftest import assert_problem


def _setup(make):
    hub = make.organiser()
    course = make.course(hub, modules_required=True, min_attendance_pct=0)
    trainer = make.trainer(hub)
    learner = make.learner()
    edition = make.edition(course, trainers=[trainer])
    make.enrolment(learner, edition)
    return hub, course, trainer, learner


def test_trainer_writes_a_module_and_the_learner_reads_it_sanitised(client, make, bearer):
    hub, course, trainer, learner = _setup(make)
    url = f"/api/v1/courses/{course.id}/modules"
    response = client.post(url, json={"title": "Grenzen stellen", "minutes": 15,
                                      "body_markdown": "Zeg **nee**.\n\n<script>alert(1)</script>"},
                           headers=bearer(trainer))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert (created["title"], created["minutes"], created["published"]) == ("Grenzen stellen", 15, True)
    assert db.session.get(Module, created["id"]).body_markdown.startswith("Zeg **nee**.")

    body = client.get(url, headers=bearer(learner)).get_json()
    assert body["next"] is None
    [module] = body["items"]
    assert "<strong>nee</strong>" in module["html"] and "<script>" not in module["html"]
    assert module["done"] is False


def test_learners_get_the_safe_html_only_and_authors_the_source(client, make, bearer):
    """The Markdown source is unsanitised: a client that rendered it would run its script."""
    hub, course, trainer, learner = _setup(make)
    modules.create_module(trainer, course.id, title="Grenzen", minutes=5,
                          body_markdown="Zeg **nee**.\n\n<script>alert(1)</script>")
    url = f"/api/v1/courses/{course.id}/modules"

    [seen_by_learner] = client.get(url, headers=bearer(learner)).get_json()["items"]
    assert "body_markdown" not in seen_by_learner
    assert "<script" not in json.dumps(seen_by_learner)
    assert "<strong>nee</strong>" in seen_by_learner["html"]

    for author in (trainer, make.coordinator(hub)):
        [seen_by_author] = client.get(url, headers=bearer(author)).get_json()["items"]
        assert seen_by_author["body_markdown"].endswith("<script>alert(1)</script>")
        assert "<script" not in seen_by_author["html"]

    # A trainer of another organiser enrolled as a learner reads it as a learner.
    other_trainer = make.trainer(make.organiser())
    make.enrolment(other_trainer, make.edition(course))
    [seen_by_other] = client.get(url, headers=bearer(other_trainer)).get_json()["items"]
    assert "body_markdown" not in seen_by_other


def test_the_document_marks_the_source_as_optional_for_authors(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Module"]
    assert "body_markdown" not in schema["required"] and "html" in schema["required"]
    assert "only for those who may edit" in schema["properties"]["body_markdown"]["description"]


def test_learners_see_only_published_modules_and_staff_see_all(client, make, bearer):
    hub, course, trainer, learner = _setup(make)
    modules.create_module(trainer, course.id, title="Eerst", body_markdown="", minutes=5)
    modules.create_module(trainer, course.id, title="Nog niet klaar", body_markdown="", minutes=5,
                          published=False)
    url = f"/api/v1/courses/{course.id}/modules"
    learner_titles = [m["title"] for m in client.get(url, headers=bearer(learner)).get_json()["items"]]
    assert learner_titles == ["Eerst"]
    staff = client.get(url, headers=bearer(make.coordinator(hub))).get_json()["items"]
    assert [(m["title"], m["done"]) for m in staff] == [("Eerst", None), ("Nog niet klaar", None)]


def test_marking_done_is_idempotent_and_completes_the_enrolment(client, make, bearer):
    hub, course, trainer, learner = _setup(make)
    module = modules.create_module(trainer, course.id, title="Eerst", body_markdown="", minutes=5)
    url = f"/api/v1/modules/{module.id}/completion"
    first = client.post(url, headers=bearer(learner))
    assert first.status_code == 200, first.get_data(as_text=True)
    again = client.post(url, headers=bearer(learner))
    assert again.status_code == 200
    assert again.get_json() == first.get_json() and first.get_json()["done"] is True
    assert len(db.session.scalars(select(ModuleCompletion)).all()) == 1
    listed = client.get(f"/api/v1/courses/{course.id}/modules", headers=bearer(learner)).get_json()
    assert listed["items"][0]["done"] is True
    # All modules done is all the course asks: the enrolment is complete.
    assert db.session.scalar(select(Enrolment.status)) == EnrolmentStatus.COMPLETED


def test_module_refusals(client, make, bearer):
    hub, course, trainer, learner = _setup(make)
    url = f"/api/v1/courses/{course.id}/modules"
    body = assert_problem(client.post(url, json={"title": "  ", "minutes": 5}, headers=bearer(trainer)), 422)
    assert "title" in body["errors"]
    body = assert_problem(client.post(url, json={"title": "Lang", "minutes": 5000}, headers=bearer(trainer)), 422)
    assert "minutes" in body["errors"]
    assert_problem(client.post(url, json={"minutes": 5}, headers=bearer(trainer)), 422)
    assert_problem(client.post(url, json={"title": "Niet van mij"}, headers=bearer(learner)), 403)
    assert_problem(client.post(url, json={"title": "Ander huis"},
                               headers=bearer(make.coordinator(make.organiser()))), 403)
    assert_problem(client.post(url, json={"title": "Anoniem"}), 401)
    assert_problem(client.get(url, headers=bearer(make.learner())), 403)
    assert_problem(client.post("/api/v1/courses/999999/modules", json={"title": "X"},
                               headers=bearer(trainer)), 404)
    hidden = modules.create_module(trainer, course.id, title="Verborgen", body_markdown="", minutes=5,
                                   published=False)
    assert_problem(client.post(f"/api/v1/modules/{hidden.id}/completion", headers=bearer(learner)), 404)
    assert_problem(client.post("/api/v1/modules/999999/completion", headers=bearer(learner)), 404)
    shown = modules.create_module(trainer, course.id, title="Zichtbaar", body_markdown="", minutes=5)
    assert_problem(client.post(f"/api/v1/modules/{shown.id}/completion", headers=bearer(make.learner())), 403)
    draft = make.course(hub, published=False)
    assert_problem(client.get(f"/api/v1/courses/{draft.id}/modules", headers=bearer(learner)), 404)
    assert db.session.scalars(select(ModuleCompletion)).all() == []
    assert [m.title for m in db.session.scalars(select(Module).order_by(Module.id))] == ["Verborgen", "Zichtbaar"]
