"""What learners, coordinators and the public see and may do."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from college import signals
from college.catalogue.models import Edition
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.storage import file_storage
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from tests.certificates.helpers import (
    certificates_of,
    complete_enrolment,
    organiser_of,
    pdf_text,
    run_worker,
)
from tests.conftest import post_form


@pytest.fixture()
def issued(app, make):
    """A learner with an issued certificate, and a coordinator of its organiser."""
    enrolment = complete_enrolment(make, name="Maria Peeters", email="maria@example.be")
    run_worker(app)
    [certificate] = certificates_of(enrolment.id)
    coordinator = make.coordinator(organiser_of(enrolment.edition_id))
    return certificate, db.session.get(Enrolment, enrolment.id), coordinator


def test_my_certificates_shows_preparing_with_refresh_then_ready(app, make, client, auth):
    enrolment = complete_enrolment(make)
    learner = db.session.get(Enrolment, enrolment.id).learner_id
    from college.accounts.models import User

    auth.login_as(db.session.get(User, learner))
    page = client.get("/certificates").get_data(as_text=True)
    assert "Being prepared" in page
    assert 'refresh.js' in page
    assert "Download certificate" not in page

    run_worker(app)
    page = client.get("/certificates").get_data(as_text=True)
    assert "Ready" in page
    assert 'refresh.js' not in page
    assert "Download certificate (PDF)" in page


def test_download_only_for_the_learner_and_the_organisers_coordinators(app, make, client, auth, issued):
    certificate, _enrolment, coordinator = issued
    url = f"/certificates/{certificate.id}/download"

    assert client.get(url).status_code in (302, 401)  # anonymous: must log in first

    auth.login("maria@example.be")
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Maria Peeters" in pdf_text(response.data)
    auth.logout()

    other_learner = make.learner()
    auth.login_as(other_learner)
    # Out of reach answers exactly like an id that does not exist (as the API does).
    assert client.get(url).status_code == 404
    assert client.get("/certificates/999999/download").status_code == 404
    auth.logout()

    other_coordinator = make.coordinator(make.organiser())
    auth.login_as(other_coordinator)
    assert client.get(url).status_code == 404
    auth.logout()

    auth.login_as(coordinator)
    assert client.get(url).status_code == 200


def test_verification_shows_only_name_course_hours_and_date(client, issued):
    certificate, _enrolment, _ = issued
    response = client.get(f"/verify/{certificate.verification_code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This certificate is valid." in page
    assert "Maria Peeters" in page
    assert "maria@example.be" not in page
    # Typed by hand from paper: lower case and a dash still find it.
    code = certificate.verification_code
    assert client.get(f"/verify/{code[:4].lower()}-{code[4:]}").status_code == 200


def test_unknown_code_is_404(client, issued):
    assert client.get("/verify/ZZZZZZZZZZZZ").status_code == 404


def test_revoke_needs_a_reason_then_verification_says_revoked(client, auth, issued):
    certificate, _enrolment, coordinator = issued
    auth.login_as(coordinator)
    url = f"/certificates/{certificate.id}/revoke"

    response = post_form(client, url, {"reason": "  "})
    assert response.status_code == 422
    assert "Give the reason" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status == CertificateStatus.ISSUED

    assert post_form(client, url, {"reason": "Deelname niet bevestigd"}).status_code == 302
    page = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert "This certificate has been revoked." in page
    assert post_form(client, url, {"reason": "again"}).status_code == 409


def test_reissue_revokes_the_old_and_issues_a_new_code(app, client, auth, issued):
    certificate, enrolment, coordinator = issued
    auth.login_as(coordinator)
    response = post_form(client, f"/certificates/{certificate.id}/reissue",
                         {"reason": "Naam verbeterd"})
    assert response.status_code == 302
    run_worker(app)

    old, new = certificates_of(enrolment.id)
    assert old.status == CertificateStatus.REVOKED and old.revoked_reason == "Naam verbeterd"
    assert new.status == CertificateStatus.ISSUED and new.replaces_id == old.id
    assert new.verification_code != old.verification_code
    assert "revoked" in client.get(f"/verify/{old.verification_code}").get_data(as_text=True)
    assert "is valid" in client.get(f"/verify/{new.verification_code}").get_data(as_text=True)
    # The old one cannot be reissued again: a newer one replaces it.
    response = post_form(client, f"/certificates/{old.id}/reissue", {"reason": "twice"})
    assert response.status_code == 409
    assert len(certificates_of(enrolment.id)) == 2


def test_coordinator_pages_refuse_other_organisers(client, auth, make, issued):
    certificate, enrolment, _ = issued
    auth.login_as(make.coordinator(make.organiser()))
    assert client.get(f"/editions/{enrolment.edition_id}/certificates").status_code == 403
    assert post_form(client, f"/certificates/{certificate.id}/revoke", {"reason": "x"},
                     page="/").status_code == 403
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status == CertificateStatus.ISSUED


def test_reopened_enrolment_revokes_its_issued_and_its_queued_certificate(
    app, make, client, auth, issued
):
    """A certificate says the rule was met: once a correction says otherwise, none stays live."""
    _certificate, enrolment, coordinator = issued
    waiting = complete_enrolment(make, edition=db.session.get(Edition, enrolment.edition_id))
    for enrolment_id in (enrolment.id, waiting.id):
        db.session.get(Enrolment, enrolment_id).status = EnrolmentStatus.ENROLLED
        signals.enrolment_reopened.send(None, enrolment_id=enrolment_id)
    db.session.commit()
    run_worker(app)

    [revoked] = certificates_of(enrolment.id)
    [withdrawn] = certificates_of(waiting.id)
    assert revoked.status == CertificateStatus.REVOKED and revoked.storage_key is not None
    assert withdrawn.status == CertificateStatus.REVOKED and withdrawn.storage_key is None
    verified = client.get(f"/verify/{revoked.verification_code}").get_data(as_text=True)
    assert "revoked" in verified
    auth.login_as(coordinator)
    page = client.get(f"/editions/{enrolment.edition_id}/certificates").get_data(as_text=True)
    assert page.count("Reason: The enrolment is no longer complete.") == 2


def test_regenerate_all_and_zip_run_in_the_background_with_progress(app, make, client, auth, issued):
    _certificate, enrolment, coordinator = issued
    complete_enrolment(make, edition=db.session.get(Edition, enrolment.edition_id), name="Jan Claes")
    run_worker(app)
    keys_before = set(db.session.scalars(select(Certificate.storage_key)))
    auth.login_as(coordinator)
    page_url = f"/editions/{enrolment.edition_id}/certificates"

    assert post_form(client, f"{page_url}/regenerate", page=page_url).status_code == 302
    page = client.get(page_url).get_data(as_text=True)
    assert "0 of 2 done" in page and 'refresh.js' in page
    # One job at a time.
    assert post_form(client, f"{page_url}/regenerate", page=page_url).status_code == 409
    run_worker(app)
    keys_after = set(db.session.scalars(select(Certificate.storage_key)))
    assert keys_after.isdisjoint(keys_before) and len(keys_after) == 2
    assert "finished (2)" in client.get(page_url).get_data(as_text=True)
    assert file_storage().get(next(iter(keys_before))) is None  # old files removed

    assert client.get(f"/editions/{enrolment.edition_id}/certificates.zip").status_code == 404
    assert post_form(client, f"{page_url}/zip", page=page_url).status_code == 302
    run_worker(app)
    response = client.get(f"/editions/{enrolment.edition_id}/certificates.zip")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert sorted(name.split("-")[0] for name in names) == ["Jan", "Maria"]
