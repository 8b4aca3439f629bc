"""Organisers: the settings their coordinators choose."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import abort

from college import policy
from college.accounts import services
from college.accounts.models import Organiser
from college.api import auth
from college.api.core import Blueprint, Boolean, ChangeSchema
from college.errors import NotAllowed
from college.extensions import db

blp = Blueprint("api_organisers", __name__, url_prefix="/api/v1/organisers",
                description="The organisers (municipalities, hubs) and their settings.")


class OrganiserSchema(ma.Schema):
    """An organiser and how its waiting lists and verification behave."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    municipality = ma.fields.String(required=True)
    waitlist_closes_hours_before = ma.fields.Integer(
        required=True,
        metadata={"description": "From this many hours before an edition starts, a freed seat "
                                 "stays free: nobody is moved up from the waiting list."},
    )
    verify_anonymised_certificates = Boolean(required=True)
    contact_phone = ma.fields.String(required=True)
    contact_email = ma.fields.String(required=True)
    contact_address = ma.fields.String(required=True)
    contact_hours = ma.fields.String(required=True)


class OrganiserChangeSchema(ChangeSchema):
    """The settings a coordinator changes; fields left out keep their value."""

    waitlist_closes_hours_before = ma.fields.Integer(
        strict=True, metadata={"description": "0 to 720 (the service answers 422 outside)."})
    verify_anonymised_certificates = Boolean()
    # Checked by the accounts service (422 per field), as on the settings page.
    contact_phone = ma.fields.String(allow_none=True)
    contact_email = ma.fields.String(allow_none=True)
    contact_address = ma.fields.String(allow_none=True)
    contact_hours = ma.fields.String(allow_none=True)


def _organiser_to_manage(organiser_id: int) -> Organiser:
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None:
        abort(404)
    if not policy.can_manage_organiser(auth.current_user(), organiser.id):
        raise NotAllowed(_("Only coordinators of this organiser can change its settings."))
    return organiser


@blp.get("/<id:organiser_id>")
@blp.login_required
@blp.response(200, OrganiserSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_organiser(organiser_id: int):
    """An organiser with its settings (its coordinators)."""
    return _organiser_to_manage(organiser_id)


@blp.patch("/<id:organiser_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(OrganiserChangeSchema)
@blp.response(200, OrganiserSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def update_organiser(data: dict, organiser_id: int):
    """Change an organiser's settings (its coordinators)."""
    organiser = _organiser_to_manage(organiser_id)
    return services.update_organiser_settings(auth.current_user(), organiser, **data)
