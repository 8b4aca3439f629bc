"""Staff who read referred caregivers' names and contact details are logged (the "To phone"
list and the API's list of referrals), the log is shown with the referral, and it goes when
the referral goes."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college.extensions import db
from college.privacy.access import referral_access_log
from college.privacy.models import PersonalDataAccess
from college.referrals import services
from college.referrals.models import Referral
from tests.api.conftest import bearer_for


def _refer(hub, name: str = "Rosa Van Hove") -> Referral:
    referral = services.refer_caregiver(
        organiser_id=hub.id, referrer=None, caregiver_name=name, phone="09 386 44 21",
        email=None, needs=["training"], source="pharmacy", consent=True)
    db.session.commit()
    return referral


def _lines(referral_id: int) -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(
        select(PersonalDataAccess.viewer_id, PersonalDataAccess.context)
        .where(PersonalDataAccess.referral_id == referral_id)
        .order_by(PersonalDataAccess.id))]


def test_reading_referred_caregivers_is_logged_and_shown(client, auth, make):
    hub = make.organiser()
    coordinator = make.coordinator(hub, name="Carla Coördinator")
    referral = _refer(hub)
    auth.login_as(coordinator)
    page = client.get(f"/organisers/{hub.id}/to-phone")
    assert page.status_code == 200
    assert _lines(referral.id) == [(coordinator.id, "referrals-to-phone")]
    assert client.get(f"/api/v1/organisers/{hub.id}/referrals",
                      headers=bearer_for(coordinator)).status_code == 200
    assert _lines(referral.id) == [(coordinator.id, "referrals-to-phone"),
                                   (coordinator.id, "referrals")]
    # The card of the referral says who looked at the caregiver's details, and where.
    soup = BeautifulSoup(client.get(f"/organisers/{hub.id}/to-phone").get_data(as_text=True),
                         "html.parser")
    details = soup.select_one("article.card details")
    assert "Who looked at this caregiver's details" in details.summary.get_text()
    lines = [li.get_text(" ", strip=True) for li in details.select("li")]
    assert len(lines) == 3
    assert lines[0].startswith("Carla Coördinator, list of referred caregivers to phone")
    assert any("list of referrals" in line for line in lines)
    # A learner's own access log holds no referral lines.
    assert db.session.scalar(select(func.count()).select_from(PersonalDataAccess)
                             .where(PersonalDataAccess.learner_id.is_not(None))) == 0


def test_a_refused_reader_is_not_logged_and_sees_nothing(client, auth, make):
    hub = make.organiser()
    referral = _refer(hub)
    other = make.coordinator(make.organiser())
    assert client.get(f"/api/v1/organisers/{hub.id}/referrals",
                      headers=bearer_for(other)).status_code == 403
    auth.login_as(other)
    page = client.get(f"/organisers/{hub.id}/to-phone")
    assert page.status_code == 403 and "Rosa Van Hove" not in page.get_data(as_text=True)
    assert _lines(referral.id) == []


def test_the_log_goes_with_the_referral(client, make):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    kept, erased = _refer(hub, "Rosa"), _refer(hub, "Jan")
    assert client.get(f"/api/v1/organisers/{hub.id}/referrals",
                      headers=bearer_for(coordinator)).status_code == 200
    db.session.delete(db.session.get(Referral, erased.id))
    db.session.commit()
    assert set(referral_access_log([kept.id, erased.id])) == {kept.id}
    assert db.session.scalar(select(func.count()).select_from(PersonalDataAccess)) == 1
