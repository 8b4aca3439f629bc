"""Coordinators design their organiser's certificates: layouts, colours, signature, text blocks
with placeholders, a preview that saves nothing, versions with restore, and regenerating."""

from __future__ import annotations

import base64
import io
import re

import pytest
from sqlalchemy import func, select

from college.accounts.models import Organiser, User
from college.catalogue.models import Course, Edition
from college.certificates import editions
from college.certificates.models import Certificate, CertificateDesign, StoredFile
from college.certificates.services import verify_pdf
from college.certificates.signing import Verdict
from college.certificates.storage import file_storage
from college.enrolment.models import Enrolment
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.certificates.helpers import (
    DESIGN,
    certificates_of,
    complete_enrolment,
    designed_edition,
    issued_pdf,
    pdf_text,
    png,
    professional,
    run_worker,
)
from tests.conftest import post_form


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture()
def hub(make):
    """An organiser with its coordinator."""
    organiser = make.organiser("Mantelzorghub Deinze")
    return organiser, make.coordinator(organiser, name="Els Claes")


def _url(organiser, tail: str = "") -> str:
    return f"/organisers/{organiser.id}/certificate-design{tail}"


def _api(organiser, tail: str = "") -> str:
    return f"/api/v1/organisers/{organiser.id}/certificate-design{tail}"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


#: Bad input, as the page and the API both refuse it: field, value, what the person reads.
BAD_INPUT = [
    ("layout", "fancy", "Choose one of the layouts: classic, modern, compact."),
    ("primary_colour", "blue", "Enter the primary colour as # and six hexadecimal digits"),
    ("primary_colour", "#ffff00", "The primary colour #ffff00 is too light: its contrast with "
                                  "white is 1.1:1, and text needs at least 4.5:1"),
    ("accent_colour", "#999999", "The accent colour #999999 is too light: its contrast with "
                                 "white is 2.8:1"),
    ("title_text", "Attest for {naam} and {course}",
     "Unknown placeholder {naam}, {course}. You can use {learner}, {training}, {dates}, {hours}, "
     "{organiser}."),
    ("intro_text", "Welcome {learner", "A brace is not closed or not opened"),
    ("closing_text", "Thanks } and {learner}", "A brace is not closed or not opened"),
    ("closing_text", "x" * 601, "At most 600 characters."),
    ("signatory_name", "n" * 121, "At most 120 characters."),
    ("signature", b"GIF89a not really", "The signature must be a PNG or JPEG image."),
    ("signature", png(3000, 1000), "The signature image is too large: at most 2000 by 1000 pixels."),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUT)
def test_the_page_refuses_bad_input_with_a_clear_message_and_saves_nothing(
        client, auth, hub, field, value, message):
    organiser, coordinator = hub
    auth.login_as(coordinator)
    data = {**DESIGN}
    if field == "signature":
        data["signature"] = (io.BytesIO(value), "signature.png")
    else:
        data[field] = value

    response = post_form(client, _url(organiser), data, content_type="multipart/form-data")

    assert response.status_code == 422
    page = _flat(response.get_data(as_text=True))
    assert message.replace("&", "&amp;") in page.replace("&#39;", "'")
    assert _count(CertificateDesign) == 0


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUT)
def test_the_api_refuses_bad_input_with_a_clear_message_and_saves_nothing(
        client, hub, field, value, message):
    organiser, coordinator = hub
    body = {**DESIGN}
    body[field] = base64.b64encode(value).decode() if field == "signature" else value

    response = client.put(_api(organiser), json=body, headers=bearer_for(coordinator))

    assert response.status_code == 422
    problem = response.get_json()
    assert any(message in text for text in problem["errors"][field]), problem
    assert _count(CertificateDesign) == 0


def test_a_signature_that_is_not_base64_is_refused_by_the_api(client, hub):
    organiser, coordinator = hub
    response = client.put(_api(organiser), json={**DESIGN, "signature": "not base64!"},
                          headers=bearer_for(coordinator))
    assert response.status_code == 422
    assert response.get_json()["errors"]["signature"] == [
        "The signature must be a PNG or JPEG image, base64-encoded."]


