"""Certificates: your own, their PDF, revoking one, and the public verification of a code."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask_smorest import abort
from flask_smorest.fields import Upload
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from college import timeutil
from college.api import auth
from college.api.core import Blueprint, Boolean
from college.api.pagination import PageArgs, page_schema, paginate
from college.catalogue.models import Edition
from college.certificates import services, signing
from college.certificates.models import Certificate, CertificateStatus
from college.security import limit_guesses

blp = Blueprint("api_certificates", __name__, url_prefix="/api/v1",
                description="Certificates (attesten) and their public verification.")


class MyCertificateSchema(ma.Schema):
    """One of your certificates; its PDF and code are there once it is issued."""

    id = ma.fields.Integer(required=True)
    edition_id = ma.fields.Integer(required=True)
    course_title = ma.fields.Function(lambda c: c.edition.course.title, required=True,
                                      metadata={"type": "string"})
    status = ma.fields.Function(
        services.learner_status, required=True,
        metadata={"type": "string", "enum": ["preparing", "issued", "revoked"]},
    )
    verification_code = ma.fields.Function(
        lambda c: c.verification_code if c.issued_at else None, required=True,
        metadata={"type": "string", "nullable": True,
                  "description": "Null while the certificate is being prepared."},
    )
    issued_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    revoked_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    valid_until = ma.fields.Date(attribute="expires_on", required=True, allow_none=True, metadata={
        "description": "Its last valid day; null: it does not expire."})
    expired = ma.fields.Function(lambda c: c.expired(), required=True,
                                 metadata={"type": "boolean"})


class CertificateSchema(ma.Schema):
    """A certificate as its organiser's coordinators see it."""

    id = ma.fields.Integer(required=True)
    edition_id = ma.fields.Integer(required=True)
    user_id = ma.fields.Integer(attribute="learner_id", required=True)
    status = ma.fields.Enum(CertificateStatus, by_value=True, required=True)
    verification_code = ma.fields.String(required=True)
    issued_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    revoked_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    revoked_reason = ma.fields.String(required=True, allow_none=True)
    valid_until = ma.fields.Date(attribute="expires_on", required=True, allow_none=True, metadata={
        "description": "Its last valid day; null: it does not expire."})


class RevokeSchema(ma.Schema):
    """Why the certificate is revoked; the learner and colleagues read it."""

    # Blank or too long is the certificate service's rule: it answers 422 for `reason`.
    reason = ma.fields.String(required=True)


class VerificationSchema(ma.Schema):
    """What anyone holding the code may know: valid, revoked or expired, name, course, hours
    and dates."""

    valid = Boolean(required=True)
    revoked = Boolean(required=True)
    expired = Boolean(required=True, metadata={"description": "Past its last valid day."})
    valid_until = ma.fields.Date(required=True, allow_none=True, metadata={
        "description": "Its last valid day; null: it does not expire."})
    learner_name = ma.fields.String(required=True)
    course_title = ma.fields.String(required=True)
    hours = ma.fields.Float(required=True)
    issued_on = ma.fields.Date(required=True, metadata={"description": "In Belgian time."})
    revoked_on = ma.fields.Date(required=True, allow_none=True)


@blp.get("/me/certificates")
@blp.login_required
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(MyCertificateSchema))
def my_certificates(args: dict):
    """Your certificates: being prepared, issued, or revoked."""
    statement = (
        select(Certificate)
        .where(Certificate.learner_id == auth.current_user().id)
        .options(selectinload(Certificate.edition).selectinload(Edition.course))
    )
    return paginate(statement, Certificate.id, args)


@blp.get("/certificates/<id:certificate_id>/pdf")
@blp.login_required
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="The certificate as a PDF/A file.")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def certificate_pdf(certificate_id: int):
    """The PDF of an issued certificate (its learner and the organiser's coordinators)."""
    certificate, content = services.certificate_pdf(auth.current_user(), certificate_id)
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.verification_code}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.post("/certificates/<id:certificate_id>/revoke")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(RevokeSchema)
@blp.response(200, CertificateSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def revoke(data: dict, certificate_id: int):
    """Revoke a certificate with a reason (the organiser's coordinators); its code then says so."""
    return services.revoke_certificate(certificate_id, auth.current_user(), data["reason"])


@blp.get("/verify/<code:code>")
@limit_guesses("verify")
@blp.response(200, VerificationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def verify(code: str):
    """Check a certificate's code, as printed on it (no token needed; limited per address)."""
    certificate = services.verify_certificate(code)
    if certificate is None:
        abort(404)
    return _verification(certificate)


def _verification(certificate: Certificate) -> dict:
    revoked = certificate.status == CertificateStatus.REVOKED
    expired = certificate.expired()
    return {
        "valid": not revoked and not expired,
        "revoked": revoked,
        "expired": expired,
        "valid_until": certificate.expires_on,
        "learner_name": certificate.learner.name,
        "course_title": certificate.edition.course.title,
        "hours": certificate.edition.course.hours,
        "issued_on": timeutil.local(certificate.issued_at).date(),
        "revoked_on": timeutil.local(certificate.revoked_at).date() if certificate.revoked_at else None,
    }


class PdfUploadSchema(ma.Schema):
    """An attest's PDF file, as the College made it (at most 2 MB)."""

    file = Upload(required=True)


class PdfVerificationSchema(ma.Schema):
    """Whether an uploaded PDF is an unaltered attest of the College, and which one."""

    verdict = ma.fields.Enum(signing.Verdict, by_value=True, required=True, metadata={
        "description": "valid: unaltered and the College's, the attest is valid; revoked: "
                       "unaltered, but the attest was revoked; expired: unaltered, but the "
                       "attest is past its last valid day; unknown: unaltered and the "
                       "College's, but no attest can be shown; altered: changed after the "
                       "College signed it; unsigned: no signature; foreign: signed by "
                       "someone else."})
    valid = Boolean(required=True)
    certificate = ma.fields.Nested(VerificationSchema, required=True, allow_none=True, metadata={
        "description": "The attest, as its code answers; null unless valid, revoked or expired."})


@blp.post("/certificates/verify")
@limit_guesses("verify")
@blp.arguments(PdfUploadSchema, location="files")
@blp.response(200, PdfVerificationSchema)
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def verify_pdf(data: dict):
    """Check an uploaded attest PDF: unaltered and signed by the College? (no token needed)."""
    check = services.verify_pdf(data["file"].read(signing.MAX_PDF_BYTES + 1))
    return {
        "verdict": check.verdict,
        "valid": check.verdict == signing.Verdict.VALID,
        "certificate": _verification(check.certificate) if check.certificate else None,
    }
