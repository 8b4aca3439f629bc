"""Certificates through the API: my list, the PDF, revoking, and the public verification."""

from __future__ import annotations

import pytest

from college.accounts.models import User
from college.catalogue.models import Course, Edition
from college.certificates.models import Certificate, CertificateStatus
from college.extensions import db
from tests.api.conftest import assert_problem
from tests.certificates.helpers import complete_enrolment, organiser_of, pdf_text
from tests.conftest import run_worker


def _course_title(edition_id: int) -> str:
    return db.session.scalar(db.select(Course.title).join(Edition).where(Edition.id == edition_id))


@pytest.fixture()
def issued(app, make):
    """An issued certificate of Maria Peeters, with the coordinator of its organiser."""
    enrolment = complete_enrolment(make, name="Maria Peeters", email="maria@example.be")
    run_worker(app)
    certificate = db.session.scalars(db.select(Certificate)).one()
    assert certificate.status == CertificateStatus.ISSUED
    coordinator = make.coordinator(organiser_of(enrolment.edition_id))
    return certificate, enrolment, coordinator


def test_my_certificates_and_the_pdf(client, issued, bearer):
    certificate, enrolment, coordinator = issued
    headers = bearer(db.session.get(User, enrolment.learner_id))
    body = client.get("/api/v1/me/certificates", headers=headers).get_json()
    [item] = body["items"]
    assert item["id"] == certificate.id and item["edition_id"] == enrolment.edition_id
    assert (item["status"], item["verification_code"]) == ("issued", certificate.verification_code)
    assert item["course_title"] and item["issued_at"].endswith("+00:00")

    response = client.get(f"/api/v1/certificates/{certificate.id}/pdf", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Maria Peeters" in pdf_text(response.data)
    assert client.get(f"/api/v1/certificates/{certificate.id}/pdf",
                      headers=bearer(coordinator)).status_code == 200


def test_pdf_is_hidden_from_others_and_waits_until_issued(client, make, issued, bearer):
    certificate, enrolment, coordinator = issued
    url = f"/api/v1/certificates/{certificate.id}/pdf"
    assert_problem(client.get(url, headers=bearer(make.learner())), 404)
    assert_problem(client.get(url, headers=bearer(make.coordinator(make.organiser()))), 404)
    assert_problem(client.get(url), 401)
    assert_problem(client.get("/api/v1/certificates/999999/pdf", headers=bearer(coordinator)), 404)

    waiting = complete_enrolment(make)  # no worker ran: still being prepared
    queued = db.session.scalar(db.select(Certificate).where(Certificate.enrolment_id == waiting.id))
    owner = bearer(db.session.get(User, waiting.learner_id))
    body = assert_problem(client.get(f"/api/v1/certificates/{queued.id}/pdf", headers=owner), 409)
    assert "still being prepared" in body["detail"]
    listed = client.get("/api/v1/me/certificates", headers=owner).get_json()["items"]
    assert [(c["status"], c["verification_code"]) for c in listed] == [("preparing", None)]


def test_coordinator_revokes_and_verification_says_so(client, make, issued, bearer):
    certificate, enrolment, coordinator = issued
    code = certificate.verification_code
    verified = client.get(f"/api/v1/verify/{code.lower()[:4]}-{code[4:]}")
    assert verified.status_code == 200
    assert verified.get_json() | {"issued_on": None} == {
        "valid": True, "revoked": False, "learner_name": "Maria Peeters",
        "course_title": _course_title(enrolment.edition_id), "hours": 6.0, "issued_on": None, "revoked_on": None,
        "expired": False, "valid_until": None,
    }
    assert "maria@example.be" not in verified.get_data(as_text=True)

    url = f"/api/v1/certificates/{certificate.id}/revoke"
    assert "reason" in assert_problem(client.post(url, json={"reason": "  "}, headers=bearer(coordinator)), 422)["errors"]
    assert_problem(client.post(url, json={}, headers=bearer(coordinator)), 422)
    assert_problem(client.post(url, json={"reason": "Zomaar"}, headers=bearer(make.learner())), 403)
    assert_problem(client.post(url, json={"reason": "Zomaar"},
                               headers=bearer(make.coordinator(make.organiser()))), 403)
    assert_problem(client.post(url, json={"reason": "Zomaar"}), 401)
    assert_problem(client.post("/api/v1/certificates/999999/revoke", json={"reason": "x"},
                               headers=bearer(coordinator)), 404)
    assert client.get(f"/api/v1/verify/{code}").get_json()["valid"] is True

    revoked = client.post(url, json={"reason": "Deelname niet bevestigd"}, headers=bearer(coordinator))
    assert revoked.status_code == 200, revoked.get_data(as_text=True)
    assert (revoked.get_json()["status"], revoked.get_json()["revoked_reason"]) == ("revoked", "Deelname niet bevestigd")
    after = client.get(f"/api/v1/verify/{code}").get_json()
    assert (after["valid"], after["revoked"]) == (False, True) and after["revoked_on"]
    assert_problem(client.post(url, json={"reason": "Nog eens"}, headers=bearer(coordinator)), 409)
    body = assert_problem(client.get(f"/api/v1/certificates/{certificate.id}/pdf",
                                     headers=bearer(db.session.get(User, enrolment.learner_id))), 409)
    assert "revoked" in body["detail"]


def test_verification_of_unknown_codes_and_its_rate_limit(client, issued):
    assert_problem(client.get("/api/v1/verify/ZZZZZZZZZZZZ"), 404)
    assert_problem(client.get("/api/v1/verify/" + "A" * 100), 404)
    answers = [client.get(f"/api/v1/verify/GUESS{n:04d}", environ_base={"REMOTE_ADDR": "203.0.113.9"})
               for n in range(30)]
    assert 429 not in [answer.status_code for answer in answers[:29]]
    limited = client.get("/api/v1/verify/GUESS9999", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert_problem(limited, 429)
    # The web page and the API share one budget per address.
    assert client.get("/verify/GUESS9998", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 429
    assert client.get("/api/v1/verify/GUESS0000", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 404
