"""Turning a certificate row into its PDF: design, language, logo, QR code."""

from __future__ import annotations

import base64
import warnings
from dataclasses import dataclass

import segno
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from college import timeutil
from college.accounts.models import Kind, Language, Organiser, User
from college.accreditation.models import Unit
from college.accreditation.services import earned_for
from college.addresses import public_base_url
from college.catalogue.models import Course, Edition
from college.certificates import designs
from college.certificates.designs import DesignValues
from college.certificates.models import Certificate
from college.extensions import db
from college.pdf import render_pdf, render_pdf_html

#: Logo types a certificate shows; anything else is left out rather than trusted.
LOGO_TYPES = {"image/png", "image/jpeg", "image/svg+xml", "image/gif", "image/webp"}


@dataclass(frozen=True)
class Design:
    template: str
    professional: bool


CAREGIVERS = Design("certificates/pdf/caregivers.html", professional=False)
PROFESSIONALS = Design("certificates/pdf/professionals.html", professional=True)


def format_number(value: float | None) -> str:
    """Hours or points as people write them, in the current language (6, 6,5)."""
    return "" if value is None else format_decimal(value, "#,##0.##")


def verification_url(code: str) -> str:
    """The public address printed on the certificate and in its QR code."""
    return f"{public_base_url()}/verify/{code}"


def load_for_rendering(certificate_id: int) -> Certificate | None:
    """The certificate with everything its PDF shows, in a fixed number of queries."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.id == certificate_id)
        .options(
            selectinload(Certificate.learner),
            selectinload(Certificate.edition).selectinload(Edition.trainers),
            selectinload(Certificate.edition)
            .selectinload(Edition.course)
            .selectinload(Course.organiser)
            .options(undefer(Organiser.logo)),
        )
    )


def design_for(certificate: Certificate) -> Design:
    """Professionals on a course open to them get the professional design; others the thank-you."""
    course = certificate.edition.course
    if certificate.learner.kind == Kind.PROFESSIONAL and course.open_to_professionals:
        return PROFESSIONALS
    return CAREGIVERS


def _data_url(content: bytes | None, mimetype: str | None) -> str | None:
    if not content or mimetype not in LOGO_TYPES:
        return None
    return f"data:{mimetype};base64,{base64.b64encode(content).decode('ascii')}"


def _dates(edition: Edition) -> str:
    first = format_date(edition.starts_on, "d MMMM y")
    if edition.ends_on in (None, edition.starts_on):
        return first
    return f"{first} – {format_date(edition.ends_on, 'd MMMM y')}"


def design_context(certificate: Certificate, design: DesignValues) -> dict:
    """The design's layout, colours, signature and text blocks (placeholders filled in)."""
    edition = certificate.edition
    course = edition.course
    professional = design_for(certificate).professional
    track_colour = designs.PROFESSIONALS_COLOUR if professional else designs.CAREGIVERS_COLOUR
    values = {"learner": certificate.learner.name, "training": course.title,
              "dates": _dates(edition), "hours": format_number(course.hours),
              "organiser": course.organiser.name}
    return {
        "layout": design.layout,
        "primary_colour": design.primary_colour or track_colour,
        "accent_colour": design.accent_colour or track_colour,
        "texts": {name: designs.fill(getattr(design, name), values) for name in designs.TEXT_FIELDS},
        "signature": _data_url(design.signature, design.signature_mimetype),
        "signatory_name": design.signatory_name,
        "signatory_role": design.signatory_role,
    }


@dataclass(frozen=True)
class AccreditationLine:
    scheme: str
    number: str
    amount: str
    rubric: str
    registration_number: str


def accreditation_lines(certificate: Certificate) -> list[AccreditationLine]:
    """Each scheme the course is accredited in, with the body's number, what the learner
    earned (the scheme's partial-attendance rule applied) and their registration number."""
    if not design_for(certificate).professional or certificate.edition.course_id is None:
        return []
    lines = []
    for earned in earned_for(certificate.learner_id, certificate.edition_id,
                             certificate.edition.course_id):
        number = format_number(earned.points)
        amount = (_("%(hours)s hours", hours=number) if earned.scheme.unit == Unit.HOURS
                  else _("%(points)s points", points=number))
        lines.append(AccreditationLine(earned.scheme.name, earned.accreditation.number, amount,
                                       earned.accreditation.rubric, earned.registration_number))
    return lines


