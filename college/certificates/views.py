"""Certificate pages: the learner's list and download, public verification, coordinators' tools."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from college.accounts.models import Organiser
from college.accounts.views import organiser_or_404
from college.catalogue.models import Course, Edition
from college.certificates import design_services, designs, editions, services, signing
from college.certificates.forms import (
    ActionForm,
    DesignForm,
    ReasonForm,
    VerifyForm,
    VerifyPdfForm,
)
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.rendering import format_number
from college.certificates.signing import Verdict
from college.certificates.storage import file_storage
from college.enrolment.models import EnrolmentStatus
from college.errors import ServiceError
from college.extensions import db
from college.forms import attach_error
from college.policy import can_manage_course, can_manage_organiser, require
from college.security import limit_guesses

bp = Blueprint("certificates", __name__)


PREPARING = services.PREPARING
REFRESH_SECONDS = 10


def _attachment(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/certificates")
@login_required
def mine():
    """The learner's certificates: being prepared, ready to download, or revoked."""
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.learner_id == current_user.id)
        .options(selectinload(Certificate.edition).selectinload(Edition.course))
        .order_by(Certificate.created_at.desc(), Certificate.id.desc())
    ).all()
    preparing = any(certificate.status in PREPARING for certificate in certificates)
    return render_template(
        "certificates/mine.html",
        certificates=certificates,
        preparing=preparing,
        refresh_seconds=REFRESH_SECONDS,
        PREPARING=PREPARING,
    )


@bp.get("/certificates/<int:certificate_id>/download")
@login_required
def download(certificate_id: int):
    """The certificate's PDF, for the learner and the organiser's coordinators only."""
    # Refusals (not yours, revoked, still being prepared) answer as in the API.
    certificate, content = services.certificate_pdf(current_user, certificate_id)
    return _attachment(content, "application/pdf",
                       _("certificate-%(code)s.pdf", code=certificate.verification_code))


@bp.get("/verify")
@limit_guesses("verify")
def verify_form():
    """Type a certificate's code to check it (the address printed without the QR code)."""
    form = VerifyForm(request.args)
    if not (form.code.data or "").strip():
        return render_template("certificates/verify.html", form=VerifyForm(), certificate=None,
                               pdf_form=VerifyPdfForm())
    return _verify_page(form.code.data, form)


@bp.post("/verify/pdf")
@limit_guesses("verify")
def verify_pdf():
    """Upload an attest's PDF: is it unaltered and signed by the College, and which attest?"""
    pdf_form = VerifyPdfForm()
    page = partial(render_template, "certificates/verify.html", form=VerifyForm(),
                   certificate=None, pdf_form=pdf_form)
    if not pdf_form.validate_on_submit():
        return page(), 422
    try:
        check = services.verify_pdf(pdf_form.file.data.read(signing.MAX_PDF_BYTES + 1))
    except ServiceError as error:
        attach_error(pdf_form, error)
        return page(), error.status
    hours = format_number(check.certificate.edition.course.hours) if check.certificate else None
    return page(check=check, hours=hours, Verdict=Verdict)


@bp.get("/verify/<code>")
@limit_guesses("verify")
def verify(code: str):
    """Public check of a certificate: valid or revoked, with name, course, hours and date only."""
    return _verify_page(code, VerifyForm())


def _verify_page(code: str, form: VerifyForm):
    certificate = services.verify_certificate(code)
    if certificate is None:
        form.code.errors = [_("No certificate has this code. Check the code on the certificate "
                              "and try again.")]
        return render_template("certificates/verify.html", form=form, certificate=None,
                               pdf_form=VerifyPdfForm()), 404
    return render_template(
        "certificates/verify.html",
        form=VerifyForm(),
        certificate=certificate,
        hours=format_number(certificate.edition.course.hours),
        pdf_form=VerifyPdfForm(),
    )


# ---- coordinators -----------------------------------------------------------------------------


def _edition_or_404(edition_id: int) -> Edition:
    edition = db.session.scalar(
        select(Edition).where(Edition.id == edition_id).options(selectinload(Edition.course))
    )
    if edition is None:
        abort(404)
    require(can_manage_course(current_user, edition.course))
    return edition


def _certificate_or_404(certificate_id: int) -> Certificate:
    try:
        certificate = services.get_certificate(certificate_id)
    except ServiceError:
        abort(404)
    require(can_manage_course(current_user, certificate.edition.course))
    return certificate


