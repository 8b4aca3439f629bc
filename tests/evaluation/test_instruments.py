"""Burden instruments as data: the coordinator's page and the API decide alike (one table of
bad input), and what is entered is what caregivers are asked and how they are scored."""

from __future__ import annotations

import html

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college.evaluation import burden
from college.evaluation.models import BurdenInstrument
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.conftest import post_form

GOOD = {"name": "Eigen schaal", "items": ["Ik voel me moe", "Ik heb tijd voor mezelf"],
        "reversed": [2], "scale_min": 0, "scale_max": 4, "score": "sum",
        "bands": [(3, "licht"), (8, "zwaar")]}

#: (what differs from GOOD, the message on page and API).
CASES = [
    ({"name": " "}, "Give the instrument a name."),
    ({"items": [], "reversed": []}, "An instrument has between 1 and 40 items."),
    ({"items": ["x" * 301], "reversed": []}, "Item 1 needs a text of at most 300 characters."),
    ({"scale_min": 4, "scale_max": 4}, "The lowest answer must be below the highest, both from 0 to 100."),
    ({"scale_min": 5, "scale_max": 1}, "The lowest answer must be below the highest, both from 0 to 100."),
    ({"scale_max": 101}, "The lowest answer must be below the highest, both from 0 to 100."),
    ({"scale_min": "een"}, "The answer scale needs a lowest and a highest number."),
    ({"bands": [(9, "zwaar")]}, "Band \"zwaar\" ends outside the scores the instrument gives (0 to 8)."),
    ({"score": "mean", "bands": [(5, "zwaar")]},
     "Band \"zwaar\" ends outside the scores the instrument gives (0 to 4)."),
    ({"bands": [(-1, "licht")]}, "Band \"licht\" ends outside the scores the instrument gives (0 to 8)."),
    ({"bands": [("veel", "zwaar")]}, "Band \"zwaar\" needs its highest score as a number."),
    ({"bands": [(3, "")]}, "Each band needs a name of at most 40 characters."),
    ({"bands": [(3, "licht"), (3, "matig")]}, "Two bands end at the same score."),
    ({"score": "median"}, "The score is the sum or the mean of the items."),
]


def _page_data(values: dict) -> dict:
    return {"name": values["name"], "items": "\n".join(values["items"]),
            "reversed_items": ", ".join(str(number) for number in values["reversed"]),
            "scale_min": str(values["scale_min"]), "scale_max": str(values["scale_max"]),
            "low_label": "nooit", "high_label": "altijd", "score": values["score"],
            "bands": "\n".join(f"{upto} {label}".strip() for upto, label in values["bands"])}


def _api_body(values: dict) -> dict:
    return {"name": values["name"], "scale_min": values["scale_min"], "scale_max": values["scale_max"],
            "low_label": "nooit", "high_label": "altijd", "score": values["score"],
            "items": [{"text": text, "reversed": number in values["reversed"]}
                      for number, text in enumerate(values["items"], start=1)],
            "bands": [{"upto": upto, "label": label} for upto, label in values["bands"]]}


def _own() -> int:
    return db.session.scalar(select(func.count()).select_from(BurdenInstrument)
                             .where(BurdenInstrument.organiser_id.is_not(None)))


@pytest.mark.parametrize(("change", "message"), CASES)
@pytest.mark.parametrize("surface", ["page", "api"])
def test_bad_instruments_are_refused_alike_and_nothing_is_kept(make, client, auth, surface, change,
                                                               message):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    values = {**GOOD, **change}
    if surface == "api":
        response = client.post(f"/api/v1/organisers/{hub.id}/burden-instruments",
                               headers=bearer_for(coordinator), json=_api_body(values))
        if isinstance(values["scale_min"], str):  # the schema takes whole numbers only
            assert response.status_code == 422 and "scale_min" in response.get_data(as_text=True)
            assert _own() == 0
            return
    else:
        auth.login_as(coordinator)
        response = post_form(client, f"/organisers/{hub.id}/burden-instruments/new", _page_data(values))
    assert response.status_code == 422
    said = (response.get_json()["detail"] if surface == "api"
            else " ".join(html.unescape(response.get_data(as_text=True)).split()))
    assert message in said
    assert _own() == 0


def test_a_reversed_item_that_does_not_exist_is_refused_on_the_page(make, client, auth):
    hub = make.organiser()
    auth.login_as(make.coordinator(hub))
    response = post_form(client, f"/organisers/{hub.id}/burden-instruments/new",
                         _page_data({**GOOD, "reversed": [3]}))
    assert response.status_code == 422 and "There is no item 3 to reverse." in response.get_data(as_text=True)
    assert _own() == 0


@pytest.mark.parametrize("surface", ["page", "api"])
def test_an_instrument_entered_is_listed_switched_on_and_scored(make, client, auth, surface):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    if surface == "api":
        response = client.post(f"/api/v1/organisers/{hub.id}/burden-instruments",
                               headers=bearer_for(coordinator), json=_api_body(GOOD))
        assert response.status_code == 201
        auth.login_as(coordinator)
    else:
        auth.login_as(coordinator)
        response = post_form(client, f"/organisers/{hub.id}/burden-instruments/new", _page_data(GOOD))
        assert response.status_code == 302
    instrument = db.session.scalar(select(BurdenInstrument).where(BurdenInstrument.organiser_id == hub.id))
    assert instrument.items == [{"key": "i1", "text": "Ik voel me moe", "reversed": False},
                                {"key": "i2", "text": "Ik heb tijd voor mezelf", "reversed": True}]
    assert instrument.bands == [{"upto": 3.0, "label": "licht"}, {"upto": 8.0, "label": "zwaar"}]
    assert (instrument.low_label, instrument.high_label) == ("nooit", "altijd")
    assert burden.score_of(instrument, {"i1": 4, "i2": 1}) == 7.0  # 4 + (4 - 1)
    assert burden.band_of(instrument, 7.0) == "zwaar"
    page = BeautifulSoup(client.get(f"/organisers/{hub.id}/burden-instruments").get_data(as_text=True),
                         "html.parser").get_text(" ")
    text = " ".join(page.split())
    assert "Eigen schaal" in text and "Ik heb tijd voor mezelf (reversed)" in text
    assert "up to 3: licht; up to 8: zwaar" in text and "from 0 to 8" in text
    # The course's setting now offers it.
    setting = client.get(f"/courses/{make.course(hub).id}/burden-measure").get_data(as_text=True)
    assert "Eigen schaal" in setting


def test_only_the_organisers_coordinators_enter_instruments(make, client, auth):
    hub = make.organiser()
    auth.login_as(make.trainer(hub))
    assert client.get(f"/organisers/{hub.id}/burden-instruments").status_code == 403
    assert post_form(client, f"/organisers/{hub.id}/burden-instruments/new", _page_data(GOOD),
                     page="/").status_code == 403
    auth.logout()
    auth.login_as(make.coordinator(make.organiser()))
    assert client.get(f"/organisers/{hub.id}/burden-instruments/new").status_code == 403
    assert _own() == 0
