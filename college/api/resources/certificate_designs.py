"""An organiser's certificate design: the current one, its versions, saving, restoring, a preview."""

from __future__ import annotations

import base64
import binascii

import marshmallow as ma
from flask import Response
from flask_babel import gettext as _
from flask_smorest import abort

from college.accounts.models import Organiser
from college.api import auth
from college.api.core import Blueprint
from college.certificates import design_services, designs
from college.certificates.designs import DesignValues
from college.certificates.models import CertificateDesign
from college.errors import Invalid
from college.extensions import db

blp = Blueprint("api_certificate_designs", __name__, url_prefix="/api/v1/organisers",
                description="How an organiser's certificates look, in numbered versions.")

_TEXT = "May use the placeholders {learner}, {training}, {dates}, {hours} and {organiser}; " \
        "empty: the usual wording."


class DesignSchema(ma.Schema):
    """The current design; `version` is null while the organiser uses the College's default."""

    version = ma.fields.Integer(required=True, allow_none=True)
    layout = ma.fields.String(required=True, metadata={"enum": list(designs.LAYOUTS)})
    primary_colour = ma.fields.String(required=True, metadata={"example": "#1b4f72"})
    accent_colour = ma.fields.String(required=True, metadata={"example": "#a4431e"})
    title_text = ma.fields.String(required=True)
    intro_text = ma.fields.String(required=True)
    closing_text = ma.fields.String(required=True)
    signatory_name = ma.fields.String(required=True)
    signatory_role = ma.fields.String(required=True)
    has_signature = ma.fields.Boolean(required=True)


class DesignInSchema(ma.Schema):
    """A design to save or preview. The service checks the values (422 per field), as on the
    design page."""

    layout = ma.fields.String(required=True, metadata={"enum": list(designs.LAYOUTS)})
    primary_colour = ma.fields.String(required=True, metadata={
        "description": "#rrggbb, dark enough for white text (contrast at least 4.5:1)."})
    accent_colour = ma.fields.String(required=True, metadata={
        "description": "#rrggbb, dark enough to read on white (contrast at least 4.5:1)."})
    title_text = ma.fields.String(load_default="", metadata={"description": _TEXT})
    intro_text = ma.fields.String(load_default="", metadata={"description": _TEXT})
    closing_text = ma.fields.String(load_default="", metadata={"description": _TEXT})
    signatory_name = ma.fields.String(load_default="")
    signatory_role = ma.fields.String(load_default="")
    signature = ma.fields.String(allow_none=True, metadata={
        "description": "A PNG or JPEG image of at most 256 KB, base64-encoded. Left out: the "
                       "current signature image stays; null: no signature image."})


class PreviewSchema(DesignInSchema):
    """A design to preview, and which certificate to show it on."""

    kind = ma.fields.String(load_default="caregiver", metadata={
        "enum": ["caregiver", "professional"],
        "description": "The caregivers' thank-you or the professionals' attest."})


class VersionSchema(ma.Schema):
    """A saved version of the design."""

    number = ma.fields.Integer(required=True)
    layout = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    created_by_id = ma.fields.Integer(required=True, allow_none=True)
    restored_from = ma.fields.Integer(required=True, allow_none=True,
                                      metadata={"description": "The version this one copies."})


def _organiser(organiser_id: int) -> Organiser:
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None:
        abort(404)
    design_services.require_designer(auth.current_user(), organiser.id)
    return organiser


def _present(design: CertificateDesign | None) -> dict:
    values = DesignValues.of(design)
    return {**values.form_values(), "version": values.version,
            "has_signature": bool(design and design.signature_mimetype)}


def _input(data: dict):
    """The design values and the signature (bytes, None to remove, or KEEP) of a request."""
    values = {name: data.get(name) for name in designs.FIELDS}
    if "signature" not in data:
        return values, design_services.KEEP
    if data["signature"] is None:
        return values, None
    try:
        return values, base64.b64decode(data["signature"], validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(_("The signature must be a PNG or JPEG image, base64-encoded."),
                      field="signature") from None


@blp.get("/<id:organiser_id>/certificate-design")
@blp.login_required
@blp.response(200, DesignSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_certificate_design(organiser_id: int):
    """The organiser's current certificate design (its coordinators)."""
    organiser = _organiser(organiser_id)
    return _present(designs.current_design(organiser.id, with_signature=False))


@blp.put("/<id:organiser_id>/certificate-design")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(DesignInSchema)
@blp.response(200, DesignSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def put_certificate_design(data: dict, organiser_id: int):
    """Save the design as a new version, which new certificates use from now on."""
    organiser = _organiser(organiser_id)
    values, signature = _input(data)
    return _present(design_services.save_design(auth.current_user(), organiser, values, signature))


@blp.get("/<id:organiser_id>/certificate-design/versions")
@blp.login_required
@blp.response(200, VersionSchema(many=True))
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def certificate_design_versions(organiser_id: int):
    """Every saved version of the design, newest (current) first."""
    return designs.versions(_organiser(organiser_id).id)


@blp.post("/<id:organiser_id>/certificate-design/versions/<id:number>/restore")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(201, VersionSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.idempotent(CertificateDesign)
def restore_certificate_design(organiser_id: int, number: int):
    """Make an earlier version current again: it is saved as a new version."""
    organiser = _organiser(organiser_id)
    return design_services.restore_design(auth.current_user(), organiser, number)


@blp.post("/<id:organiser_id>/certificate-design/preview")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(PreviewSchema)
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="A sample certificate in this design; nothing is saved.")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def preview_certificate_design(data: dict, organiser_id: int):
    """A sample certificate as a PDF in the design sent (saved or not); nothing changes."""
    organiser = _organiser(organiser_id)
    values, signature = _input(data)
    pdf = design_services.preview_design(auth.current_user(), organiser, values, signature,
                                         kind=data.get("kind"))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="preview.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
