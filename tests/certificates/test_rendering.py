"""Completion to PDF through a real queue and worker: content, designs, language, QR, PDF/A."""

from __future__ import annotations

import pypdfium2
import zxingcpp
from sqlalchemy import func, select

from college.accounts.models import Language
from college.accreditation.models import Unit
from college.accreditation.services import add_accreditation, add_scheme
from college.catalogue.models import edition_trainer
from college.certificates.models import CertificateStatus, StoredFile
from college.certificates.services import CODE_ALPHABET
from college.certificates.storage import file_storage
from college.extensions import db
from tests.certificates.helpers import (
    certificates_of,
    complete_enrolment,
    pdf_reader,
    pdf_text,
    professional,
    run_worker,
)

PNG_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000000030101001f5a1cb40000000049454e44ae426082"
)


def test_completion_queues_then_worker_issues_a_caregiver_pdf(app, make):
    organiser = make.organiser("Mantelzorghub Gent", logo=PNG_PIXEL, logo_mimetype="image/png")
    course = make.course(organiser, title="Omgaan met dementie", hours=6)
    trainer = make.trainer(organiser, name="Lesgever Lotte")
    edition = make.edition(course)
    db.session.execute(edition_trainer.insert().values(edition_id=edition.id, user_id=trainer.id))
    db.session.commit()
    enrolment = complete_enrolment(make, edition=edition, name="Maria Peeters", language=Language.NL)

    [certificate] = certificates_of(enrolment.id)
    assert certificate.status == CertificateStatus.QUEUED
    assert len(certificate.verification_code) >= 10
    assert set(certificate.verification_code) <= set(CODE_ALPHABET)
    assert certificate.storage_key is None

    run_worker(app)

    [certificate] = certificates_of(enrolment.id)
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.issued_at is not None
    content = file_storage().get(certificate.storage_key)
    text = pdf_text(content)
    # Maria reads Dutch, so her certificate speaks Dutch.
    for expected in ("Maria Peeters", "Omgaan met dementie", "6 uur", certificate.verification_code,
                     "Mantelzorghub Gent", "Lesgever Lotte", "Met hartelijke dank"):
        assert expected in text, expected
    assert "Accreditatie" not in text

    reader = pdf_reader(content)
    assert reader.metadata.title == "Attest: Omgaan met dementie"
    assert reader.metadata.author == "Mantelzorghub Gent"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert b"pdfaid" in root["/Metadata"].get_object().get_data()  # PDF/A identification
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    # The organiser's logo is embedded as an image.
    assert list(reader.pages[0].images)


def test_professional_design_in_english_with_hours_points_and_registration(app, make):
    course = make.course(title="Signalen van overbelasting", hours=3.5,
                         open_to_caregivers=False, open_to_professionals=True)
    scheme = add_scheme(None, "nurses", "Continuing education of nurses", unit=Unit.HOURS)
    add_accreditation(None, course, scheme.id, 4, number="VPK-2026-117", rubric="Communicatie")
    edition = make.edition(course)
    learner = professional(make, name="Jan Janssens", language=Language.EN)
    enrolment = complete_enrolment(make, learner=learner, edition=edition)

    run_worker(app)

    [certificate] = certificates_of(enrolment.id)
    content = file_storage().get(certificate.storage_key)
    text = " ".join(pdf_text(content).split())
    for expected in ("Jan Janssens", "Signalen van overbelasting", "3.5 hours",
                     "Accreditation Continuing education of nurses: 4 hours, rubric Communicatie, "
                     "accreditation number VPK-2026-117",
                     "Thuisverpleegkundige", "RIZIV-1-23456-78-901", certificate.verification_code):
        assert expected in text, expected
    assert "With warm thanks" not in text
    assert pdf_reader(content).trailer["/Root"]["/Lang"] == "en"


def test_dutch_learner_gets_dates_in_dutch(app, make):
    from datetime import date

    edition = make.edition(starts_on=date(2026, 3, 3), ends_on=date(2026, 3, 3))
    enrolment = complete_enrolment(make, edition=edition, language=Language.NL)
    run_worker(app)
    [certificate] = certificates_of(enrolment.id)
    assert "3 maart 2026" in pdf_text(file_storage().get(certificate.storage_key))


def test_qr_code_decodes_to_the_verification_url(app, make):
    enrolment = complete_enrolment(make)
    run_worker(app)
    [certificate] = certificates_of(enrolment.id)

    document = pypdfium2.PdfDocument(file_storage().get(certificate.storage_key))
    image = document[0].render(scale=3).to_pil()
    document.close()
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    assert decoded == [f"http://localhost/verify/{certificate.verification_code}"]


def test_same_completion_and_same_job_twice_give_one_certificate(app, make):
    from college import jobs, signals
    from college.certificates.services import RENDER_TASK

    enrolment = complete_enrolment(make)
    signals.enrolment_completed.send(None, enrolment_id=enrolment.id)
    db.session.commit()
    [certificate] = certificates_of(enrolment.id)
    # The job run a second time (as a retry after a lost acknowledgement would).
    jobs.enqueue("certificates", RENDER_TASK, certificate.id)
    run_worker(app)
    jobs.enqueue("certificates", RENDER_TASK, certificate.id)
    run_worker(app)

    [certificate] = certificates_of(enrolment.id)
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.render_attempts == 1
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 1
