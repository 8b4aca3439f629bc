"""Courses organised together: the lead organiser's coordinators choose co-organisers, whose
coordinators then manage the course as their own, see it in their figures, and the region
counts it once; a third organiser still cannot touch it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from college import timeutil
from college.catalogue.models import CoOrganiser, Edition, edition_trainer
from college.dashboards.organiser import Period, organiser_dashboard
from college.extensions import db
from college.regions import services as regions
from college.regions.figures import region_counts
from tests.api.conftest import bearer_for
from tests.conftest import post_form


@pytest.fixture()
def shared(make):
    """A course of a lead organiser, a partner organiser and a third one, each with a coordinator."""
    lead, partner, third = (make.organiser(name=name) for name in
                            ("Mantelzorghub Deinze", "Zorgzame buurt Nazareth", "Hub Aalter"))
    course = make.course(lead, title="Omgaan met dementie")
    edition = make.edition(course, starts_on=timeutil.today() - timedelta(days=20))
    for _ in range(6):
        make.enrolment(make.learner(), edition)
    return {"lead": lead, "partner": partner, "third": third, "course": course,
            "edition": edition, "lead_coordinator": make.coordinator(lead),
            "partner_coordinator": make.coordinator(partner),
            "third_coordinator": make.coordinator(third)}


def co_organiser_ids(course_id: int) -> list[int]:
    return sorted(db.session.scalars(
        select(CoOrganiser.organiser_id).where(CoOrganiser.course_id == course_id)))


def share(client, auth, world) -> None:
    auth.login_as(world["lead_coordinator"])
    page = f"/manage/courses/{world['course'].id}/co-organisers"
    response = post_form(client, page, {"organiser_ids": [world["partner"].id]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    auth.logout()


def test_the_lead_coordinator_chooses_a_co_organiser_on_the_page(client, auth, shared):
    course = shared["course"]
    auth.login_as(shared["lead_coordinator"])
    page = client.get(f"/manage/courses/{course.id}/co-organisers").get_data(as_text=True)
    choices = [label.get_text(strip=True) for label in BeautifulSoup(page, "html.parser").select("label")]
    assert "Zorgzame buurt Nazareth" in choices and "Hub Aalter" in choices
    assert "Mantelzorghub Deinze" not in choices  # the lead organises it already
    response = post_form(client, f"/manage/courses/{course.id}/co-organisers",
                         {"organiser_ids": [shared["partner"].id]})
    assert response.status_code == 302
    assert co_organiser_ids(course.id) == [shared["partner"].id]
    manage = client.get(f"/manage/courses/{course.id}").get_data(as_text=True)
    assert "Together with Zorgzame buurt Nazareth." in manage


def test_the_course_page_shows_both_organisers(client, auth, shared):
    share(client, auth, shared)
    text = BeautifulSoup(client.get(f"/courses/{shared['course'].id}").get_data(as_text=True),
                         "html.parser").get_text(" ", strip=True)
    assert "Organisers" in text
    assert "Mantelzorghub Deinze" in text and "Zorgzame buurt Nazareth" in text


def test_a_co_organisers_coordinator_manages_the_course(client, auth, shared):
    share(client, auth, shared)
    course, edition = shared["course"], shared["edition"]
    auth.login_as(shared["partner_coordinator"])
    for page in (f"/manage/courses/{course.id}", f"/manage/editions/{edition.id}/edit",
                 f"/editions/{edition.id}/enrolments", f"/editions/{edition.id}/dashboard",
                 f"/organisers/{shared['partner'].id}/courses"):
        assert client.get(page).status_code == 200, page
    assert "Omgaan met dementie" in client.get(
        f"/organisers/{shared['partner'].id}/courses").get_data(as_text=True)
    response = post_form(client, f"/editions/{edition.id}/capacity", {"capacity": "25"},
                         page=f"/editions/{edition.id}/enrolments")
    assert response.status_code == 302
    assert db.session.get(Edition, edition.id).capacity == 25
    # ...but only the lead's coordinators choose who organises it.
    assert client.get(f"/manage/courses/{course.id}/co-organisers").status_code == 403


def test_a_third_organisers_coordinator_still_cannot(client, auth, shared):
    share(client, auth, shared)
    course, edition = shared["course"], shared["edition"]
    auth.login_as(shared["third_coordinator"])
    for page in (f"/manage/courses/{course.id}", f"/manage/editions/{edition.id}/edit",
                 f"/editions/{edition.id}/enrolments", f"/editions/{edition.id}/dashboard",
                 f"/manage/courses/{course.id}/co-organisers"):
        assert client.get(page).status_code == 403, page
    response = post_form(client, f"/editions/{edition.id}/capacity", {"capacity": "25"},
                         page=f"/organisers/{shared['third'].id}/courses")
    assert response.status_code == 403
    assert db.session.get(Edition, edition.id).capacity == 20
    headers = bearer_for(shared["third_coordinator"])
    assert client.get(f"/api/v1/courses/{course.id}/co-organisers", headers=headers).status_code == 403
    assert client.put(f"/api/v1/courses/{course.id}/co-organisers", headers=headers,
                      json={"organiser_ids": [shared["third"].id]}).status_code == 403
    assert co_organiser_ids(course.id) == [shared["partner"].id]


def test_the_api_reads_and_replaces_the_co_organisers(client, shared):
    course = shared["course"]
    headers = bearer_for(shared["lead_coordinator"])
    url = f"/api/v1/courses/{course.id}/co-organisers"
    response = client.put(url, headers=headers, json={"organiser_ids": [shared["partner"].id]})
    assert response.status_code == 200, response.get_json()
    assert [item["name"] for item in response.get_json()["items"]] == ["Zorgzame buurt Nazareth"]
    partner = bearer_for(shared["partner_coordinator"])
    assert client.get(url, headers=partner).get_json()["items"][0]["id"] == shared["partner"].id
    # The co-organiser reads the list but does not change it.
    assert client.put(url, headers=partner, json={"organiser_ids": []}).status_code == 403
    assert client.put(url, headers=headers, json={"organiser_ids": []}).get_json() == {"items": []}
    assert co_organiser_ids(course.id) == []


@pytest.mark.parametrize(("chosen", "message"), [
    ("lead", "The organiser that leads the course organises it already."),
    ("unknown", "Choose the organisers from the list."),
])
def test_bad_choices_are_refused_and_change_nothing(client, auth, shared, chosen, message):
    course = shared["course"]
    organiser_id = shared["lead"].id if chosen == "lead" else 999_999
    before = co_organiser_ids(course.id)
    response = client.put(f"/api/v1/courses/{course.id}/co-organisers",
                          headers=bearer_for(shared["lead_coordinator"]),
                          json={"organiser_ids": [organiser_id]})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    auth.login_as(shared["lead_coordinator"])
    page = post_form(client, f"/manage/courses/{course.id}/co-organisers",
                     {"organiser_ids": [organiser_id]})
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    assert co_organiser_ids(course.id) == before


def test_both_organisers_count_it_and_the_region_once(client, auth, shared, make):
    share(client, auth, shared)
    period = Period(timeutil.today() - timedelta(days=60), timeutil.today())
    for organiser in (shared["lead"], shared["partner"]):
        figures = organiser_dashboard(organiser.id, period)
        assert (figures.total.editions, figures.total.enrolled) == (1, 6)
        assert figures.new_learners == 6
    assert organiser_dashboard(shared["third"].id, period).total.editions == 0
    region = regions.create_region("Eerstelijnszone Leie", "leie")
    for organiser in (shared["lead"], shared["partner"], shared["third"]):
        regions.add_member(region, organiser)
    db.session.commit()
    counts = region_counts(region, period)
    members = {organiser.name: part for organiser, part in counts.members}
    assert members["Mantelzorghub Deinze"].figures.enrolled == 6
    assert members["Zorgzame buurt Nazareth"].figures.enrolled == 6
    assert members["Hub Aalter"].figures.editions == 0
    assert (counts.total.figures.editions, counts.total.figures.enrolled) == (1, 6)
    assert counts.total.people == 6


def test_a_member_co_organising_with_an_outsider_brings_the_course_into_the_region(
        client, auth, shared):
    share(client, auth, shared)
    period = Period(timeutil.today() - timedelta(days=60), timeutil.today())
    region = regions.create_region("Zorgzame gemeente Nazareth", "nazareth")
    regions.add_member(region, shared["partner"])
    db.session.commit()
    counts = region_counts(region, period)
    assert (counts.total.figures.editions, counts.total.figures.enrolled) == (1, 6)


def test_the_co_organisers_trainers_are_offered_for_an_edition(client, auth, make, shared):
    """Creating or editing an edition of a shared course offers the trainers of both organisers;
    a third organiser's trainer is still refused."""
    from tests.catalogue.test_manage import edition_data

    lead_trainer = make.trainer(shared["lead"], name="Els Lesgever")
    partner_trainer = make.trainer(shared["partner"], name="Piet Partner")
    third_trainer = make.trainer(shared["third"], name="Derde Lesgever")
    share(client, auth, shared)
    course = shared["course"]
    for coordinator in ("lead_coordinator", "partner_coordinator"):
        auth.login_as(shared[coordinator])
        page = client.get(f"/manage/courses/{course.id}/editions/new").get_data(as_text=True)
        offered = {label.get_text(strip=True) for label in
                   BeautifulSoup(page, "html.parser").select("label[for^=trainer_ids]")}
        assert offered == {"Els Lesgever", "Piet Partner"}, coordinator
        auth.logout()
    auth.login_as(shared["partner_coordinator"])
    response = post_form(client, f"/manage/courses/{course.id}/editions/new",
                         edition_data(trainer_ids=[lead_trainer.id, partner_trainer.id]))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    edition = db.session.scalars(select(Edition).where(Edition.course_id == course.id)
                                 .order_by(Edition.id.desc())).first()
    assert set(db.session.scalars(select(edition_trainer.c.user_id).where(
        edition_trainer.c.edition_id == edition.id))) == {lead_trainer.id, partner_trainer.id}
    edit = client.get(f"/manage/editions/{edition.id}/edit").get_data(as_text=True)
    assert "Piet Partner" in edit
    refused = post_form(client, f"/manage/courses/{course.id}/editions/new",
                        edition_data(trainer_ids=[third_trainer.id]))
    assert refused.status_code == 422
    assert "trainers of this organiser only" in refused.get_data(as_text=True)
