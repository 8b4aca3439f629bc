"""Referral by professionals: the public form and the API, consent required, the hub's "To
phone" list and outcome, the referrer told only that it was taken up, the figures per source
with nothing about fewer than five people, scoping and the rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import Kind
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import TrainingSession
from college.extensions import db
from college.referrals import services
from college.referrals.models import Referral, ReferralOutcome, ReferralSource
from college.regions import services as regions
from tests.api.conftest import bearer_for
from tests.conftest import csrf_token, post_form, shown_form
from tests.enrolment.test_notifications import run_worker, smtp_inbox  # noqa: F401

FORM = {"caregiver_name": "Rosa Van Hove", "phone": "09 386 44 21", "email": "",
        "needs": ["training", "someone_to_talk_to"], "source": "pharmacy", "consent": "y"}
API = {"caregiver_name": "Rosa Van Hove", "phone": "09 386 44 21", "needs": ["training"],
       "source": "pharmacy", "consent": True}


def _referrals() -> int:
    return db.session.scalar(select(func.count()).select_from(Referral))


def _refer(client, slug: str, data: dict, address: str = "192.0.2.10"):
    url = f"/organisers/{slug}/refer"
    form = shown_form(client, url)
    return client.post(url, data={**form, **data}, environ_base={"REMOTE_ADDR": address})


def test_the_public_form_lands_on_the_hubs_to_phone_list(client, auth, make):
    hub = make.organiser(name="Mantelzorghub Leiestreek")
    coordinator = make.coordinator(hub)
    response = _refer(client, hub.slug, {**FORM, "referrer_email": "apotheek@example.be"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/refer/thanks")
    referral = db.session.scalar(select(Referral))
    assert (referral.caregiver_name, referral.source, referral.need_keys, referral.referred_by_id,
            referral.referrer_email) == ("Rosa Van Hove", ReferralSource.PHARMACY,
                                         ["training", "someone_to_talk_to"], None,
                                         "apotheek@example.be")
    auth.login_as(coordinator)
    page = BeautifulSoup(client.get(f"/organisers/{hub.id}/to-phone").get_data(as_text=True), "html.parser")
    card = page.find("h3", string="Rosa Van Hove").find_parent("article")
    assert "Pharmacy" in card.get_text() and "Someone to talk to" in card.get_text()
    assert card.select_one("a.button")["href"] == "tel:093864421"


#: (what is wrong, form change, API change, message). One table for both surfaces.
BAD = [
    ("no consent", {"consent": ""}, {"consent": False},
     "Confirm that the caregiver agreed that the hub contacts them."),
    ("no way to reach", {"phone": ""}, {"phone": None},
     "Give a phone number or an email address to reach the caregiver."),
    ("no needs", {"needs": []}, {"needs": ["sleep"]}, None),
    ("no name", {"caregiver_name": " "}, {"caregiver_name": " "},
     "Give the caregiver's name (at most 120 characters)."),
]


@pytest.mark.parametrize(("what", "form_change", "api_change", "message"), BAD,
                         ids=[case[0] for case in BAD])
def test_bad_referrals_are_refused_with_a_clear_message(client, make, what, form_change,
                                                        api_change, message):
    hub = make.organiser()
    page = _refer(client, hub.slug, {**FORM, **form_change})
    assert page.status_code == 422
    if message:
        assert message in BeautifulSoup(page.get_data(as_text=True), "html.parser").get_text()
    professional = make.learner(kind=Kind.PROFESSIONAL)
    api = client.post(f"/api/v1/organisers/{hub.id}/referrals", json={**API, **api_change},
                      headers=bearer_for(professional))
    assert api.status_code == 422
    if message:
        assert message in str(api.get_json())
    assert _referrals() == 0


def test_who_refers_through_the_api(client, make):
    hub = make.organiser()
    other_hub = make.organiser()
    cases = {
        "professional": (make.learner(kind=Kind.PROFESSIONAL), 201),
        "staff of another hub": (make.trainer(other_hub), 201),
        "caregiver": (make.learner(kind=Kind.CAREGIVER), 403),
    }
    for who, (user, status) in cases.items():
        response = client.post(f"/api/v1/organisers/{hub.id}/referrals", json=API,
                               headers=bearer_for(user))
        assert response.status_code == status, who
    assert client.post(f"/api/v1/organisers/{hub.id}/referrals", json=API).status_code == 401
    assert _referrals() == 2
    professional = cases["professional"][0]
    key = {**bearer_for(professional), "Idempotency-Key": "verwijzing-1"}
    first = client.post(f"/api/v1/organisers/{hub.id}/referrals", json=API, headers=key)
    again = client.post(f"/api/v1/organisers/{hub.id}/referrals", json=API, headers=key)
    assert first.get_json()["id"] == again.get_json()["id"] and _referrals() == 3


def test_the_hub_records_the_outcome_and_the_referrer_hears_only_that(app, client, auth, make,
                                                                      smtp_inbox):  # noqa: F811
    hub = make.organiser(name="Zorgzaam Waasland")
    coordinator = make.coordinator(hub)
    pharmacist = make.learner(kind=Kind.PROFESSIONAL, email="apotheker@example.be")
    referral = services.refer_caregiver(
        organiser_id=hub.id, referrer=pharmacist, caregiver_name="Rosa Van Hove",
        phone="09 386 44 21", email=None, needs=["training"], source="pharmacy", consent=True)
    db.session.commit()
    auth.login_as(pharmacist)
    assert "Waiting for the hub." in client.get("/referrals/mine").get_data(as_text=True)
    auth.logout()
    # The caregiver is enrolled by the coordinator, as a managed account.
    caregiver = make.learner(email=None, password=None, name="Rosa Van Hove",
                             managed_by_organiser_id=hub.id)
    edition = make.edition(make.course(hub), starts_on=timeutil.today() - timedelta(days=1), sessions=1)
    enrolment = make.enrolment(caregiver, edition)
    auth.login_as(coordinator)
    url = f"/referrals/{referral.id}/outcome"
    page = f"/organisers/{hub.id}/to-phone"
    refused = post_form(client, url, {"outcome": "enrolled", "enrolment_id": ""}, page=page)
    assert refused.status_code == 422
    assert "Choose the enrolment the caregiver got." in refused.get_data(as_text=True)
    assert db.session.get(Referral, referral.id).outcome is None
    saved = post_form(client, url, {"outcome": "enrolled", "enrolment_id": str(enrolment.id)}, page=page)
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).outcome == ReferralOutcome.ENROLLED
    run_worker(app)
    [mail] = [m for to, m in smtp_inbox.messages if to == ["apotheker@example.be"]]
    assert mail["Subject"] == "Your referral was taken up"
    assert "Zorgzaam Waasland took up the referral" in mail.get_content()
    assert "Rosa" not in mail.get_content() and "enrolled" not in mail.get_content().lower()
    # A later correction mails nobody again.
    post_form(client, url, {"outcome": "contacted", "enrolment_id": ""}, page=page)
    run_worker(app)
    assert len(smtp_inbox.messages) == 1
    auth.logout()
    auth.login_as(pharmacist)
    mine = client.get("/referrals/mine").get_data(as_text=True)
    assert "The hub took it up." in mine and "Contacted" not in mine
    assert client.get("/api/v1/me/referrals", headers=bearer_for(pharmacist)).get_json()[
        "items"][0]["taken_up"] is True


def test_other_coordinators_cannot_record_an_outcome(client, auth, make):
    hub = make.organiser()
    referral = services.refer_caregiver(
        organiser_id=hub.id, referrer=None, caregiver_name="Rosa", phone="09 386 44 21",
        email=None, needs=["information"], source="gp", consent=True)
    db.session.commit()
    other = make.coordinator(make.organiser())
    answer = client.post(f"/api/v1/referrals/{referral.id}/outcome", json={"outcome": "contacted"},
                         headers=bearer_for(other))
    assert answer.status_code == 403
    assert client.get(f"/api/v1/organisers/{hub.id}/referrals", headers=bearer_for(other)).status_code == 403
    assert db.session.get(Referral, referral.id).outcome is None


def _referred(hub, source: str, number: int, outcome=None, enrolment_id=None):
    for i in range(number):
        referral = services.refer_caregiver(
            organiser_id=hub.id, referrer=None, caregiver_name=f"Mantelzorger {i}",
            phone="09 386 44 21", email=None, needs=["training"], source=source, consent=True)
        referral.outcome, referral.enrolment_id = outcome, enrolment_id
    db.session.commit()


def test_figures_per_source_with_the_minimum_group_size(client, auth, make, region_of):
    world = region_of([6, 5])
    hub, other = world.members
    learner = make.learner()
    edition = make.edition(make.course(hub), starts_on=timeutil.today() - timedelta(days=3), sessions=1)
    enrolment = make.enrolment(learner, edition)
    session_id = db.session.scalar(select(TrainingSession.id).where(TrainingSession.edition_id == edition.id))
    db.session.add(Attendance(session_id=session_id, learner_id=learner.id,
                              status=AttendanceStatus.PRESENT))
    _referred(hub, "pharmacy", 6, ReferralOutcome.ENROLLED, enrolment.id)
    _referred(hub, "gp", 2, ReferralOutcome.CONTACTED)
    _referred(hub, "home_nursing", 7)
    _referred(other, "pharmacy", 3)
    auth.login_as(world.coordinators[0])
    soup = BeautifulSoup(client.get(f"/organisers/{hub.id}/referrals").get_data(as_text=True), "html.parser")
    rows = {tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
            for tr in soup.select("tbody tr")}
    # The organiser's coordinators phone each referral: they read exact counts.
    assert rows["Pharmacy"] == ["6", "6", "6", "6"]
    assert rows["GP"] == ["2", "2", "0", "0"]
    assert rows["Home nursing"] == ["7", "0", "0", "0"]
    assert rows["Total"] == ["15", "8", "6", "6"]
    auth.logout()
    regional = client.get(f"/api/v1/regions/{world.region.id}/referral-figures",
                          headers=bearer_for(world.regional)).get_json()
    # The region reads aggregates only: GP's 2 is withheld, and the smallest other cell of
    # its column too, so it cannot be worked out from the total.
    total = {row["source"]: row for row in regional["total"]}
    assert total["pharmacy"]["referred"] == 9 and total[None]["referred"] == 18
    assert total["gp"]["referred"] is None and total["home_nursing"]["referred"] is None
    member = {row["source"]: row for row in regional["organisers"][0]["rows"]}
    assert member["gp"]["referred"] is None and member["pharmacy"]["enrolled"] == 6
    assert client.get(f"/api/v1/regions/{world.region.id}/referral-figures",
                      headers=bearer_for(world.coordinators[0])).status_code == 403
    auth.login_as(world.coordinators[1])
    assert client.get(f"/organisers/{hub.id}/referrals").status_code == 403


def test_the_public_form_is_rate_limited_per_address(app, make):
    hub = make.organiser()
    browser = app.test_client()
    answers = [_refer(browser, hub.slug, FORM, address="203.0.113.50").status_code for _ in range(11)]
    assert answers == [303] * 10 + [429]
    assert _refer(browser, hub.slug, FORM, address="203.0.113.51").status_code == 303


def test_a_double_click_refers_once(client, make):
    hub = make.organiser()
    url = f"/organisers/{hub.id and hub.slug}/refer"
    form = {**shown_form(client, url), **FORM}
    assert [client.post(url, data=form).status_code for _ in range(2)] == [303, 303]
    assert _referrals() == 1
    assert csrf_token(client, url)


def test_regions_and_referrals_are_unknown_to_a_stranger(client, make):
    region = regions.create_region("Zone", "zone-x")
    db.session.commit()
    assert client.get(f"/regions/{region.id}/referrals").status_code == 302
    assert client.get(f"/api/v1/regions/{region.id}/referral-figures").status_code == 401


def test_the_referrers_export_holds_their_referrals_and_only_taken_up(client, make):
    from college.privacy.services import user_data

    hub = make.organiser(name="Mantelzorghub Deinze")
    pharmacist = make.learner(kind=Kind.PROFESSIONAL)
    response = client.post(f"/api/v1/organisers/{hub.id}/referrals", json=API,
                           headers=bearer_for(pharmacist))
    assert response.status_code == 201
    coordinator = make.coordinator(hub)
    services.record_outcome(referral_id=response.get_json()["id"], actor=coordinator,
                            outcome="not_reachable", enrolment_id=None)
    db.session.commit()
    [made] = user_data(pharmacist.id)["referrals_made"]
    assert made["hub"] == "Mantelzorghub Deinze" and made["caregiver_name"] == API["caregiver_name"]
    assert made["taken_up"] is True and made["source"] == API["source"]
    # What the hub did, and the caregiver's contact details, are not the referrer's.
    assert "not_reachable" not in str(made) and API["phone"] not in str(made)
    assert user_data(coordinator.id)["referrals_made"] == []
