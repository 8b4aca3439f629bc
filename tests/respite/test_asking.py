"""The caregiver asks respite with the enrolment (page and API, themselves or through staff);
bad input is refused the same on both surfaces with nothing changed; "My trainings" shows the
state per session; a cancellation after respite failed is no no-show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from college.respite.models import RespiteRequest, RespiteSession, RespiteState
from tests.api.conftest import bearer_for
from tests.conftest import post_form
from tests.respite.conftest import just_before


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return (db.session.scalar(select(func.count()).select_from(Enrolment)),
            db.session.scalar(select(func.count()).select_from(RespiteRequest)),
            db.session.scalar(select(func.count()).select_from(RespiteSession)))


def test_a_caregiver_asks_respite_while_enrolling_and_sees_it_on_my_trainings(
        client, auth, world):
    auth.login_as(world.caregiver)
    page = client.get(f"/editions/{world.edition.id}/enrol").get_data(as_text=True)
    assert "Someone needs to take over my care while I am at the training" in page
    response = post_form(client, f"/editions/{world.edition.id}/enrol", world.respite_form(),
                         page=f"/editions/{world.edition.id}/enrol")
    assert response.status_code == 302, response.get_data(as_text=True)
    request = db.session.scalar(select(RespiteRequest))
    assert request.address == "Kerkstraat 1, 9000 Gent" and request.requested_by_id is None
    assert [s.state for s in db.session.scalars(select(RespiteSession))] == [RespiteState.NEW] * 2
    mine = client.get("/my/trainings").get_data(as_text=True)
    assert "Respite during the training" in mine and mine.count("asked") >= 2


def test_enrolling_without_ticking_respite_asks_none(client, auth, world):
    auth.login_as(world.caregiver)
    response = post_form(client, f"/editions/{world.edition.id}/enrol",
                         world.respite_form(respite=None), page=f"/editions/{world.edition.id}/enrol")
    assert response.status_code == 302
    assert counts() == (1, 0, 0)


def test_no_session_chosen_means_every_session_to_come(client, auth, world):
    auth.login_as(world.caregiver)
    post_form(client, f"/editions/{world.edition.id}/enrol",
              world.respite_form(respite_sessions=None), page=f"/editions/{world.edition.id}/enrol")
    assert counts() == (1, 1, 2)


def test_staff_ask_respite_when_enrolling_someone_on_their_behalf(client, auth, world):
    auth.login_as(world.coordinator)
    roster = f"/editions/{world.edition.id}/enrolments"
    response = post_form(client, f"/editions/{world.edition.id}/enrol-on-behalf",
                         {"email": world.caregiver.email, **world.respite_form(
                             respite_sessions=[str(world.sessions[1].id)])}, page=roster)
    assert response.status_code == 302, response.get_data(as_text=True)
    request = db.session.scalar(select(RespiteRequest))
    assert request.requested_by_id == world.coordinator.id
    assert [s.session_id for s in db.session.scalars(select(RespiteSession))] == [world.sessions[1].id]


def test_the_api_asks_respite_for_an_enrolment(client, world, make):
    enrolment = make.enrolment(world.caregiver, world.edition)
    response = client.post(f"/api/v1/enrolments/{enrolment.id}/respite", json=world.api_body(),
                           headers=bearer_for(world.caregiver))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["kind"] == "company" and [s["state"] for s in body["sessions"]] == ["new", "new"]
    again = client.get(f"/api/v1/respite-requests/{body['id']}", headers=bearer_for(world.caregiver))
    assert again.status_code == 200 and again.get_json()["note"] == "Jef houdt van kaarten"


# ---- bad input: one table, the page and the API ---------------------------------------------

def _setup(world, make, clock, case: str):
    """Prepare the case; returns (actor, form changes, API changes, status, message)."""
    if case == "course without respite":
        world.course.offers_respite = False
        db.session.commit()
        return world.caregiver, {}, {}, 422, "This training does not offer respite."
    if case == "session not in the edition":
        other = make.edition(make.course(world.hub), sessions=1)
        from college.catalogue.models import TrainingSession
        foreign = db.session.scalar(select(TrainingSession.id).where(
            TrainingSession.edition_id == other.id))
        return (world.caregiver, {"respite_sessions": [str(foreign)]},
                {"session_ids": [foreign]}, 422, "Choose sessions of this edition.")
    if case == "no consent":
        return (world.caregiver, {"respite_consent": None}, {"consent": False}, 422,
                "without it we cannot arrange respite")
    if case == "no municipality":
        return (world.caregiver, {"respite_municipality_id": ""}, {"municipality_id": 999999},
                422, "Choose the municipality where care is needed.")
    if case == "bring along where the course does not allow it":
        return (world.caregiver, {"respite_kind": "bring_along"}, {"kind": "bring_along"}, 422,
                "cannot come along to this training")
    raise AssertionError(case)


CASES = ["course without respite", "session not in the edition", "no consent",
         "no municipality", "bring along where the course does not allow it"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("surface", ["page", "api"])
def test_bad_input_is_refused_alike_and_changes_nothing(client, auth, world, make, clock,
                                                        case, surface):
    actor, form, body, status, message = _setup(world, make, clock, case)
    if surface == "page":
        auth.login_as(actor)
        before = counts()
        url = f"/editions/{world.edition.id}/enrol"
        if case == "course without respite":
            # The form no longer asks it: a changed form's respite fields ask nothing.
            response = post_form(client, url, world.respite_form(), page=url)
            assert response.status_code == 302
            assert counts()[1:] == (0, 0)
            return
        response = post_form(client, url, world.respite_form(**form), page=url)
        assert counts() == before
    else:
        enrolment = make.enrolment(world.caregiver, world.edition)
        before = counts()
        response = client.post(f"/api/v1/enrolments/{enrolment.id}/respite",
                               json=world.api_body(**body), headers=bearer_for(actor))
        assert counts() == before
        if case == "no consent":
            status = 422
    assert response.status_code == status, response.get_data(as_text=True)
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("surface", ["page", "api"])
def test_respite_is_asked_only_before_the_session_begins(client, auth, world, make, clock,
                                                         surface):
    """Both sides of the edge: a second before the session it is accepted; from its start on it is
    refused with nothing changed (staff enrol during the edition, so the page reaches the rule)."""
    session = world.sessions[1]
    clock.move_to(just_before(session.starts_at))
    learners = [make.learner(), make.learner()]
    for learner, accepted in zip(learners, (True, False), strict=True):
        if not accepted:
            clock.advance(timedelta(seconds=1))
        before = counts()
        if surface == "page":
            auth.login_as(world.coordinator)
            roster = f"/editions/{world.edition.id}/enrolments"
            response = post_form(client, f"/editions/{world.edition.id}/enrol-on-behalf",
                                 {"email": learner.email, **world.respite_form(
                                     respite_sessions=[str(session.id)])}, page=roster)
            auth.logout()
            expected = 302 if accepted else 422
        else:
            enrolment = make.enrolment(learner, world.edition)
            before = counts()
            response = client.post(f"/api/v1/enrolments/{enrolment.id}/respite",
                                   json=world.api_body(session_ids=[session.id]),
                                   headers=bearer_for(learner))
            expected = 201 if accepted else 422
        assert response.status_code == expected, response.get_data(as_text=True)
        if accepted:
            assert counts()[1] == before[1] + 1
        else:
            assert counts() == before
            assert "has already begun" in response.get_data(as_text=True)


def test_a_stranger_cannot_ask_respite_for_someone_elses_enrolment(client, world, make):
    enrolment = make.enrolment(world.caregiver, world.edition)
    for actor in (world.stranger, world.other_coordinator):
        response = client.post(f"/api/v1/enrolments/{enrolment.id}/respite",
                               json=world.api_body(), headers=bearer_for(actor))
        assert response.status_code == 404
    assert counts() == (1, 0, 0)


def test_respite_is_asked_once_per_enrolment(client, world, make):
    enrolment = make.enrolment(world.caregiver, world.edition)
    url = f"/api/v1/enrolments/{enrolment.id}/respite"
    assert client.post(url, json=world.api_body(), headers=bearer_for(world.caregiver)).status_code == 201
    again = client.post(url, json=world.api_body(), headers=bearer_for(world.caregiver))
    assert again.status_code == 409 and counts() == (1, 1, 2)


def test_the_api_speaks_the_callers_language(client, world, make):
    enrolment = make.enrolment(world.caregiver, world.edition)
    response = client.post(f"/api/v1/enrolments/{enrolment.id}/respite",
                           json=world.api_body(consent=False),
                           headers={**bearer_for(world.caregiver), "Accept-Language": "nl"})
    assert response.status_code == 422
    assert "respijt" in response.get_data(as_text=True).lower()


# ---- cancelling when respite is not possible is no no-show ---------------------------------

def test_when_respite_is_not_possible_the_caregiver_may_cancel_late(client, world, make, clock):
    from college.respite import services

    enrolment = make.enrolment(world.caregiver, world.edition)
    request = services.request_respite(enrolment_id=enrolment.id, actor=world.caregiver,
                                       kind="company", municipality_id=world.gent.id,
                                       address="Kerkstraat 1", consent=True)
    db.session.commit()
    clock.move_to(world.sessions[0].starts_at)  # the edition has started
    url = f"/api/v1/enrolments/{enrolment.id}"
    refused = client.delete(url, headers=bearer_for(world.caregiver))
    assert refused.status_code == 409  # without a failed respite: contact the organiser
    services.change_sessions(request_id=request.id, actor=world.coordinator, changes=[
        {"session_id": world.sessions[1].id, "state": "not_possible"}])
    db.session.commit()
    cancelled = client.delete(url, headers=bearer_for(world.caregiver))
    assert cancelled.status_code == 200, cancelled.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).status == EnrolmentStatus.CANCELLED
    states = {s.session_id: s.state for s in db.session.scalars(select(RespiteSession))}
    assert states[world.sessions[1].id] == RespiteState.NOT_POSSIBLE
    # What was still open is cancelled with the enrolment.
    assert states[world.sessions[0].id] == RespiteState.CANCELLED