def certificate_document(certificate: Certificate, design: DesignValues) -> dict:
    """The template, metadata and context of the certificate's PDF (call in its language)."""
    learner = certificate.learner
    edition = certificate.edition
    course = edition.course
    organiser = course.organiser
    url = verification_url(certificate.verification_code)
    return {
        "template": design_for(certificate).template,
        "title": _("Certificate: %(course)s", course=course.title),
        "author": organiser.name,
        "language": learner.language.value,
        "certificate": certificate,
        "learner": learner,
        "edition": edition,
        "course": course,
        "organiser": organiser,
        "trainers": sorted(edition.trainers, key=lambda trainer: trainer.name),
        "logo": _data_url(organiser.logo, organiser.logo_mimetype),
        "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2),
        "hours": format_number(course.hours),
        "accreditations": accreditation_lines(certificate),
        "verification_url": url,
        "issued_at": certificate.issued_at or timeutil.now(),
        **design_context(certificate, design),
    }


def organisers_design(certificate: Certificate) -> DesignValues:
    """The current design of the certificate's organiser (the default one when it has none)."""
    return designs.design_values(certificate.edition.course.organiser_id)


def render_certificate_pdf(certificate: Certificate, design: DesignValues | None = None) -> bytes:
    """The certificate as an archival, tagged (PDF/A-3a) A4 document in the learner's language,
    in this design (by default its organiser's current one)."""
    design = design or organisers_design(certificate)
    with force_locale(certificate.learner.language.value):
        document = certificate_document(certificate, design)
        return render_pdf(document.pop("template"), archival=True, **document)


def render_certificate_html(certificate: Certificate) -> str:
    """The HTML of the certificate's PDF (for the benchmark's direct WeasyPrint run)."""
    with force_locale(certificate.learner.language.value):
        document = certificate_document(certificate, organisers_design(certificate))
        return render_pdf_html(document.pop("template"), **document)


def _sample_certificate(organiser: Organiser, kind: Kind, language: Language, *, learner: str,
                        training: str, code: str) -> Certificate:
    """An unsaved certificate of an unsaved edition (nothing touches the database)."""
    course = Course(title=training, hours=3, open_to_professionals=True)
    course.organiser = organiser
    today = timeutil.today()
    edition = Edition(starts_on=today, ends_on=today, venue="", place="")
    edition.course = course
    edition.trainers = []
    certificate = Certificate(verification_code=code)
    certificate.learner = User(name=learner, kind=kind, language=language)
    certificate.edition = edition
    return certificate


def render_design_preview(organiser: Organiser, design: DesignValues, kind: Kind,
                          language: Language) -> bytes:
    """A sample certificate of the organiser in these design values, unsigned and unsaved."""
    copy = Organiser(name=organiser.name, logo=organiser.logo, logo_mimetype=organiser.logo_mimetype)
    with force_locale(language.value):
        certificate = _sample_certificate(copy, kind, language, learner=_("Sample Learner"),
                                          training=_("Sample training"), code="PREVIEW0000")
    return render_certificate_pdf(certificate, design)


def warm_up() -> None:
    """Render both designs once from unsaved example rows (nothing touches the database).

    A worker process calls this before its first job, so its first certificate does not pay
    WeasyPrint's cold start (templates, fonts, styles); the later ones find them warm anyway.
    """

    organiser = Organiser(name="Warm-up", logo=None, logo_mimetype=None)
    # WeasyPrint 70 reads its sRGB profile without closing the file; that warning is about
    # WeasyPrint's own code, and only the worker's process renders here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        for kind in Kind:
            certificate = _sample_certificate(organiser, kind, Language.NL, learner="Warm-up",
                                              training="Warm-up", code="WARMUP23456")
            render_certificate_pdf(certificate, designs.DEFAULT)
