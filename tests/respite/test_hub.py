"""The hub's side: partners (page and API), the respite board, asking a partner by a signed
expiring link, the partner's page without account, and the caregiver told of each change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from college.enrolment.models import Notification, NotificationStatus
from college.extensions import db
from college.privacy.models import PersonalDataAccess
from college.respite import links, services
from college.respite.models import RespitePartner, RespiteSession, RespiteState
from tests.api.conftest import bearer_for
from tests.conftest import post_form
from tests.enrolment.test_notifications import run_worker, smtp_inbox  # noqa: F401


def _asked(world, make, caregiver=None):
    enrolment = make.enrolment(caregiver or world.caregiver, world.edition)
    request = services.request_respite(enrolment_id=enrolment.id, actor=world.caregiver
                                       if caregiver is None else caregiver,
                                       kind="company", municipality_id=world.gent.id,
                                       address="Kerkstraat 1, 9000 Gent", mobility="rolstoel",
                                       note="Jef houdt van kaarten", consent=True)
    db.session.commit()
    return request


def _states(request_id: int) -> list[tuple[RespiteState, str | None]]:
    db.session.expire_all()
    return [(s.state, s.helper_first_name) for s in db.session.scalars(
        select(RespiteSession).where(RespiteSession.request_id == request_id)
        .order_by(RespiteSession.id))]


def test_coordinators_keep_their_partners_on_a_page(client, auth, world):
    auth.login_as(world.coordinator)
    url = f"/organisers/{world.hub.id}/respite-partners"
    page = client.get(url).get_data(as_text=True)
    assert "Oppasdienst Samana" in page and "Thuiszorg Aalst" not in page
    added = post_form(client, url, {"name": "Dagcentrum De Linde", "email": "linde@example.be",
                                    "kinds": ["day_centre"], "municipality_ids": [str(world.gent.id)]},
                      page=url)
    assert added.status_code == 303
    partner = db.session.scalar(select(RespitePartner).where(RespitePartner.name == "Dagcentrum De Linde"))
    assert partner.kinds == "day_centre"
    refused = post_form(client, url, {"name": "Zonder", "email": "zonder@example.be"}, page=url)
    assert refused.status_code == 422
    assert "Tick the kinds of help the partner gives." in refused.get_data(as_text=True)
    changed = post_form(client, f"/respite-partners/{partner.id}",
                        {"name": "De Linde", "email": "linde@example.be", "kinds": ["day_centre", "company"]},
                        page=f"/respite-partners/{partner.id}")
    assert changed.status_code == 303
    db.session.expire_all()
    assert db.session.get(RespitePartner, partner.id).name == "De Linde"
    partner_id = partner.id
    post_form(client, f"/respite-partners/{partner_id}/delete", {}, page=url)
    db.session.expire_all()
    assert db.session.get(RespitePartner, partner_id) is None


def test_partners_through_the_api_and_another_organisers_partner_is_missing(client, world):
    headers = bearer_for(world.coordinator)
    listed = client.get(f"/api/v1/organisers/{world.hub.id}/respite-partners", headers=headers)
    assert [p["name"] for p in listed.get_json()["items"]] == ["Oppasdienst Samana"]
    made = client.post(f"/api/v1/organisers/{world.hub.id}/respite-partners", headers=headers,
                       json={"name": "Dagcentrum", "email": "dag@example.be", "kinds": ["day_centre"],
                             "municipality_ids": [world.gent.id]})
    assert made.status_code == 201 and made.get_json()["municipality_ids"] == [world.gent.id]
    patched = client.patch(f"/api/v1/respite-partners/{made.get_json()['id']}", headers=headers,
                           json={"phone": "09 123 45 67"})
    assert patched.status_code == 200 and patched.get_json()["name"] == "Dagcentrum"
    assert client.patch(f"/api/v1/respite-partners/{world.other_partner.id}", headers=headers,
                        json={"name": "x"}).status_code == 404
    assert client.get(f"/api/v1/organisers/{world.other_hub.id}/respite-partners",
                      headers=headers).status_code == 404


def test_the_board_sorts_by_first_session_and_logs_the_reading(client, auth, world, make):
    later_edition = make.edition(world.course, starts_on=world.edition.starts_on + timedelta(days=30),
                                 sessions=1)
    late = make.learner(name="Later Lien")
    enrolment = make.enrolment(late, later_edition)
    services.request_respite(enrolment_id=enrolment.id, actor=late, kind="day_centre",
                             municipality_id=world.gent.id, consent=True)
    db.session.commit()
    _asked(world, make)
    auth.login_as(world.coordinator)
    page = client.get(f"/organisers/{world.hub.id}/respite?week="
                      f"{world.edition.starts_on.isoformat()}").get_data(as_text=True)
    assert "Maria Peeters" in page and "Later Lien" not in page
    edition_page = client.get(f"/editions/{world.edition.id}/respite").get_data(as_text=True)
    assert "Kerkstraat 1, 9000 Gent" in edition_page and "Still needed for 2 sessions." in edition_page
    api = client.get(f"/api/v1/editions/{world.edition.id}/respite-requests",
                     headers=bearer_for(world.coordinator)).get_json()
    assert [item["address"] for item in api["items"]] == ["Kerkstraat 1, 9000 Gent"]
    logged = db.session.scalar(select(func.count()).select_from(PersonalDataAccess).where(
        PersonalDataAccess.learner_id == world.caregiver.id, PersonalDataAccess.context == "respite"))
    assert logged >= 2
    # Trainers and other organisers' coordinators do not read the board.
    auth.logout()
    auth.login_as(world.trainer)
    assert client.get(f"/editions/{world.edition.id}/respite").status_code == 403
    auth.logout()
    auth.login_as(world.other_coordinator)
    assert client.get(f"/editions/{world.edition.id}/respite").status_code == 404


def test_ask_partner_mails_a_link_where_the_partner_confirms(app, client, auth, world, make,
                                                             smtp_inbox):  # noqa: F811
    request = _asked(world, make)
    auth.login_as(world.coordinator)
    board = f"/editions/{world.edition.id}/respite"
    response = post_form(client, f"/respite-requests/{request.id}/ask",
                         {"partner_id": str(world.partner.id), "next": board}, page=board)
    assert response.status_code == 303
    assert _states(request.id) == [(RespiteState.ASKED, None)] * 2
    run_worker(app)
    [(to, mail)] = smtp_inbox.messages
    assert to == [world.partner.email]
    body = mail.get_content()
    assert "Maria" not in body and "Kerkstraat" not in body  # the details are behind the link
    link = re.search(r"http://localhost(/respite/answer/\S+)", body).group(1)
    auth.logout()
    page = client.get(link).get_data(as_text=True)
    assert "Kerkstraat 1, 9000 Gent" in page and "rolstoel" in page
    assert "Maria" not in page and world.caregiver.email not in page
    refused = post_form(client, link, {"answer": "confirm", "helper_first_name": ""}, page=link)
    assert refused.status_code == 422 and _states(request.id)[0][0] == RespiteState.ASKED
    confirmed = post_form(client, link, {"answer": "confirm", "helper_first_name": "Greet"}, page=link)
    assert confirmed.status_code == 200
    assert _states(request.id) == [(RespiteState.ARRANGED, "Greet")] * 2
    # The caregiver is told, and "My trainings" says arranged with whom.
    told = db.session.scalar(select(Notification).where(Notification.kind == "respite"))
    assert "arranged: Greet comes" in told.body
    auth.login_as(world.caregiver)
    mine = client.get("/my/trainings").get_data(as_text=True)
    assert "arranged" in mine and "Oppasdienst Samana" in mine and "Greet" in mine
    auth.logout()
    # The link was used: a clear 409, nothing changed.
    again = client.get(link)
    assert again.status_code == 409 and "already answered" in again.get_data(as_text=True)


@pytest.mark.parametrize("seconds, status", [(-1, 200), (0, 409)])
def test_the_partners_link_expires(client, world, make, clock, app, seconds, status):
    request = _asked(world, make)
    services.ask_partner(request_id=request.id, partner_id=world.partner.id, actor=world.coordinator)
    db.session.commit()
    link = f"/respite/answer/{links.make_token(request.id, world.partner.id)}"
    clock.advance(timedelta(hours=app.config["RESPITE_LINK_HOURS"], seconds=seconds + 1))
    response = client.get(link)
    assert response.status_code == status
    if status == 409:
        assert "This link has expired" in response.get_data(as_text=True)


def test_a_forged_link_names_nothing(client):
    assert client.get("/respite/answer/forged.token.here").status_code == 404


def test_a_declined_request_goes_back_to_the_hub(client, world, make):
    request = _asked(world, make)
    services.ask_partner(request_id=request.id, partner_id=world.partner.id, actor=world.coordinator)
    db.session.commit()
    link = f"/respite/answer/{links.make_token(request.id, world.partner.id)}"
    assert post_form(client, link, {"answer": "decline"}, page=link).status_code == 200
    assert _states(request.id) == [(RespiteState.NEW, None)] * 2


@pytest.mark.parametrize("surface", ["page", "api"])
def test_a_partner_of_another_organiser_is_refused_as_missing(client, auth, world, make, surface):
    request = _asked(world, make)
    if surface == "page":
        auth.login_as(world.coordinator)
        board = f"/editions/{world.edition.id}/respite"
        response = post_form(client, f"/respite-requests/{request.id}/ask",
                             {"partner_id": str(world.other_partner.id)}, page=board)
    else:
        response = client.patch(f"/api/v1/respite-requests/{request.id}",
                                json={"ask_partner_id": world.other_partner.id},
                                headers=bearer_for(world.coordinator))
    assert response.status_code == 404
    assert "This respite partner does not exist." in response.get_data(as_text=True)
    assert _states(request.id) == [(RespiteState.NEW, None)] * 2


def test_the_api_records_what_was_arranged_and_the_caregiver_without_email_is_phoned(
        client, world, make):
    managed = make.learner(email=None, password=None, name="Jozef Wouters",
                           managed_by_organiser_id=world.hub.id)
    request = _asked(world, make, caregiver=managed)
    response = client.patch(f"/api/v1/respite-requests/{request.id}",
                            headers=bearer_for(world.coordinator), json={"sessions": [
                                {"session_id": world.sessions[0].id, "state": "arranged",
                                 "partner_id": world.partner.id, "helper_first_name": "Greet"},
                                {"session_id": world.sessions[1].id, "state": "not_possible"}]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [s["state"] for s in response.get_json()["sessions"]] == ["arranged", "not_possible"]
    told = db.session.scalar(select(Notification).where(Notification.kind == "respite"))
    assert told.status == NotificationStatus.TO_PHONE and told.user_id == managed.id
    # A learner reads their own request, not someone else's.
    assert client.get(f"/api/v1/respite-requests/{request.id}",
                      headers=bearer_for(world.stranger)).status_code == 404
    empty = client.patch(f"/api/v1/respite-requests/{request.id}", json={},
                         headers=bearer_for(world.coordinator))
    assert empty.status_code == 422
