"""Shared steps of the certificate tests: complete an enrolment, run a real worker, read PDFs,
find and break a PDF's signature."""

from __future__ import annotations

import io

from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from college import signals
from college.accounts.models import Kind
from college.certificates.models import Certificate
from college.certificates.storage import file_storage
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from college.jobs import make_worker


def complete_enrolment(make, *, learner=None, edition=None, **learner_fields) -> Enrolment:
    """An enrolment that becomes complete, the way the completion engine reports it."""
    learner = learner or make.learner(**learner_fields)
    edition = edition or make.edition()
    enrolment = make.enrolment(learner, edition)
    enrolment = db.session.get(Enrolment, enrolment.id)
    enrolment.status = EnrolmentStatus.COMPLETED
    signals.enrolment_completed.send(None, enrolment_id=enrolment.id)
    db.session.commit()
    return enrolment


def professional(make, **fields):
    """A professional learner with profession and registration number."""
    fields.setdefault("profession", "Thuisverpleegkundige")
    fields.setdefault("registration_number", "RIZIV-1-23456-78-901")
    return make.learner(kind=Kind.PROFESSIONAL, **fields)


def run_worker(app) -> None:
    """A real RQ worker (forking work horses) that drains the queues."""
    db.session.commit()
    make_worker(app).work(burst=True)
    db.session.expire_all()


def certificates_of(enrolment_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate).where(Certificate.enrolment_id == enrolment_id).order_by(Certificate.id)
        )
    )


def pdf_reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def pdf_text(content: bytes) -> str:
    reader = pdf_reader(content)
    return "\n".join(page.extract_text() for page in reader.pages)


def organiser_of(edition_id: int):
    """The organiser of an edition."""
    from college.accounts.models import Organiser
    from college.catalogue.models import Course, Edition

    course = db.session.get(Course, db.session.get(Edition, edition_id).course_id)
    return db.session.get(Organiser, course.organiser_id)


# ---- signed attests ----


def issued_pdf(app, make, **learner) -> tuple[Certificate, bytes]:
    """Complete an enrolment, let a real worker render and sign it, return the stored PDF."""
    enrolment = complete_enrolment(make, **learner)
    run_worker(app)
    [certificate] = certificates_of(enrolment.id)
    return certificate, file_storage().get(certificate.storage_key)


def signature_of(content: bytes):
    [signature] = PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures
    return signature


def flip_byte_in_signed_range(content: bytes) -> bytes:
    """Change one letter of the learner-visible title in the metadata, well inside the signed bytes."""
    signature = signature_of(content)
    start, length = signature.byte_range[0], signature.byte_range[1]
    position = content.index(b"/Title", start, start + length) + len(b"/Title") + 4
    assert position < start + length
    changed = bytearray(content)
    changed[position] ^= 0x01
    return bytes(changed)


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# ---- designs ----


def png(width: int = 40, height: int = 12) -> bytes:
    """A real PNG image (a signature, say)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 40, 90)).save(out, "PNG")
    return out.getvalue()


DESIGN = {
    "layout": "modern", "primary_colour": "#1b4f72", "accent_colour": "#7a2e0e",
    "title_text": "Attest for {learner}",
    "intro_text": "{organiser} confirms on behalf of its volunteers that",
    "closing_text": "{training} took {hours} hours on {dates}. Thank you, {learner}!",
    "signatory_name": "Els Claes", "signatory_role": "Coordinator of the hub",
}


def designed_organiser(make, layout: str | None = None, **values):
    """An organiser whose coordinator saved a design in this layout (None: the default design)."""
    from college.certificates import design_services

    organiser = make.organiser()
    if layout is not None:
        coordinator = make.coordinator(organiser)
        signature = values.pop("signature", png())
        design_services.save_design(coordinator, organiser, {**DESIGN, "layout": layout, **values},
                                    signature)
        db.session.commit()
    return organiser


def designed_edition(make, layout: str | None = None, **values):
    """An edition of a designed_organiser (its course open to both tracks)."""
    organiser = designed_organiser(make, layout, **values)
    return make.edition(make.course(organiser, open_to_professionals=True))
