"""A region's respite figures: the organisers' dashboard figures per member and added up once,
with the minimum group of five, on the page, in the CSV, the PDF and the API."""

from __future__ import annotations

import io

from bs4 import BeautifulSoup
from pypdf import PdfReader

from college.extensions import db
from college.regions import services as regions
from tests.api.conftest import bearer_for
from tests.dashboards.cohort import table_rows
from tests.respite.test_figures import _cohort

WITHHELD = "withheld"


def _region(world, make):
    region = regions.create_region("Eerstelijnszone Gent", "elz-gent-respijt")
    regions.add_member(region, world.hub)
    regions.add_member(region, world.other_hub)
    regional = make.user(kind=None, roles=(), name="Rita Regio")
    regions.add_regional_coordinator(region, regional)
    db.session.commit()
    day = world.edition.starts_on.isoformat()
    return region, regional, f"start={day}&end={day}"


def test_respite_per_member_and_in_the_region_everywhere(client, auth, world, make):
    _cohort(world, make, with_respite=6, arranged=5, without=5)
    region, regional, period = _region(world, make)
    auth.login_as(regional)
    page = client.get(f"/regions/{region.id}/figures?{period}")
    assert page.status_code == 200
    rows = table_rows(BeautifulSoup(page.get_data(as_text=True), "html.parser"), "respite-table")
    hub = rows[world.hub.name]
    assert (hub["Respite requests"], hub["Respite arranged"]) == ("6", "5")
    assert hub["Respite not possible"] == WITHHELD  # one person
    assert hub["Attendance with respite, in percent"] == "50%"
    assert hub["Attendance without respite, in percent"] == "60%"
    assert rows["Region"]["Respite requests"] == "6"
    assert "that asked for respite care during the sessions" in page.get_data(as_text=True)
    assert rows["Region"]["Respite not possible"] == WITHHELD
    csv = client.get(f"/regions/{region.id}/figures/respite.csv?{period}")
    lines = [line.split(";") for line in csv.get_data().decode("utf-8-sig").splitlines()]
    assert lines[0][:2] == ["Organiser", "Respite requests"]
    assert [world.hub.name, "6", "5", WITHHELD, "50", "60"] in lines
    api = client.get(f"/api/v1/regions/{region.id}/figures/respite.csv?{period}",
                     headers=bearer_for(regional))
    assert api.get_data() == csv.get_data()
    body = client.get(f"/api/v1/regions/{region.id}/figures?{period}",
                      headers=bearer_for(regional)).get_json()
    assert body["total"]["respite_requests"] == 6 and body["total"]["respite_arranged"] == 5
    assert body["total"]["respite_not_possible"] is None
    assert "respite_not_possible" in body["total"]["withheld"]
    assert body["total"]["respite_attendance_with"] == 50.0
    assert {d["key"] for d in body["definitions"]} >= {"respite_requests",
                                                        "respite_attendance_without"}
    pdf = client.get(f"/regions/{region.id}/figures/report.pdf?{period}")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Respite requests" in text


def test_a_small_respite_group_says_nothing(client, auth, world, make):
    _cohort(world, make, with_respite=4, arranged=4, without=5)
    region, regional, period = _region(world, make)
    body = client.get(f"/api/v1/regions/{region.id}/figures?{period}",
                      headers=bearer_for(regional)).get_json()
    member = {m["name"]: m["figures"] for m in body["members"]}[world.hub.name]
    assert member["respite_requests"] is None and member["respite_attendance_with"] is None
    assert member["respite_attendance_without"] == 60.0
    assert body["total"]["respite_requests"] is None


def test_a_region_without_respite_shows_no_respite_table(client, auth, make):

    hub = make.organiser()
    region = regions.create_region("Zone zonder respijt", "zone-zonder")
    regions.add_member(region, hub)
    regional = make.user(kind=None, roles=())
    regions.add_regional_coordinator(region, regional)
    edition = make.edition(make.course(hub))
    for _ in range(5):
        make.enrolment(make.learner(), edition)
    db.session.commit()
    auth.login_as(regional)
    day = edition.starts_on.isoformat()
    page = client.get(f"/regions/{region.id}/figures?start={day}&end={day}").get_data(as_text=True)
    assert 'id="respite-table"' not in page
