"""`/verify` has a form to type a certificate's code (a GET form: works without JavaScript)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from college import timeutil
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.services import new_verification_code
from college.enrolment.models import EnrolmentStatus
from college.extensions import db


@pytest.fixture()
def certificate(make) -> Certificate:
    learner = make.learner(name="Maria Peeters")
    edition = make.edition(make.course(make.organiser(), title="Omgaan met dementie"))
    enrolment = make.enrolment(learner, edition, EnrolmentStatus.COMPLETED)
    certificate = Certificate(enrolment_id=enrolment.id, learner_id=learner.id,
                              edition_id=edition.id, status=CertificateStatus.ISSUED,
                              verification_code=new_verification_code(), issued_at=timeutil.now())
    db.session.add(certificate)
    db.session.commit()
    return certificate


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def the_form(page: BeautifulSoup):
    form = page.select_one("main form")
    assert form["method"] == "get" and form["action"] == "/verify"
    assert form.find("input", attrs={"name": "csrf_token"}) is None
    return form


@pytest.mark.parametrize(("language", "label", "button"), [
    ("en", "Verification code", "Verify"),
    ("nl", "Verificatiecode", "Controleren"),
])
def test_verify_page_has_a_form_to_type_the_code(client, language, label, button):
    response = client.get("/verify", headers={"Accept-Language": language})
    assert response.status_code == 200
    form = the_form(soup(response))
    code_input = form.find("input", attrs={"name": "code"})
    assert form.find("label", attrs={"for": code_input["id"]}).get_text(strip=True) == label
    assert form.button.get_text(strip=True) == button


def test_a_typed_code_shows_the_certificate(client, certificate):
    code = certificate.verification_code
    typed = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"  # as read from paper
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 200
    page = soup(response)
    assert "This certificate is valid." in page.main.get_text()
    assert "Maria Peeters" in page.main.get_text()
    the_form(page)  # to check another one


def test_an_unknown_code_says_so_next_to_the_field_and_keeps_what_was_typed(client, certificate):
    response = client.get("/verify", query_string={"code": "zzzz-zzzz"})
    assert response.status_code == 404
    form = the_form(soup(response))
    code_input = form.find("input", attrs={"name": "code"})
    assert code_input["value"] == "zzzz-zzzz" and code_input["aria-invalid"] == "true"
    assert "No certificate has this code." in form.get_text()
    assert "This certificate is valid." not in response.get_data(as_text=True)


def test_the_code_in_the_qr_address_still_answers_with_the_form_below(client, certificate):
    page = soup(client.get(f"/verify/{certificate.verification_code}"))
    assert "This certificate is valid." in page.main.get_text()
    assert page.find("h2", string="Check another certificate")
    the_form(page)
