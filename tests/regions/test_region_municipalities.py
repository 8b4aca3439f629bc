"""A region keeps its own list of the municipalities it serves, with population figures where
it wishes; the region's reach per 1,000 inhabitants uses them where the installation's list
has none. Its regional coordinators only; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from college import timeutil
from college.extensions import db
from college.regions.models import RegionMunicipality
from tests.api.conftest import bearer_for
from tests.conftest import post_form
from tests.regions.test_residence import _reached, _rows


def kept(region_id: int) -> dict[int, int | None]:
    return dict(db.session.execute(
        select(RegionMunicipality.municipality_id, RegionMunicipality.population)
        .where(RegionMunicipality.region_id == region_id)).all())


def test_the_regional_coordinator_keeps_the_list_on_the_page(client, auth, region_of, towns):
    world = region_of([6])
    auth.login_as(world.regional)
    page = f"/regions/{world.region.id}/municipalities"
    assert "Sint-Niklaas (9100)" in client.get(page).get_data(as_text=True)
    response = post_form(client, page, {
        "municipality_ids": [str(towns["Deinze"].id), str(towns["Sint-Niklaas"].id)],
        f"population-{towns['Sint-Niklaas'].id}": "80 000", f"population-{towns['Zulte'].id}": "9"})
    assert response.status_code == 302
    # Zulte's figure was typed without its tick: the region does not serve it.
    assert kept(world.region.id) == {towns["Deinze"].id: None, towns["Sint-Niklaas"].id: 80000}
    shown = client.get(page).get_data(as_text=True)
    assert 'value="80000"' in shown
    assert "/municipalities" in client.get("/regions").get_data(as_text=True)
    body = client.get(f"/api/v1/regions/{world.region.id}/municipalities",
                      headers=bearer_for(world.regional)).get_json()
    assert [(item["municipality"]["name"], item["population"]) for item in body["items"]] == [
        ("Deinze", None), ("Sint-Niklaas", 80000)]


def test_the_regions_population_counts_where_the_list_has_none(client, auth, make, region_of, towns):
    world = region_of([5])
    day = timeutil.today() - timedelta(days=30)
    _reached(make, world.members[0], towns, day, {"Sint-Niklaas": 8, "Deinze": 6})
    year = str(day.year)
    auth.login_as(world.regional)
    reach = f"/regions/{world.region.id}/reach-by-municipality?start={(day - timedelta(days=60)).isoformat()}"
    assert _rows(client.get(reach))[(year, "Sint-Niklaas")][-1] == "–"  # no population known
    response = client.put(f"/api/v1/regions/{world.region.id}/municipalities",
                          headers=bearer_for(world.regional), json={"municipalities": [
                              {"municipality_id": towns["Sint-Niklaas"].id, "population": 80000},
                              {"municipality_id": towns["Deinze"].id, "population": 1000}]})
    assert response.status_code == 200, response.get_json()
    rows = _rows(client.get(reach))
    assert rows[(year, "Sint-Niklaas")][-1] == "0.1"  # 8 of 80,000
    # Deinze's population is in the installation's list (44,500): that one counts.
    assert rows[(year, "Deinze")][-1] == "0.13"


#: Bad input, page and API: what is sent, the message, nothing changed.
BAD = [
    ("unknown", 999_999, None, "Choose the municipalities from the list."),
    ("zero", "Deinze", 0, "A population is a whole number above zero."),
    ("negative", "Deinze", -5, "A population is a whole number above zero."),
    ("too large", "Deinze", 10**9, "A population is a whole number above zero."),
]


@pytest.mark.parametrize(("case", "town", "population", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_and_changes_nothing(client, auth, region_of, towns, case, town,
                                                  population, message):
    world = region_of([6])
    db.session.add(RegionMunicipality(region_id=world.region.id, municipality_id=towns["Zulte"].id,
                                      population=None))
    db.session.commit()
    municipality_id = towns[town].id if isinstance(town, str) else town
    api = client.put(f"/api/v1/regions/{world.region.id}/municipalities",
                     headers=bearer_for(world.regional),
                     json={"municipalities": [{"municipality_id": municipality_id,
                                               "population": population}]})
    assert api.status_code == 422
    if case == "unknown":  # the schema lets any id through: the service refuses it
        assert message in api.get_json()["detail"]
    auth.login_as(world.regional)
    page = post_form(client, f"/regions/{world.region.id}/municipalities", {
        "municipality_ids": [str(municipality_id)],
        f"population-{municipality_id}": "" if population is None else str(population)})
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    assert kept(world.region.id) == {towns["Zulte"].id: None}


def test_a_population_that_is_not_a_number_is_refused_on_the_page(client, auth, region_of, towns):
    world = region_of([6])
    auth.login_as(world.regional)
    page = post_form(client, f"/regions/{world.region.id}/municipalities", {
        "municipality_ids": [str(towns["Deinze"].id)], f"population-{towns['Deinze'].id}": "veel"})
    assert page.status_code == 422
    assert "A population is a whole number above zero." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RegionMunicipality)) == 0


@pytest.mark.parametrize("who", ["member_coordinator", "other_regional", "learner"])
def test_only_the_regional_coordinators_keep_the_list(client, auth, make, region_of, towns, who):
    world = region_of([6], name="Zone A")
    other = region_of([5], name="Zone B")
    user = {"member_coordinator": world.coordinators[0], "other_regional": other.regional,
            "learner": make.learner()}[who]
    url = f"/api/v1/regions/{world.region.id}/municipalities"
    assert client.get(url, headers=bearer_for(user)).status_code == 403
    assert client.put(url, headers=bearer_for(user), json={"municipalities": [
        {"municipality_id": towns["Deinze"].id, "population": None}]}).status_code == 403
    auth.login_as(user)
    assert client.get(f"/regions/{world.region.id}/municipalities").status_code == 403
    assert kept(world.region.id) == {}
