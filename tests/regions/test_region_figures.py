"""A region's figures: side by side and added up, nothing about fewer than five people, only
for its regional coordinators, the same on the page, in the CSV, the PDF and the API, in a
number of queries that does not grow with the region."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from college.dashboards.disclosure import too_few, withhold
from college.regions import services
from tests.api.conftest import bearer_for
from tests.conftest import counted_queries
from tests.dashboards.cohort import table_rows

WITHHELD = "withheld"


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.mark.parametrize(("cells", "hidden_already", "shown"), [
    ({"a": 10, "b": 12}, (), {"a": 10, "b": 12}),
    ({"a": 0, "b": 12}, (), {"a": 0, "b": 12}),  # zero names nobody
    ({"a": 4, "b": 12}, (), {"a": None, "b": None}),  # b would give a away from the total
    ({"a": 4, "b": 12, "c": 7}, (), {"a": None, "b": 12, "c": None}),  # the smallest other goes
    ({"a": 4, "b": 3, "c": 7}, (), {"a": None, "b": None, "c": 7}),  # two hidden: enough
    ({"a": 5, "b": 12, "c": 7}, ("a",), {"a": None, "b": 12, "c": None}),
    ({"a": 4, "b": 0}, (), {"a": None, "b": 0}),
])
def test_withhold_hides_small_cells_and_what_would_give_them_away(cells, hidden_already, shown):
    assert withhold(cells, hidden_already) == shown


@pytest.mark.parametrize(("count", "small"), [(0, False), (1, True), (4, True), (5, False)])
def test_the_minimum_group_is_five(count, small):
    assert too_few(count) is small


def test_members_side_by_side_and_added_up(client, auth, region_of):
    world = region_of([10, 7, 3])
    auth.login_as(world.regional)
    soup = soup_of(client.get(f"/regions/{world.region.id}/figures"))
    rows = table_rows(soup, "per-member-table")
    first, second, small = (m.name for m in world.members)
    assert rows[first]["Editions"] == "1" and rows[first]["Enrolled"] == "10"
    # Three people: every figure about them is withheld, the seats offered are not people.
    assert rows[small]["Enrolled"] == WITHHELD
    assert rows[small]["Completion rate"] == WITHHELD
    assert rows[small]["Seats offered"] == "20"
    assert rows["Region"]["Enrolled"] == "20" and rows["Region"]["Editions"] == "3"
    completed = {name: rows[name]["Completed"] for name in (first, second, small)}
    assert list(completed.values()).count(WITHHELD) >= 2  # 2, 2 and 1 completed: all too few
    assert rows["Region"]["Completed"] == "5"
    # No person's name anywhere on the page.
    assert "Persoon" not in soup.get_text()


def test_secondary_suppression_on_the_page(client, auth, region_of):
    world = region_of([10, 7, 3])
    auth.login_as(world.regional)
    rows = table_rows(soup_of(client.get(f"/regions/{world.region.id}/figures")), "per-member-table")
    enrolled = [rows[m.name]["Enrolled"] for m in world.members]
    # The small member is hidden, and so is the smallest other one (7): 10 alone gives nothing away.
    assert enrolled == ["10", WITHHELD, WITHHELD]


def test_reach_counts_distinct_people_and_withholds_small_cells(client, auth, region_of):
    world = region_of([10, 10])
    auth.login_as(world.regional)
    rows = table_rows(soup_of(client.get(f"/regions/{world.region.id}/figures")), "reach-table")
    # Ten learners each: 6 caregivers and 4 professionals (every third is a professional).
    assert rows[world.members[0].name]["Enrolled: Caregivers"] == "6"
    assert rows[world.members[0].name]["Enrolled: Professionals"] == WITHHELD
    assert rows["Region"]["Enrolled: Caregivers"] == "12"
    assert rows["Region"]["Enrolled: Professionals"] == "8"
    assert rows["Region"]["New learners"] == "20"


def test_a_region_that_is_too_small_shows_no_people_figures(client, auth, region_of):
    world = region_of([2, 2])
    auth.login_as(world.regional)
    rows = table_rows(soup_of(client.get(f"/regions/{world.region.id}/figures")), "per-member-table")
    assert rows["Region"]["Enrolled"] == WITHHELD
    assert rows["Region"]["Editions"] == "2"


def test_csv_and_pdf_hold_the_same_figures(client, auth, region_of):
    world = region_of([10, 7, 3])
    auth.login_as(world.regional)
    response = client.get(f"/regions/{world.region.id}/figures/members.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:3] == ["Organiser", "Editions", "Seats offered"]
    by_name = {line.split(";")[0]: line.split(";") for line in lines[1:]}
    assert by_name[world.members[0].name][3] == "10"
    assert by_name[world.members[2].name][3] == WITHHELD
    assert by_name["Region"][3] == "20"
    reach = client.get(f"/regions/{world.region.id}/figures/reach.csv").get_data().decode("utf-8-sig")
    assert "Enrolled: Caregivers" in reach.splitlines()[0]
    assert client.get(f"/regions/{world.region.id}/figures/people.csv").status_code == 404
    pdf = client.get(f"/regions/{world.region.id}/figures/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert world.region.name in text and world.members[0].name in text and WITHHELD in text


def test_api_figures_match_the_page(client, region_of):
    world = region_of([10, 7, 3])
    response = client.get(f"/api/v1/regions/{world.region.id}/figures",
                          headers=bearer_for(world.regional))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    members = {m["name"]: m["figures"] for m in body["members"]}
    assert members[world.members[0].name]["enrolled"] == 10
    assert members[world.members[2].name]["enrolled"] is None
    assert "enrolled" in members[world.members[2].name]["withheld"]
    assert body["total"]["enrolled"] == 20 and body["total"]["editions"] == 3
    assert body["total"]["reach_enrolled_caregiver"] == 12
    assert {d["key"] for d in body["definitions"]} >= {"fill_rate", "reach"}
    listed = client.get("/api/v1/regions", headers=bearer_for(world.regional)).get_json()
    assert listed["items"] == [{"id": world.region.id, "name": world.region.name,
                                "slug": world.region.slug}]


@pytest.mark.parametrize("query", ["start=2001-01-01&end=2001-12-31"])
def test_a_period_without_data_is_refused_everywhere(client, auth, region_of, query):
    world = region_of([10])
    api = client.get(f"/api/v1/regions/{world.region.id}/figures?{query}",
                     headers=bearer_for(world.regional))
    assert api.status_code == 422
    assert "No edition of the region's members started in this period" in api.get_json()["detail"]
    auth.login_as(world.regional)
    page = client.get(f"/regions/{world.region.id}/figures?{query}")
    assert page.status_code == 422
    assert "No edition of the region" in BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one(
        "#error-summary").get_text()
    assert client.get(f"/regions/{world.region.id}/figures/members.csv?{query}").status_code == 422
    assert client.get(f"/regions/{world.region.id}/figures?start=2026-13-01").status_code == 422


def _who(world, other, role: str):
    return {
        "regional": world.regional,
        "other_regional": other.regional,  # a regional coordinator of another region
        "member_coordinator": world.coordinators[0],  # coordinates a member, not the region
        "learner": world.member_learner,
    }[role]


#: One table of cases for the page and the API.
CASES = [("regional", 200, 200), ("other_regional", 403, 403),
         ("member_coordinator", 403, 403), ("learner", 403, 403)]


@pytest.mark.parametrize(("role", "page_status", "api_status"), CASES)
def test_only_the_regions_coordinators_read_its_figures(client, auth, make, region_of, role,
                                                        page_status, api_status):
    world = region_of([10, 6], name="Zone A")
    other = region_of([8], name="Zone B")
    world.member_learner = make.learner()
    user = _who(world, other, role)
    assert client.get(f"/api/v1/regions/{world.region.id}/figures",
                      headers=bearer_for(user)).status_code == api_status
    auth.login_as(user)
    for path in ("figures", "figures/members.csv", "figures/report.pdf"):
        assert client.get(f"/regions/{world.region.id}/{path}").status_code == page_status
    assert (client.get("/regions").status_code == 200) is (role in ("regional", "other_regional"))


def test_strangers_are_sent_to_log_in(client, region_of):
    world = region_of([10])
    response = client.get(f"/regions/{world.region.id}/figures")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(f"/api/v1/regions/{world.region.id}/figures").status_code == 401


def test_the_menu_shows_my_regions_to_regional_coordinators_only(client, auth, region_of):
    world = region_of([10])
    auth.login_as(world.regional)
    links = [a["href"] for a in soup_of(client.get("/")).select("nav a")]
    assert "/regions" in links
    auth.logout()
    auth.login_as(world.coordinators[0])
    assert "/regions" not in [a["href"] for a in soup_of(client.get("/")).select("nav a")]


def test_query_count_does_not_grow_with_the_region(client, auth, region_of):
    small = region_of([6, 5], name="Klein")
    large = region_of([9, 6, 12, 7, 5, 8], name="Groot")
    counts = {}
    for world in (small, large):
        auth.login_as(world.regional)
        with counted_queries() as page:
            soup_of(client.get(f"/regions/{world.region.id}/figures"))
        with counted_queries() as api:
            assert client.get(f"/api/v1/regions/{world.region.id}/figures",
                              headers=bearer_for(world.regional)).status_code == 200
        counts[world.region.name] = (len(page), len(api))
        auth.logout()
    assert counts["Klein"] == counts["Groot"]


def test_setting_up_a_region_refuses_bad_input(region_of, make):
    world = region_of([5])
    with pytest.raises(services.Conflict):
        services.create_region("Nog een zone", world.region.slug)
    with pytest.raises(services.Invalid):
        services.create_region(" ", "leeg")
    managed = make.learner(email=None, password=None)
    with pytest.raises(services.Invalid):
        services.add_regional_coordinator(world.region, managed)
