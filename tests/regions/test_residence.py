"""Where learners live: optional, from the list, in the export, gone with erasure; the reach
per municipality of residence, with nothing about fewer than five people."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import Kind, User
from college.enrolment.models import Enrolment
from college.extensions import db
from college.privacy.services import anonymise, user_data
from college.regions import residence
from college.regions.models import Municipality, Residence, ServedMunicipality
from tests.api.conftest import bearer_for
from tests.conftest import counted_queries, post_form


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_list_is_imported_and_refuses_bad_lines(runner, tmp_path, towns):
    assert towns["Deinze"].nis_code == "44083" and towns["Sint-Niklaas"].population is None
    assert towns["Deinze"].label == "Deinze (9800 9810)"
    bad = tmp_path / "list.csv"
    bad.write_text("nis_code;name;postcodes;population\n44084;Nevele;9850;12000\n4408;Kapot;;\n",
                   encoding="utf-8")
    result = runner.invoke(args=["college", "municipalities", str(bad)])
    # The command line speaks the default language, Dutch.
    assert result.exit_code != 0 and "Regel 3: geef een NIS-code van vijf cijfers en een naam." in result.output
    assert _count(Municipality) == 3  # nothing changed
    good = tmp_path / "good.csv"
    good.write_text("nis_code;name;postcodes;population\n46021;Sint-Niklaas;9100 9111;80000\n",
                    encoding="utf-8")
    assert "3 municipalities" in runner.invoke(args=["college", "municipalities", str(good)]).output
    db.session.expire_all()
    assert db.session.get(Municipality, towns["Sint-Niklaas"].id).population == 80000


#: (sent, page status, API status, saved municipality name or None). One table, both surfaces.
CHOICES = [("Zulte", 302, 200, "Zulte"), ("", 302, 200, None), ("999999", 422, 422, "Deinze"),
           ("abc", 422, None, "Deinze")]


@pytest.mark.parametrize(("sent", "page_status", "api_status", "saved"), CHOICES)
def test_a_learner_gives_their_municipality_from_the_list(client, auth, make, towns, sent,
                                                          page_status, api_status, saved):
    learner = make.learner()
    residence.set_residence(learner, towns["Deinze"].id)
    db.session.commit()
    value = str(towns[sent].id) if sent in towns else sent
    auth.login_as(learner)
    response = post_form(client, "/account/municipality", {"municipality_id": value})
    assert response.status_code == page_status
    if page_status == 422:
        assert "Choose your municipality from the list." in response.get_data(as_text=True)
    db.session.expire_all()
    lives_in = residence.residence_of(learner)
    assert (lives_in.name if lives_in else None) == saved
    if api_status is None:
        return
    residence.set_residence(learner, towns["Deinze"].id)
    db.session.commit()
    body = {"municipality_id": int(value) if value else None}
    answer = client.put("/api/v1/me/municipality", json=body, headers=bearer_for(learner))
    assert answer.status_code == api_status
    db.session.expire_all()
    lives_in = residence.residence_of(learner)
    assert (lives_in.name if lives_in else None) == saved


def test_the_page_shows_the_list_and_the_current_choice(client, auth, make, towns):
    learner = make.learner()
    residence.set_residence(learner, towns["Zulte"].id)
    db.session.commit()
    auth.login_as(learner)
    soup = BeautifulSoup(client.get("/account/municipality").get_data(as_text=True), "html.parser")
    options = {o.get_text(): o.has_attr("selected") for o in soup.select("select option")}
    assert options["Zulte (9870)"] is True and "I'd rather not say" in options
    assert client.get("/api/v1/municipalities").get_json()["items"][0]["name"] == "Deinze"


def test_in_the_export_and_gone_with_erasure(make, towns):
    learner = make.learner()
    residence.set_residence(learner, towns["Zulte"].id)
    db.session.commit()
    assert user_data(learner.id)["profile"]["municipality_of_residence"] == {
        "name": "Zulte", "nis_code": "44081"}
    anonymise(learner)
    db.session.commit()
    assert _count(Residence) == 0
    assert user_data(learner.id)["profile"]["municipality_of_residence"] is None


def _reached(make, organiser, towns, day: date, people: dict[str, int], kind=Kind.CAREGIVER,
             learners=None):
    edition = make.edition(make.course(organiser), starts_on=day)
    learners = learners or []
    for town, number in people.items():
        for _ in range(number):
            learner = make.learner(kind=kind)
            if town:
                residence.set_residence(learner, towns[town].id)
            learners.append(learner)
    for learner in learners:
        make.enrolment(learner, edition)
    db.session.commit()
    return learners


def _rows(response) -> dict[tuple[str, str], list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {(tr.td.get_text(strip=True), tr.th.get_text(strip=True)):
            [td.get_text(strip=True) for td in tr.select("td")[1:]]
            for tr in soup.select("#reach-municipality-table ~ tbody tr, table tbody tr") if tr.th}


def test_reach_per_municipality_year_new_and_returning(client, auth, make, towns):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    last_year = date(timeutil.today().year - 1, 3, 1)
    this_year = max(date(timeutil.today().year, 1, 1), timeutil.today() - timedelta(days=1))
    before = _reached(make, hub, towns, last_year, {"Deinze": 6})
    _reached(make, hub, towns, this_year, {"Deinze": 4, "Zulte": 3, "Sint-Niklaas": 8, "": 5},
             learners=list(before))
    auth.login_as(coordinator)
    start = last_year.isoformat()
    rows = _rows(client.get(f"/organisers/{hub.id}/reach-by-municipality?start={start}"))
    year, previous = str(this_year.year), str(last_year.year)
    assert rows[(previous, "Deinze")] == ["6", "0", "6", "0", "0.13"]
    # 6 returning and 4 new from Deinze: 10 people, 0.22 per 1,000 of 44,500.
    assert rows[(year, "Deinze")] == ["10", "0", "withheld", "withheld", "0.22"]
    assert rows[(year, "Zulte")] == ["withheld", "0", "withheld", "0", "withheld"]
    assert rows[(year, "Sint-Niklaas")] == ["8", "0", "8", "0", "–"]  # population unknown
    assert rows[(year, "Not given")] == ["5", "0", "5", "0", "–"]
    api = client.get(f"/api/v1/organisers/{hub.id}/reach-by-municipality?start={start}",
                     headers=bearer_for(coordinator)).get_json()
    zulte = next(r for r in api["rows"] if r["municipality"] and r["municipality"]["name"] == "Zulte")
    assert zulte["caregivers"] is None and "caregivers" in zulte["withheld"]
    csv = client.get(f"/organisers/{hub.id}/reach-by-municipality.csv?start={start}")
    assert "Sint-Niklaas;46021;8;0;8;0;" in csv.get_data().decode("utf-8-sig")


#: Who reads which reach: (who, organiser page/API, region page/API).
READERS = [("coordinator", 200, 403), ("other_coordinator", 403, 403), ("regional", 403, 200),
           ("learner", 403, 403)]


@pytest.mark.parametrize(("who", "organiser_status", "region_status"), READERS)
def test_who_reads_the_reach_per_municipality(client, auth, make, towns, region_of, who,
                                              organiser_status, region_status):
    world = region_of([6, 5])
    people = {"coordinator": world.coordinators[0], "other_coordinator": make.coordinator(make.organiser()),
              "regional": world.regional, "learner": make.learner()}
    user = people[who]
    organiser_id, region_id = world.members[0].id, world.region.id
    assert client.get(f"/api/v1/organisers/{organiser_id}/reach-by-municipality",
                      headers=bearer_for(user)).status_code == organiser_status
    assert client.get(f"/api/v1/regions/{region_id}/reach-by-municipality",
                      headers=bearer_for(user)).status_code == region_status
    auth.login_as(user)
    assert client.get(f"/organisers/{organiser_id}/reach-by-municipality").status_code == organiser_status
    assert client.get(f"/regions/{region_id}/reach-by-municipality.csv").status_code == region_status


def test_region_reach_counts_someone_once_and_keeps_queries_fixed(client, auth, make, towns, region_of):
    counts = []
    for sizes in ([6], [6, 7, 8, 5]):
        world = region_of(sizes, name=f"Zone {len(sizes)}")
        # Someone of the first member also trains with the second: one person for the region.
        first = db.session.scalars(select(Enrolment.learner_id).order_by(Enrolment.id.desc())).first()
        make.enrolment(db.session.get(User, first), make.edition(
            make.course(world.members[-1]), starts_on=timeutil.today() - timedelta(days=40)))
        auth.login_as(world.regional)
        with counted_queries() as queries:
            rows = _rows(client.get(f"/regions/{world.region.id}/reach-by-municipality"))
        counts.append(len(queries))
        auth.logout()
    assert counts[0] == counts[1]
    # Nobody gave a municipality in these regions: 26 people, 16 caregivers, 10 professionals.
    assert rows[(str((timeutil.today() - timedelta(days=40)).year), "Not given")][:2] == ["16", "10"]


def test_coordinators_keep_the_municipalities_they_serve(client, auth, make, towns):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    auth.login_as(coordinator)
    response = post_form(client, f"/organisers/{hub.id}/municipalities",
                         {"municipality_ids": [str(towns["Deinze"].id), str(towns["Zulte"].id)]})
    assert response.status_code == 302
    assert {s.municipality_id for s in db.session.scalars(select(ServedMunicipality))} == {
        towns["Deinze"].id, towns["Zulte"].id}
    refused = client.put(f"/api/v1/organisers/{hub.id}/municipalities",
                         json={"municipality_ids": [999999]}, headers=bearer_for(coordinator))
    assert refused.status_code == 422
    assert _count(ServedMunicipality) == 2
    other = make.coordinator(make.organiser())
    assert client.put(f"/api/v1/organisers/{hub.id}/municipalities", json={"municipality_ids": []},
                      headers=bearer_for(other)).status_code == 403
    assert _count(ServedMunicipality) == 2
