"""An uploaded PDF is checked: unaltered and signed by the College, and which attest.

One table of cases, asked through the page (/verify/pdf) and the API
(POST /api/v1/certificates/verify): both answer the same.
"""

from __future__ import annotations

import gc
import io
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from sqlalchemy import select

from college.accounts.models import User
from college.certificates import keys, signing
from college.certificates.models import Certificate
from college.certificates.rendering import load_for_rendering, render_certificate_pdf
from college.certificates.services import revoke_certificate
from college.certificates.signing import _run
from college.certificates.storage import file_storage
from college.extensions import db
from college.privacy.services import anonymise
from tests.certificates.helpers import (
    blank_pdf,
    certificates_of,
    complete_enrolment,
    flip_byte_in_signed_range,
    issued_pdf,
    organiser_of,
    run_worker,
)
from tests.conftest import csrf_token


def foreign_signed(pdf: bytes) -> bytes:
    """The PDF signed by a key that is not the College's (anyone can make one)."""
    signer = signing.pdf_signer(keys.generate_self_signed("Vervalser", "Vervalser"))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(field_name="Attest-ZZZZZZZZZZZZ")
    return _run(signers.async_sign_pdf(writer, metadata, signer=signer)).getvalue()


@dataclass
class Files:
    valid: bytes
    revoked: bytes
    code: str


@pytest.fixture()
def files(app, make) -> Files:
    """A signed attest of Maria, and a signed attest that was revoked afterwards."""
    course = make.course(title="Omgaan met dementie", hours=6)
    certificate, valid = issued_pdf(app, make, name="Maria Peeters", edition=make.edition(course))
    revoked_enrolment = complete_enrolment(make, name="Jan Janssens")
    run_worker(app)
    [revoked_certificate] = certificates_of(revoked_enrolment.id)
    revoked = file_storage().get(revoked_certificate.storage_key)
    coordinator = make.coordinator(organiser_of(revoked_certificate.edition_id))
    revoke_certificate(revoked_certificate.id, coordinator, "De naam was fout gespeld.")
    db.session.commit()
    return Files(valid=valid, revoked=revoked, code=certificate.verification_code)


def _unsigned_attest(files: Files) -> bytes:
    """The same attest as WeasyPrint renders it, before the College signs it."""
    certificate_id = db.session.scalar(
        select(Certificate.id).where(Certificate.verification_code == files.code))
    return render_certificate_pdf(load_for_rendering(certificate_id))


# case: (file bytes, file name) -> page status, what the page says, API status, API verdict
CASES = {
    "valid": (lambda f: (f.valid, "attest.pdf"), 200,
              "This PDF is an unaltered certificate of the College, and the certificate is valid.",
              200, "valid"),
    "revoked": (lambda f: (f.revoked, "attest.pdf"), 200,
                "but the certificate has been revoked. It is no longer valid.", 200, "revoked"),
    "altered": (lambda f: (flip_byte_in_signed_range(f.valid), "attest.pdf"), 200,
                "This PDF was changed after the College signed it.", 200, "altered"),
    "appended to": (lambda f: (f.valid + b"\n% added later\n", "attest.pdf"), 200,
                    "This PDF was changed after the College signed it.", 200, "altered"),
    "signed again by someone else": (lambda f: (foreign_signed(f.valid), "attest.pdf"), 200,
                                     "This PDF was changed after the College signed it.", 200,
                                     "altered"),
    "unsigned": (lambda f: (_unsigned_attest(f), "attest.pdf"), 200,
                 "This PDF carries no signature", 200, "unsigned"),
    "foreign": (lambda f: (foreign_signed(_unsigned_attest(f)), "attest.pdf"), 200,
                "This PDF was signed by someone else, not by the College.", 200, "foreign"),
    "blank PDF": (lambda f: (blank_pdf(), "leeg.pdf"), 200, "This PDF carries no signature", 200,
                  "unsigned"),
    "not a PDF": (lambda f: (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "attest.pdf"), 422,
                  "This is not a PDF file.", 422, None),
    "empty": (lambda f: (b"", "attest.pdf"), 422, "The file is empty.", 422, None),
    "broken PDF": (lambda f: (b"%PDF-1.7\n" + b"garbage " * 50, "attest.pdf"), 422,
                   "This PDF file cannot be read.", 422, None),
    "too large": (lambda f: (b"%PDF-1.7\n" + b"0" * signing.MAX_PDF_BYTES, "attest.pdf"), 413,
                  "This file is larger than 2 MB", 413, None),
}


