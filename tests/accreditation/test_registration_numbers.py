"""Professionals keep a registration number per scheme; a RIZIV number's check digits are
checked, on the page and through the API alike."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from college.accreditation.models import RegistrationNumber
from college.extensions import db
from college.privacy.services import anonymise, user_data
from tests.api.conftest import assert_problem, bearer_for
from tests.conftest import post_form

#: (typed, kept afterwards or None when refused, words of the message when refused)
CASES = [
    ("1-23456-25-001", "12345625001", None),
    ("1-23456-76-001", "12345676001", None),
    ("1-23456-26-001", None, "its check digits (7th and 8th) do not match"),
    ("1-23456-25", None, "A RIZIV number has 11 digits"),
]


def _page_save(client, auth, user, scheme, typed):
    auth.login_as(user)
    response = post_form(client, "/account/registration-numbers", {f"scheme_{scheme.id}": typed},
                         page="/account/registration-numbers")
    return response.status_code, response.get_data(as_text=True)


def _api_save(client, auth, user, scheme, typed):
    response = client.put(f"/api/v1/me/registration-numbers/{scheme.id}", json={"number": typed},
                          headers=bearer_for(user))
    body = response.get_json(force=True) if response.data else {}
    return response.status_code, body.get("detail", "")


SURFACES = {"page": _page_save, "api": _api_save}


@pytest.mark.parametrize("surface", sorted(SURFACES))
@pytest.mark.parametrize(("typed", "kept", "message"), CASES)
def test_riziv_number_on_page_and_api(client, auth, schemes, professional, surface, typed, kept,
                                      message):
    status, said = SURFACES[surface](client, auth, professional, schemes["riziv"], typed)
    db.session.expire_all()
    if kept:
        assert status in (200, 302)
        assert RegistrationNumber.of(professional.id) == {schemes["riziv"].id: kept}
    else:
        assert status == 422
        assert message in said
        assert RegistrationNumber.of(professional.id) == {}


def test_a_refused_number_keeps_the_others_unchanged(client, auth, schemes, professional):
    auth.login_as(professional)
    post_form(client, "/account/registration-numbers",
              {f"scheme_{schemes['nurses'].id}": "PV-1", f"scheme_{schemes['riziv'].id}": ""},
              page="/account/registration-numbers")
    response = post_form(client, "/account/registration-numbers",
                         {f"scheme_{schemes['nurses'].id}": "PV-2",
                          f"scheme_{schemes['riziv'].id}": "1-23456-26-001"},
                         page="/account/registration-numbers")
    assert response.status_code == 422
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "check digits" in page.select_one(".error-summary").get_text()
    db.session.expire_all()
    assert RegistrationNumber.of(professional.id) == {schemes["nurses"].id: "PV-1"}


def test_an_empty_number_removes_it(client, auth, schemes, professional):
    headers = bearer_for(professional)
    url = f"/api/v1/me/registration-numbers/{schemes['nurses'].id}"
    assert client.put(url, json={"number": " PV-2026  77 "}, headers=headers).get_json()["number"] == "PV-2026 77"
    listed = client.get("/api/v1/me/registration-numbers", headers=headers).get_json()["items"]
    assert [(item["scheme"]["code"], item["number"]) for item in listed] == [("nurses", "PV-2026 77")]
    assert client.put(url, json={"number": ""}, headers=headers).status_code == 204
    assert RegistrationNumber.of(professional.id) == {}


def test_caregivers_keep_no_registration_numbers(client, auth, make, schemes):
    caregiver = make.learner()
    assert_problem(client.put(f"/api/v1/me/registration-numbers/{schemes['nurses'].id}",
                              json={"number": "PV-1"}, headers=bearer_for(caregiver)), 403)
    auth.login_as(caregiver)
    html = client.get("/account/registration-numbers").get_data(as_text=True)
    assert "Only professionals keep registration numbers." in html
    assert post_form(client, "/account/registration-numbers",
                     {f"scheme_{schemes['nurses'].id}": "PV-1"}).status_code == 403
    assert RegistrationNumber.of(caregiver.id) == {}


def test_an_unknown_scheme_is_404(client, professional):
    assert_problem(client.put("/api/v1/me/registration-numbers/99999", json={"number": "1"},
                              headers=bearer_for(professional)), 404)


def test_numbers_are_in_the_data_export_and_gone_with_erasure(schemes, professional):
    from college.accreditation.services import set_registration_number

    set_registration_number(professional, schemes["riziv"].id, "1-23456-25-001")
    db.session.commit()
    assert user_data(professional.id)["registration_numbers"] == [
        {"scheme": "RIZIV-accreditering artsen", "number": "12345625001"}]
    anonymise(professional)
    db.session.commit()
    assert RegistrationNumber.of(professional.id) == {}