def test_the_certificate_shows_the_saved_design_with_its_placeholders_filled_in(app, make, client, auth, hub):
    organiser, coordinator = hub
    auth.login_as(coordinator)
    response = post_form(client, _url(organiser), {**DESIGN, "signature": (
        io.BytesIO(png()), "signature.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert "Version 1 of the certificate design is saved" in client.get(_url(organiser)).get_data(as_text=True)

    course = make.course(organiser, title="Tillen en verplaatsen", hours=3)
    edition = make.edition(course)
    certificate, content = issued_pdf(app, make, edition=edition, name="Maria Peeters")

    text = _flat(pdf_text(content))
    assert "Attest for Maria Peeters" in text
    assert "Mantelzorghub Deinze confirms on behalf of its volunteers that" in text
    assert "Tillen en verplaatsen took 3 hours on" in text and "Thank you, Maria Peeters!" in text
    assert "{" not in text
    assert "Els Claes" in text and "Coordinator of the hub" in text
    assert certificate.design_version == 1
    assert verify_pdf(content).verdict == Verdict.VALID


def test_text_blocks_are_plain_text_never_html(app, make, hub):
    organiser, coordinator = hub
    from college.certificates import design_services

    design_services.save_design(coordinator, organiser, {
        **DESIGN, "title_text": "<b>Bold</b> & {learner}",
        "signatory_name": '<img src="x.png">Jan'})
    db.session.commit()
    _, content = issued_pdf(app, make, edition=make.edition(make.course(organiser)),
                            name="Maria <i>Peeters</i>")

    text = _flat(pdf_text(content))
    assert "<b>Bold</b> & Maria <i>Peeters</i>" in text
    assert '<img src="x.png">Jan' in text


def test_without_a_design_the_certificate_keeps_the_standard_look(app, make):
    certificate, content = issued_pdf(app, make, name="Maria Peeters")
    text = _flat(pdf_text(content))
    assert "Certificate of participation" in text and "With warm thanks, we confirm that" in text
    assert certificate.design_version is None


def test_a_professional_attest_uses_the_design_too(app, make):
    edition = designed_edition(make, "compact")
    learner = professional(make, name="Jan Janssens")
    _, content = issued_pdf(app, make, learner=learner, edition=edition)
    text = _flat(pdf_text(content))
    assert "Attest for Jan Janssens" in text and "has successfully completed the training" in text
    assert "Thank you, Jan Janssens!" in text and "Els Claes" in text


def test_the_preview_shows_unsaved_values_and_changes_nothing(client, auth, hub):
    organiser, coordinator = hub
    auth.login_as(coordinator)
    tables = (CertificateDesign, Certificate, StoredFile, Course, Edition, User, Organiser, Enrolment)
    before = {model: _count(model) for model in tables}

    response = post_form(client, _url(organiser, "/preview?kind=professional"),
                         {**DESIGN, "title_text": "Preview of {organiser}"}, page=_url(organiser))

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = _flat(pdf_text(response.data))
    assert "Preview of Mantelzorghub Deinze" in text
    assert "Sample Learner" in text and "Els Claes" in text and "Coordinator of the hub" in text
    db.session.expire_all()
    assert {model: _count(model) for model in tables} == before

    # Bad values show the form again with the message, and still save nothing.
    response = post_form(client, _url(organiser, "/preview"), {**DESIGN, "accent_colour": "#eeeeee"},
                         page=_url(organiser))
    assert response.status_code == 422
    assert "The accent colour #eeeeee is too light" in response.get_data(as_text=True)
    assert {model: _count(model) for model in tables} == before


def test_the_api_preview_is_a_pdf_and_changes_nothing(client, hub):
    organiser, coordinator = hub
    headers = bearer_for(coordinator)
    before = _count(CertificateDesign)
    response = client.post(_api(organiser, "/preview"), json={**DESIGN, "layout": "compact",
                           "signature": base64.b64encode(png()).decode()}, headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Attest for Sample Learner" in _flat(pdf_text(response.data))
    assert _count(CertificateDesign) == before


def test_versions_and_restore_through_the_page(client, auth, hub):
    organiser, coordinator = hub
    auth.login_as(coordinator)
    assert "Certificates now use the College's standard design." in client.get(
        _url(organiser)).get_data(as_text=True).replace("&#39;", "'")
    post_form(client, _url(organiser), {**DESIGN, "layout": "classic"})
    post_form(client, _url(organiser), {**DESIGN, "layout": "compact", "title_text": "Second"})

    page = client.get(_url(organiser)).get_data(as_text=True)
    assert "Certificates now use version 2." in page
    assert "Restore version 1" in page and "Restore version 2" not in page
    assert 'value="Second"' in page  # the form shows the current version

    response = post_form(client, _url(organiser, "/versions/1/restore"), page=_url(organiser))
    assert response.status_code == 302
    page = _flat(client.get(_url(organiser)).get_data(as_text=True))
    assert "Version 1 is current again, saved as version 3." in page
    assert "copy of version 1" in page
    assert page.count("<td>Els Claes</td>") == 3  # who saved each version
    versions = db.session.scalars(select(CertificateDesign).order_by(CertificateDesign.number)).all()
    assert [(v.number, v.layout, v.title_text, v.restored_from) for v in versions] == [
        (1, "classic", DESIGN["title_text"], None), (2, "compact", "Second", None),
        (3, "classic", DESIGN["title_text"], 1)]
    assert versions[2].created_by_id == coordinator.id

    assert post_form(client, _url(organiser, "/versions/9/restore"), page=_url(organiser)).status_code == 404


def test_the_signature_image_stays_until_it_is_removed(client, auth, hub):
    organiser, coordinator = hub
    auth.login_as(coordinator)
    post_form(client, _url(organiser), {**DESIGN, "signature": (io.BytesIO(png()), "s.png")},
              content_type="multipart/form-data")
    post_form(client, _url(organiser), {**DESIGN, "title_text": "Kept"})
    post_form(client, _url(organiser), {**DESIGN, "remove_signature": "y"})
    signatures = [design.signature_mimetype for design in db.session.scalars(
        select(CertificateDesign).order_by(CertificateDesign.number))]
    assert signatures == ["image/png", "image/png", None]


def test_versions_and_restore_through_the_api(client, hub):
    organiser, coordinator = hub
    headers = bearer_for(coordinator)
    assert client.get(_api(organiser), headers=headers).get_json() == {
        "version": None, "layout": "classic", "primary_colour": "#1b4f72",
        "accent_colour": "#a4431e", "title_text": "", "intro_text": "", "closing_text": "",
        "signatory_name": "", "signatory_role": "", "has_signature": False}

    first = client.put(_api(organiser), json={**DESIGN, "signature": base64.b64encode(png()).decode()},
                       headers=headers)
    assert first.status_code == 200
    assert first.get_json() == {**DESIGN, "version": 1, "has_signature": True}
    second = client.put(_api(organiser), json={**DESIGN, "layout": "compact", "primary_colour": "#0B5563"},
                        headers=headers)
    assert second.get_json()["version"] == 2
    assert second.get_json()["primary_colour"] == "#0b5563"
    assert second.get_json()["has_signature"] is True  # left out: kept

    restored = client.post(_api(organiser, "/versions/1/restore"), headers=headers)
    assert restored.status_code == 201
    assert restored.get_json()["number"] == 3 and restored.get_json()["restored_from"] == 1
    assert client.get(_api(organiser), headers=headers).get_json()["layout"] == "modern"
    versions = client.get(_api(organiser, "/versions"), headers=headers).get_json()
    assert [(v["number"], v["layout"], v["restored_from"]) for v in versions] == [
        (3, "modern", 1), (2, "compact", None), (1, "modern", None)]
    assert client.post(_api(organiser, "/versions/7/restore"), headers=headers).status_code == 404


def test_only_the_organisers_own_coordinators_reach_the_design_page(client, auth, make, hub):
    organiser, _coordinator = hub
    for user in (make.coordinator(make.organiser()), make.trainer(organiser), make.learner()):
        auth.login_as(user)
        assert client.get(_url(organiser)).status_code == 403
        assert post_form(client, _url(organiser), DESIGN, page="/").status_code == 403
        auth.logout()
    assert _count(CertificateDesign) == 0


def test_regenerating_an_edition_gives_its_certificates_the_new_design(app, make, client, auth, hub):
    organiser, coordinator = hub
    edition = make.edition(make.course(organiser))
    enrolment = complete_enrolment(make, edition=edition, name="Maria Peeters")
    run_worker(app)
    [certificate] = certificates_of(enrolment.id)
    assert certificate.design_version is None

    auth.login_as(coordinator)
    post_form(client, _url(organiser), DESIGN)
    page = client.get(_url(organiser)).get_data(as_text=True)
    action = f"/editions/{edition.id}/certificates/regenerate"
    assert f'action="{action}"' in page
    assert post_form(client, action, page=_url(organiser)).status_code == 302
    run_worker(app)

    [again] = certificates_of(enrolment.id)
    content = file_storage().get(again.storage_key)
    assert again.design_version == 1 and again.verification_code == certificate.verification_code
    assert "Attest for Maria Peeters" in _flat(pdf_text(content))
    check = verify_pdf(content)
    assert check.verdict == Verdict.VALID and check.certificate.id == certificate.id
    assert editions.progress("regenerate", edition.id).status == "finished"


def test_the_page_works_on_a_phone_without_javascript(client, auth, hub):
    organiser, coordinator = hub
    auth.login_as(coordinator)
    page = client.get(_url(organiser)).get_data(as_text=True)
    # The preview is a plain submit button sending the same form elsewhere.
    assert re.search(r'<button type="submit"[^>]*formaction="/organisers/\d+/certificate-design/'
                     r'preview\?kind=caregiver"', page)
    assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]
