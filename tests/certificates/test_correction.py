"""A misspelled name is corrected and the certificate made again with it (a real worker, the PDF's text)."""

from __future__ import annotations

from college.certificates.models import CertificateStatus
from college.enrolment.models import Enrolment
from college.extensions import db
from tests.certificates.helpers import (
    certificates_of,
    complete_enrolment,
    organiser_of,
    pdf_text,
    professional,
    run_worker,
)
from tests.conftest import Auth, post_form


def test_reissue_after_a_correction_prints_the_corrected_name(app, make):
    learner = professional(make, name="Marie Peters", email="marie@example.be", profession="Thuisverpleegkundige")
    course = make.course(title="Signalen van overbelasting", open_to_caregivers=False,
                         open_to_professionals=True)
    enrolment = complete_enrolment(make, learner=learner, edition=make.edition(course))
    run_worker(app)
    [first] = certificates_of(enrolment.id)
    learner_browser, coordinator_browser = app.test_client(), app.test_client()
    Auth(learner_browser).login_as(learner)
    assert "Marie Peters" in pdf_text(learner_browser.get(f"/certificates/{first.id}/download").data)

    # The learner corrects their name and profession under "My account" ...
    response = post_form(learner_browser, "/account", {
        "name": "Marie Peeters", "email": "marie@example.be", "language": "en", "phone": "",
        "profession": "Thuisverpleegkundige (referentie dementie)", "registration_number": "",
        "current_password": ""})
    assert response.status_code == 302
    # ... and the coordinator reissues after the correction.
    coordinator = make.coordinator(organiser_of(db.session.get(Enrolment, enrolment.id).edition_id))
    Auth(coordinator_browser).login_as(coordinator)
    assert post_form(coordinator_browser, f"/certificates/{first.id}/reissue",
                     {"reason": "Naam verbeterd"}).status_code == 302
    run_worker(app)

    old, new = certificates_of(enrolment.id)
    assert (old.status, new.status) == (CertificateStatus.REVOKED, CertificateStatus.ISSUED)
    text = pdf_text(learner_browser.get(f"/certificates/{new.id}/download").data)
    assert "Marie Peeters" in text and "Marie Peters" not in text
    assert "Thuisverpleegkundige (referentie dementie)" in text
    assert learner_browser.get(f"/certificates/{old.id}/download").status_code == 409  # revoked
    page = coordinator_browser.get(f"/verify/{new.verification_code}").get_data(as_text=True)
    assert "Marie Peeters" in page