@bp.get("/organisers/<int:organiser_id>/certificates")
@login_required
def organiser_editions(organiser_id: int):
    """The organiser's editions with how many certificates each has, per status."""
    require(can_manage_organiser(current_user, organiser_id))
    editions_list = db.session.execute(
        select(Edition, Course.title)
        .join(Course, Edition.course_id == Course.id)
        .where(Course.organised_by(organiser_id))
        .order_by(Edition.starts_on.desc())
    ).all()
    counts: dict[int, dict[CertificateStatus, int]] = {}
    for edition_id, status, count in db.session.execute(
        select(Certificate.edition_id, Certificate.status, func.count())
        .join(Edition, Certificate.edition_id == Edition.id)
        .join(Course, Edition.course_id == Course.id)
        .where(Course.organised_by(organiser_id))
        .group_by(Certificate.edition_id, Certificate.status)
    ):
        counts.setdefault(edition_id, {})[status] = count
    return render_template(
        "certificates/organiser.html",
        organiser_id=organiser_id,
        editions=editions_list,
        counts=counts,
        statuses=list(CertificateStatus),
    )


def _render_edition(edition: Edition, status: int = 200):
    certificates = services.edition_certificates(edition.id, current_user)
    regenerate = editions.progress("regenerate", edition.id)
    bundle = editions.progress("zip", edition.id)
    zip_ready = file_storage().exists(editions.zip_key(edition.id))
    busy = any(c.status == CertificateStatus.QUEUED for c in certificates) or any(
        job is not None and job.running for job in (regenerate, bundle)
    )
    page = render_template(
        "certificates/edition.html",
        edition=edition,
        certificates=certificates,
        regenerate=regenerate,
        bundle=bundle,
        zip_ready=zip_ready,
        busy=busy,
        refresh_seconds=REFRESH_SECONDS,
        form=ActionForm(),
        COMPLETED=EnrolmentStatus.COMPLETED,
        Status=CertificateStatus,
    )
    return page, status


@bp.get("/editions/<int:edition_id>/certificates")
@login_required
def edition_certificates(edition_id: int):
    """Coordinators: every certificate of an edition with its status, errors and actions."""
    return _render_edition(_edition_or_404(edition_id))


REASON_PAGES = {
    "revoke": {
        "title": _l("Revoke the certificate of %(name)s"),
        "hint": _l("Anyone who checks the code will see that the certificate is revoked."),
        "button": _l("Revoke"),
        "done": _l("The certificate has been revoked."),
    },
    "reissue": {
        "title": _l("Reissue the certificate of %(name)s"),
        "hint": _l("The current certificate is revoked; a new one with a new code is made "
                   "from the corrected data."),
        "button": _l("Revoke and make a new certificate"),
        "done": _l("A new certificate is being prepared; the old one is revoked."),
    },
}


def _reason_action(certificate_id: int, action, kind: str):
    certificate = _certificate_or_404(certificate_id)
    form = ReasonForm()
    page = REASON_PAGES[kind]

    def show(status: int):
        return render_template(
            "certificates/reason.html", form=form, certificate=certificate, page=page,
            title=str(page["title"]) % {"name": certificate.learner.name},
        ), status

    if form.validate_on_submit():
        try:
            action(certificate.id, current_user, form.reason.data)
        except ServiceError as error:
            attach_error(form, error)
            return show(error.status)
        flash(str(page["done"]), "success")
        return redirect(url_for(".edition_certificates", edition_id=certificate.edition_id))
    return show(422 if form.is_submitted() else 200)


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(certificate_id: int):
    """Revoke a certificate with a reason."""
    return _reason_action(certificate_id, services.revoke_certificate, "revoke")


@bp.route("/certificates/<int:certificate_id>/reissue", methods=["GET", "POST"])
@login_required
def reissue(certificate_id: int):
    """Revoke a certificate and make a new one with a new code."""
    return _reason_action(certificate_id, services.reissue_certificate, "reissue")


