"""Turning a certificate row into its PDF: design, language, logo, QR code."""

from __future__ import annotations

import base64
import warnings
from dataclasses import dataclass

import segno
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from college import timeutil
from college.accounts.models import Kind, Language, Organiser, User
from college.accreditation.models import Unit
from college.accreditation.services import earned_for
from college.addresses import public_base_url
from college.catalogue.models import Course, Edition
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


def _logo_data_url(organiser: Organiser) -> str | None:
    if not organiser.logo or organiser.logo_mimetype not in LOGO_TYPES:
        return None
    encoded = base64.b64encode(organiser.logo).decode("ascii")
    return f"data:{organiser.logo_mimetype};base64,{encoded}"


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


def certificate_document(certificate: Certificate) -> dict:
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
        "logo": _logo_data_url(organiser),
        "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=2),
        "hours": format_number(course.hours),
        "accreditations": accreditation_lines(certificate),
        "verification_url": url,
        "issued_at": certificate.issued_at or timeutil.now(),
    }


def render_certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as an archival, tagged (PDF/A-3a) A4 document in the learner's language."""
    with force_locale(certificate.learner.language.value):
        document = certificate_document(certificate)
        return render_pdf(document.pop("template"), archival=True, **document)


def render_certificate_html(certificate: Certificate) -> str:
    """The HTML of the certificate's PDF (for the benchmark's direct WeasyPrint run)."""
    with force_locale(certificate.learner.language.value):
        document = certificate_document(certificate)
        return render_pdf_html(document.pop("template"), **document)


def warm_up() -> None:
    """Render both designs once from unsaved example rows (nothing touches the database).

    A worker process calls this before its first job, so its first certificate does not pay
    WeasyPrint's cold start (templates, fonts, styles); the later ones find them warm anyway.
    """

    organiser = Organiser(name="Warm-up", logo=None, logo_mimetype=None)
    course = Course(title="Warm-up", hours=1, open_to_professionals=True)
    course.organiser = organiser
    today = timeutil.today()
    edition = Edition(starts_on=today, ends_on=today, venue="", place="")
    edition.course = course
    edition.trainers = []
    # WeasyPrint 70 reads its sRGB profile without closing the file; that warning is about
    # WeasyPrint's own code, and only the worker's process renders here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        for kind in Kind:
            certificate = Certificate(verification_code="WARMUP23456")
            certificate.learner = User(name="Warm-up", kind=kind, language=Language.NL)
            certificate.edition = edition
            render_certificate_pdf(certificate)
