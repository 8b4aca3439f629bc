"""The region's downloads on both surfaces: the roll-up's CSV tables and PDF report, and the
referral figures as CSV, the same bytes from the page and from /api/v1, for the same people
(one table of cases)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from college.accounts.models import Kind
from college.extensions import db
from college.referrals import services as referrals
from college.referrals.models import ReferralOutcome
from tests.api.conftest import bearer_for

WITHHELD = "withheld"


def _referred(hub, source: str, number: int, outcome=None):
    for i in range(number):
        referral = referrals.refer_caregiver(
            organiser_id=hub.id, referrer=None, caregiver_name=f"Mantelzorger {i}",
            phone="09 386 44 21", email=None, needs=["training"], source=source, consent=True)
        referral.outcome = outcome
    db.session.commit()


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    return [line.split(";") for line in response.get_data().decode("utf-8-sig").splitlines()]


def test_the_api_downloads_the_same_tables_and_report_as_the_page(client, auth, region_of):
    world = region_of([10, 7, 3])
    base = f"/regions/{world.region.id}/figures"
    api = {"headers": bearer_for(world.regional)}
    auth.login_as(world.regional)
    for table in ("members", "reach", "evaluation", "definitions"):
        page = client.get(f"{base}/{table}.csv")
        from_api = client.get(f"/api/v1{base}/{table}.csv", **api)
        assert _csv(from_api) == _csv(page)
        assert from_api.headers["Content-Disposition"] == page.headers["Content-Disposition"]
    members = {row[0]: row for row in _csv(client.get(f"/api/v1{base}/members.csv", **api))}
    assert members[world.members[0].name][3] == "10"
    assert members[world.members[2].name][3] == WITHHELD
    assert client.get(f"/api/v1{base}/people.csv", **api).status_code == 404
    pdf = client.get(f"/api/v1{base}/report.pdf", **api)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert world.region.name in text and world.members[0].name in text and WITHHELD in text


def test_a_period_without_data_is_refused_by_every_download(client, auth, region_of):
    world = region_of([10])
    query = "start=2001-01-01&end=2001-12-31"
    base = f"/regions/{world.region.id}/figures"
    for path in (f"{base}/members.csv", f"{base}/report.pdf"):
        response = client.get(f"/api/v1{path}?{query}", headers=bearer_for(world.regional))
        assert response.status_code == 422
        assert "No edition of the region's members started" in response.get_json()["detail"]
    assert client.get(f"/api/v1{base}/members.csv?start=2026-13-01",
                      headers=bearer_for(world.regional)).status_code == 422


def test_referral_figures_as_csv_on_the_page_and_in_the_api(client, auth, region_of):
    world = region_of([6, 5])
    hub, other = world.members
    _referred(hub, "pharmacy", 6, ReferralOutcome.CONTACTED)
    _referred(hub, "gp", 2)
    _referred(hub, "home_nursing", 7)
    _referred(other, "pharmacy", 3)
    # The organiser's coordinators read exact counts, as on their page.
    auth.login_as(world.coordinators[0])
    page = client.get(f"/organisers/{hub.id}/referrals.csv")
    rows = _csv(page)
    assert rows[0] == ["Organiser", "Source", "Referred", "Contacted", "Enrolled", "Attended"]
    assert [hub.name, "Pharmacy", "6", "6", "0", "0"] in rows
    assert [hub.name, "GP", "2", "0", "0", "0"] in rows
    assert [hub.name, "Total", "15", "6", "0", "0"] in rows
    assert _csv(client.get(f"/api/v1/organisers/{hub.id}/referral-figures.csv",
                           headers=bearer_for(world.coordinators[0]))) == rows
    assert f'filename="{hub.slug}-referrals-' in page.headers["Content-Disposition"]
    auth.logout()
    # The region reads aggregates: small cells, and what would give them away, are withheld.
    auth.login_as(world.regional)
    regional = _csv(client.get(f"/regions/{world.region.id}/referrals.csv"))
    assert _csv(client.get(f"/api/v1/regions/{world.region.id}/referral-figures.csv",
                           headers=bearer_for(world.regional))) == regional
    region_rows = {row[1]: row for row in regional if row[0] == "Region"}
    assert region_rows["Pharmacy"][2] == "9" and region_rows["Total"][2] == "18"
    assert region_rows["GP"][2] == WITHHELD and region_rows["Home nursing"][2] == WITHHELD
    assert next(row for row in regional if row[:2] == [hub.name, "GP"])[2] == WITHHELD


def _people(world, other, make) -> dict:
    return {
        "regional": world.regional,
        "other_regional": other.regional,  # a regional coordinator of another region
        "member_coordinator": world.coordinators[0],  # coordinates a member, not the region
        "professional": make.learner(kind=Kind.PROFESSIONAL),  # one who refers caregivers
        "stranger": None,
    }


#: One table of cases for both surfaces: (who, page status, API status) per download.
REGION_DOWNLOADS = ["figures/members.csv", "figures/reach.csv", "figures/report.pdf",
                    "referrals.csv"]
CASES = [("regional", 200, 200), ("other_regional", 403, 403), ("member_coordinator", 403, 403),
         ("professional", 403, 403), ("stranger", 302, 401)]


def _api_path(path: str) -> str:
    return path.replace("referrals.csv", "referral-figures.csv")


@pytest.mark.parametrize(("who", "page_status", "api_status"), CASES)
def test_who_downloads_a_regions_figures(client, auth, make, region_of, who, page_status,
                                         api_status):
    world = region_of([10, 6], name="Zone A")
    other = region_of([8], name="Zone B")
    user = _people(world, other, make)[who]
    headers = bearer_for(user) if user else {}
    if user:
        auth.login_as(user)
    for path in REGION_DOWNLOADS:
        page = client.get(f"/regions/{world.region.id}/{path}")
        assert page.status_code == page_status, path
        assert client.get(f"/api/v1/regions/{world.region.id}/{_api_path(path)}",
                          headers=headers).status_code == api_status, path
    # A member's referral figures are its own coordinators' only.
    hub = world.members[0]
    mine = 200 if who == "member_coordinator" else page_status if who == "stranger" else 403
    assert client.get(f"/organisers/{hub.id}/referrals.csv").status_code == mine
    assert client.get(f"/api/v1/organisers/{hub.id}/referral-figures.csv",
                      headers=headers).status_code == (401 if who == "stranger" else mine)
