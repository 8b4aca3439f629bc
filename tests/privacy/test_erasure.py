"""Erasure leaves the person in no stored document: certificates, their ZIPs, exports.

Verification by code keeps answering as the organiser chose for erased learners.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from college import timeutil
from college.certificates import editions
from college.certificates.models import Certificate, CertificateStatus, StoredFile
from college.certificates.storage import file_storage
from college.extensions import db
from college.privacy.tasks import anonymise_inactive
from tests.api.conftest import bearer_for
from tests.certificates.helpers import complete_enrolment, organiser_of, pdf_text, professional
from tests.conftest import PASSWORD, post_form, run_worker


@pytest.fixture()
def issued_with_zip(app, make):
    """A professional's issued certificate, and the edition's ZIP that bundles it."""
    learner = professional(make, name="Maria Peeters", email="maria@example.be")
    complete_enrolment(make, learner=learner)
    run_worker(app)
    certificate = db.session.scalar(select(Certificate))
    editions.build_zip(certificate.edition_id)
    db.session.commit()
    assert "Maria Peeters" in pdf_text(file_storage().get(certificate.storage_key))
    return learner, certificate


def _files() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(StoredFile.key)))


def _assert_erased(client, certificate_key: str, edition_id: int, coordinator) -> None:
    assert certificate_key not in _files()
    assert editions.zip_key(edition_id) not in _files()
    certificate = db.session.scalar(select(Certificate))
    assert (certificate.status, certificate.storage_key) == (CertificateStatus.ISSUED, None)
    # Coordinators can no longer download it, on the page or through the API.
    page = client.get(f"/certificates/{certificate.id}/download")
    assert page.status_code == 409 and "personal data was deleted" in page.get_data(as_text=True)
    api = client.get(f"/api/v1/certificates/{certificate.id}/pdf", headers=bearer_for(coordinator))
    assert api.status_code == 409
    # Verification answers "valid", without a name (the organiser's default choice).
    verified = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    assert "Maria Peeters" not in verified and "valid" in verified


def test_deleting_my_account_removes_me_from_every_stored_document(app, client, auth, make,
                                                                  issued_with_zip):
    learner, certificate = issued_with_zip
    key, edition_id = certificate.storage_key, certificate.edition_id
    auth.login_as(learner)
    response = post_form(client, "/account/delete", {"password": PASSWORD, "confirm": "y"},
                         page="/account/privacy")
    assert response.status_code in (302, 303)
    auth.logout()
    coordinator = make.coordinator(organiser_of(edition_id))
    auth.login_as(coordinator)
    _assert_erased(client, key, edition_id, coordinator)


def test_the_retention_job_erases_stored_documents_too(app, client, auth, make):
    with time_machine.travel(timeutil.now() - timedelta(days=4 * 365), tick=False):
        learner = professional(make, name="Maria Peeters", email="maria@example.be")
        complete_enrolment(make, learner=learner)
        run_worker(app)
        certificate = db.session.scalar(select(Certificate))
        editions.build_zip(certificate.edition_id)
        db.session.commit()
    key, edition_id = certificate.storage_key, certificate.edition_id
    assert anonymise_inactive() == 1
    coordinator = make.coordinator(organiser_of(edition_id))
    auth.login_as(coordinator)
    _assert_erased(client, key, edition_id, coordinator)
