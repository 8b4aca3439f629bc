"""A region's public list of upcoming trainings: filters, the framable script-free list (the
only page another site may frame), the JSON feed, and a clear refusal of a bad filter."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup

from college import timeutil
from college.regions import services


def _region(make):
    region = services.create_region("Eerstelijnszone Leie", "zone-leie")
    members = [make.organiser(name="Hub Deinze"), make.organiser(name="Hub Zulte")]
    for member in members:
        services.add_member(region, member)
    outsider = make.organiser(name="Hub elders")
    soon = timeutil.today() + timedelta(days=10)
    make.edition(make.course(members[0], title="Omgaan met dementie"), starts_on=soon, place="Deinze")
    make.edition(make.course(members[1], title="Signalen van overbelasting", open_to_caregivers=False,
                             open_to_professionals=True), starts_on=soon + timedelta(days=40),
                 place="Zulte")
    make.edition(make.course(members[1], title="Nog niet gepubliceerd", published=False), starts_on=soon)
    make.edition(make.course(outsider, title="Elders"), starts_on=soon)
    return region, soon


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return [h.get_text(strip=True) for h in BeautifulSoup(response.get_data(as_text=True),
                                                           "html.parser").select("article h2")]


def test_the_list_shows_the_members_published_trainings_and_filters(client, make):
    region, soon = _region(make)
    assert _titles(client.get("/regions/zone-leie/trainings")) == [
        "Omgaan met dementie", "Signalen van overbelasting"]
    assert _titles(client.get("/regions/zone-leie/trainings?place=zulte")) == ["Signalen van overbelasting"]
    assert _titles(client.get("/regions/zone-leie/trainings?track=caregivers")) == ["Omgaan met dementie"]
    month = soon.strftime("%Y-%m")
    assert _titles(client.get(f"/regions/zone-leie/trainings?month={month}")) == ["Omgaan met dementie"]
    refused = client.get("/regions/zone-leie/trainings?month=maart")
    assert refused.status_code == 400
    assert "Give the month as year-month" in refused.get_data(as_text=True)
    assert client.get("/regions/geen-zone/trainings").status_code == 404


def test_only_the_embedded_list_may_be_framed_and_it_has_no_scripts(client, make):
    _region(make)
    embedded = client.get("/regions/zone-leie/trainings/embed?track=professionals")
    assert _titles(embedded) == ["Signalen van overbelasting"]
    assert "frame-ancestors *" in embedded.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embedded.headers
    assert "<script" not in embedded.get_data(as_text=True)
    page = client.get("/regions/zone-leie/trainings")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_the_json_feed(client, make):
    _region(make)
    feed = client.get("/regions/zone-leie/trainings.json?place=Deinze").get_json()
    assert feed["region"]["slug"] == "zone-leie"
    [item] = feed["items"]
    assert (item["course"], item["organiser"], item["place"], item["caregivers"]) == (
        "Omgaan met dementie", "Hub Deinze", "Deinze", True)
    assert item["url"].endswith(f"/courses/{item['url'].rsplit('/', 1)[1]}")
    assert client.get("/regions/zone-leie/trainings.json?track=iedereen").status_code == 400


def test_the_api_gives_the_same_list(client, make):
    region, _soon = _region(make)
    body = client.get(f"/api/v1/regions/{region.id}/trainings?track=professionals").get_json()
    assert [item["course"] for item in body["items"]] == ["Signalen van overbelasting"]
    assert client.get(f"/api/v1/regions/{region.id}/trainings?month=maart").status_code == 422
    assert client.get("/api/v1/regions/999/trainings").status_code == 404