# Werkzeug's test client spools a body over 500 KB into a temporary file it never closes (the
# app closes the request's own files); collected inside this test, it warns here only.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("case", sorted(CASES))
def test_page_and_api_answer_alike_about_an_uploaded_pdf(client, files, case):
    try:
        _upload_answers_alike(client, files, *CASES[case])
    finally:
        gc.collect()


def _upload_answers_alike(client, files, make_file, page_status, page_says, api_status, verdict):
    content, name = make_file(files)

    token = csrf_token(client, "/verify")
    page = client.post("/verify/pdf", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")
    assert page.status_code == page_status
    text = " ".join(BeautifulSoup(page.get_data(as_text=True), "html.parser").main.get_text().split())
    assert page_says in text

    api = client.post("/api/v1/certificates/verify", data={"file": (io.BytesIO(content), name)},
                      content_type="multipart/form-data")
    assert api.status_code == api_status
    if verdict is None:
        assert api.headers["Content-Type"] == "application/problem+json"
        assert page_says in api.get_json()["detail"]
        return
    body = api.get_json()
    assert body["verdict"] == verdict
    assert body["valid"] is (verdict == "valid")
    if verdict == "valid":
        # Which attest: the same details its code shows on /verify.
        assert body["certificate"]["course_title"] == "Omgaan met dementie"
        assert body["certificate"]["learner_name"] == "Maria Peeters"
        assert "Omgaan met dementie" in text and "Maria Peeters" in text and files.code in text
    elif verdict == "revoked":
        assert body["certificate"]["revoked"] is True and "Jan Janssens" in text
    else:
        assert body["certificate"] is None
        assert "Maria Peeters" not in text


def test_the_page_asks_for_a_file_when_none_is_chosen(client):
    token = csrf_token(client, "/verify")
    response = client.post("/verify/pdf", data={"csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose the attest's PDF file." in response.get_data(as_text=True)


def test_the_dutch_page_answers_in_dutch(client, files):
    token = csrf_token(client, "/verify")
    response = client.post("/verify/pdf", headers={"Accept-Language": "nl"},
                           data={"csrf_token": token, "file": (io.BytesIO(b"geen pdf"), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Dit is geen PDF-bestand." in response.get_data(as_text=True)


@pytest.mark.parametrize(("organiser_allows", "verdict"), [(True, "valid"), (False, "unknown")])
def test_an_erased_learners_attest_answers_as_its_code_does(app, client, make, organiser_allows,
                                                            verdict):
    """The upload check keeps the code's privacy rule: an erased learner's attest is confirmed
    only when the organiser chose so, and never names the learner."""
    certificate, content = issued_pdf(app, make, name="Maria Peeters")
    organiser_of(certificate.edition_id).verify_anonymised_certificates = organiser_allows
    anonymise(db.session.get(User, certificate.learner_id))
    db.session.commit()

    answer = client.post("/api/v1/certificates/verify", data={"file": (io.BytesIO(content), "a.pdf")},
                         content_type="multipart/form-data")
    assert answer.get_json()["verdict"] == verdict
    assert "Maria Peeters" not in answer.get_data(as_text=True)
    by_code = client.get(f"/api/v1/verify/{certificate.verification_code}")
    assert by_code.status_code == (200 if organiser_allows else 404)