def _edition_action(edition: Edition, action, done_message: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action()
    except ServiceError as error:
        flash(error.message, "error")
        return _render_edition(edition, error.status)
    flash(done_message, "success")
    return redirect(url_for(".edition_certificates", edition_id=edition.id))


@bp.post("/certificates/<int:certificate_id>/retry")
@login_required
def retry(certificate_id: int):
    """Queue a failed certificate again."""
    certificate = _certificate_or_404(certificate_id)
    edition = _edition_or_404(certificate.edition_id)
    return _edition_action(
        edition, lambda: services.retry_certificate(certificate.id),
        _("The certificate is being prepared again."),
    )


EDITION_JOB_MESSAGES = {
    "regenerate": _l("The certificates are being made again. This page shows the progress."),
    "zip": _l("The ZIP file is being made. This page shows the progress."),
}


@bp.post("/editions/<int:edition_id>/certificates/<any(regenerate, zip):kind>")
@login_required
def edition_job(edition_id: int, kind: str):
    """Start an edition-wide background job: make all certificates again, or build the ZIP."""
    edition = _edition_or_404(edition_id)
    return _edition_action(
        edition, lambda: editions.start(kind, edition.id), str(EDITION_JOB_MESSAGES[kind])
    )


@bp.get("/editions/<int:edition_id>/certificates.zip")
@login_required
def download_zip(edition_id: int):
    """The ZIP of the edition's certificates, once it has been built."""
    edition = _edition_or_404(edition_id)
    content = file_storage().get(editions.zip_key(edition.id))
    if content is None:
        abort(404)
    return _attachment(content, "application/zip", _("certificates-edition-%(id)s.zip", id=edition.id))


# ---- the organiser's certificate design -------------------------------------------------------


def _design_input(form: DesignForm) -> tuple[dict, bytes | None | object]:
    """The form's design values and its signature: a new image, None to remove, or KEEP."""
    data = {name: form[name].data for name in designs.FIELDS}
    upload = form.signature.data
    if form.remove_signature.data:
        return data, None
    if upload and getattr(upload, "filename", ""):
        return data, upload.read(designs.SIGNATURE_MAX_BYTES + 1)
    return data, design_services.KEEP


def _editions_with_certificates(organiser_id: int) -> list:
    """The organiser's latest editions that have issued certificates, to make them again."""
    return db.session.execute(
        select(Edition, Course.title, func.count(Certificate.id))
        .join(Course, Edition.course_id == Course.id)
        .join(Certificate, Certificate.edition_id == Edition.id)
        .where(Course.organised_by(organiser_id), Certificate.status == CertificateStatus.ISSUED)
        .group_by(Edition.id, Course.title)
        .order_by(Edition.starts_on.desc())
        .limit(10)
    ).all()


def _design_page(organiser: Organiser, form: DesignForm, status: int = 200):
    versions = designs.versions(organiser.id)
    return render_template(
        "certificates/design.html", organiser=organiser, form=form, versions=versions,
        current=versions[0] if versions else None, placeholders=designs.PLACEHOLDERS,
        layout_names=designs.LAYOUT_NAMES,
        editions=_editions_with_certificates(organiser.id), action_form=ActionForm(),
    ), status


@bp.route("/organisers/<int:organiser_id>/certificate-design", methods=["GET", "POST"])
@login_required
def certificate_design(organiser_id: int):
    """The organiser's certificate design: change it and save it as a new version."""
    organiser = organiser_or_404(organiser_id)
    current = designs.current_design(organiser.id, with_signature=False)
    form = DesignForm(data=designs.DesignValues.of(current).form_values())
    if form.validate_on_submit():
        data, signature = _design_input(form)
        try:
            design = design_services.save_design(current_user, organiser, data, signature)
        except ServiceError as error:
            attach_error(form, error)
            return _design_page(organiser, form, error.status)
        flash(_("Version %(number)d of the certificate design is saved. New certificates use it; "
                "make an edition's certificates again to give them the new design.",
                number=design.number), "success")
        return redirect(url_for(".certificate_design", organiser_id=organiser.id))
    return _design_page(organiser, form, 422 if form.is_submitted() else 200)


@bp.post("/organisers/<int:organiser_id>/certificate-design/preview")
@login_required
def preview_design(organiser_id: int):
    """A sample certificate as a PDF with the form's unsaved values; nothing is saved."""
    organiser = organiser_or_404(organiser_id)
    form = DesignForm()
    if form.validate_on_submit():
        data, signature = _design_input(form)
        try:
            pdf = design_services.preview_design(current_user, organiser, data, signature,
                                                 kind=request.args.get("kind"))
        except ServiceError as error:
            attach_error(form, error)
            return _design_page(organiser, form, error.status)
        response = Response(pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = 'inline; filename="preview.pdf"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return _design_page(organiser, form, 422)


@bp.post("/organisers/<int:organiser_id>/certificate-design/versions/<int:number>/restore")
@login_required
def restore_design(organiser_id: int, number: int):
    """Make an earlier version of the design current again (as a new version)."""
    organiser = organiser_or_404(organiser_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    design = design_services.restore_design(current_user, organiser, number)
    flash(_("Version %(old)d is current again, saved as version %(number)d.",
            old=number, number=design.number), "success")
    return redirect(url_for(".certificate_design", organiser_id=organiser.id))
