"""Respite with the training: ask it for an enrolment, follow it, arrange it (the hub's
coordinators), and the organiser's respite partners."""

from __future__ import annotations

import marshmallow as ma

from college.api import auth
from college.api.core import Blueprint, Boolean, ChangeSchema, id_field
from college.respite import services
from college.respite.models import RespiteKind, RespitePartner, RespiteRequest, RespiteState

blp = Blueprint("api_respite", __name__, url_prefix="/api/v1",
                description="Respite: someone takes over the care while the caregiver learns.")

KINDS = [kind.value for kind in RespiteKind]
STATES = [state.value for state in RespiteState]
HUB_STATES = [state.value for state in services.HUB_STATES]


class RespiteInSchema(ma.Schema):
    """What the helper needs, and the caregiver's consent to share it with the partner asked."""

    session_ids = ma.fields.List(id_field(), load_default=None, allow_none=True,
                                 validate=ma.validate.Length(max=100), metadata={
        "description": "Sessions of the enrolment's edition that have not begun; left out: all "
                       "that are still to come."})
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS), metadata={
        "description": "`bring_along` only where the course allows companions."})
    municipality_id = id_field(required=True, metadata={
        "description": "Where care is needed (GET /municipalities)."})
    address = ma.fields.String(load_default="", validate=ma.validate.Length(max=300), metadata={
        "description": "Required for `company` and `personal_care`."})
    mobility = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    language = ma.fields.String(load_default="", validate=ma.validate.Length(max=60))
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    consent = Boolean(required=True, metadata={
        "description": "true: the caregiver agrees that this is shared with the partner asked "
                       "(required)."})


class RespiteSessionSchema(ma.Schema):
    session_id = ma.fields.Integer(required=True)
    starts_at = ma.fields.Function(lambda s: s.session.starts_at.isoformat(), required=True,
                                   metadata={"type": "string", "format": "date-time"})
    state = ma.fields.Function(lambda s: s.state.value, required=True,
                               metadata={"type": "string", "enum": STATES})
    partner_id = ma.fields.Integer(required=True, allow_none=True)
    partner_name = ma.fields.Function(lambda s: s.partner.name if s.partner else None,
                                      required=True, allow_none=True,
                                      metadata={"type": "string", "nullable": True})
    helper_first_name = ma.fields.String(required=True, allow_none=True)


class RespiteRequestSchema(ma.Schema):
    """A respite request with its care details (empty once erased) and its sessions."""

    id = ma.fields.Integer(required=True)
    enrolment_id = ma.fields.Integer(required=True)
    kind = ma.fields.Function(lambda r: r.kind.value, required=True,
                              metadata={"type": "string", "enum": KINDS})
    municipality_id = ma.fields.Integer(required=True, allow_none=True)
    address = ma.fields.String(required=True)
    mobility = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    note = ma.fields.String(required=True)
    consent_at = ma.fields.AwareDateTime(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    details_erased_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    sessions = ma.fields.List(ma.fields.Nested(RespiteSessionSchema), required=True)


class RespiteRequestListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RespiteRequestSchema), required=True)


class SessionChangeSchema(ma.Schema):
    session_id = id_field(required=True)
    state = ma.fields.String(required=True, validate=ma.validate.OneOf(HUB_STATES))
    partner_id = id_field(load_default=None, allow_none=True, metadata={
        "description": "The partner who arranged it (required with `arranged`)."})
    helper_first_name = ma.fields.String(load_default=None, allow_none=True,
                                         validate=ma.validate.Length(max=60))


class RespiteChangeSchema(ChangeSchema):
    """Ask a partner (it gets a mail with its link), and/or record per session what was arranged."""

    ask_partner_id = id_field(metadata={
        "description": "Ask this partner for the sessions still to arrange."})
    sessions = ma.fields.List(ma.fields.Nested(SessionChangeSchema),
                              validate=ma.validate.Length(min=1, max=100))


class PartnerSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    organiser_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    phone = ma.fields.String(required=True, allow_none=True)
    kinds = ma.fields.Function(lambda p: p.kinds.split(), required=True,
                               metadata={"type": "array", "items": {"type": "string", "enum": KINDS}})
    municipality_ids = ma.fields.Function(
        lambda p: sorted(m.municipality_id for m in p.municipalities), required=True,
        metadata={"type": "array", "items": {"type": "integer"}})


class PartnerListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PartnerSchema), required=True)


class PartnerInSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=254))
    phone = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=60))
    kinds = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(KINDS)), required=True,
                           validate=ma.validate.Length(min=1, max=len(KINDS)))
    municipality_ids = ma.fields.List(id_field(), load_default=list,
                                      validate=ma.validate.Length(max=400))


class PartnerChangeSchema(ChangeSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    email = ma.fields.String(validate=ma.validate.Length(min=1, max=254))
    phone = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=60))
    kinds = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(KINDS)),
                           validate=ma.validate.Length(min=1, max=len(KINDS)))
    municipality_ids = ma.fields.List(id_field(), validate=ma.validate.Length(max=400))


@blp.post("/enrolments/<id:enrolment_id>/respite")
@blp.login_required
@blp.arguments(RespiteInSchema)
@blp.response(201, RespiteRequestSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.idempotent(RespiteRequest, lambda request: services.request_as_asked(request.id))
def ask_respite(data: dict, enrolment_id: int):
    """Ask that someone takes over the care during the sessions (your enrolment, or as the
    edition's staff one of its learners')."""
    request = services.request_respite(enrolment_id=enrolment_id, actor=auth.current_user(),
                                       **data)
    return services.request_as_asked(request.id)


@blp.get("/respite-requests/<id:request_id>")
@blp.login_required
@blp.response(200, RespiteRequestSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_respite_request(request_id: int):
    """A respite request: the caregiver's own, or for the organiser's coordinators (logged)."""
    return services.request_to_read(request_id, auth.current_user())


@blp.patch("/respite-requests/<id:request_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(RespiteChangeSchema)
@blp.response(200, RespiteRequestSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def change_respite_request(data: dict, request_id: int):
    """Ask a partner, or record per session what was arranged; the caregiver is told."""
    actor = auth.current_user()
    if data.get("ask_partner_id") is not None:
        services.ask_partner(request_id=request_id, partner_id=data["ask_partner_id"], actor=actor)
    if data.get("sessions"):
        services.change_sessions(request_id=request_id, actor=actor, changes=data["sessions"])
    return services.request_to_read(request_id, actor)


@blp.get("/editions/<id:edition_id>/respite-requests")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(200, RespiteRequestListSchema)
@blp.alt_response(404, response="NOT_FOUND")
def list_edition_respite(edition_id: int):
    """An edition's respite requests, the most urgent first (its coordinators; logged)."""
    return {"items": services.requests_of_edition(edition_id, auth.current_user())}


@blp.get("/organisers/<id:organiser_id>/respite-partners")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(200, PartnerListSchema)
@blp.alt_response(404, response="NOT_FOUND")
def list_partners(organiser_id: int):
    """The organiser's respite partners (its coordinators)."""
    return {"items": services.partners_of(organiser_id, auth.current_user())}


@blp.post("/organisers/<id:organiser_id>/respite-partners")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(PartnerInSchema)
@blp.response(201, PartnerSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.idempotent(RespitePartner,
                lambda partner: services.partner_to_manage(partner.id, auth.current_user()))
def add_partner(data: dict, organiser_id: int):
    """Add a respite partner to the organiser."""
    return services.save_partner(organiser_id=organiser_id, actor=auth.current_user(), **data)


@blp.patch("/respite-partners/<id:partner_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(PartnerChangeSchema)
@blp.response(200, PartnerSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def change_partner(data: dict, partner_id: int):
    """Change a respite partner (fields left out keep theirs)."""
    actor = auth.current_user()
    partner = services.partner_to_manage(partner_id, actor)
    current = {"name": partner.name, "email": partner.email, "phone": partner.phone,
               "kinds": partner.kinds.split(),
               "municipality_ids": [m.municipality_id for m in partner.municipalities]}
    return services.save_partner(organiser_id=partner.organiser_id, actor=actor,
                                 partner_id=partner.id, **(current | data))


@blp.delete("/respite-partners/<id:partner_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def remove_partner(partner_id: int):
    """Remove a respite partner (what it arranged keeps its state)."""
    services.delete_partner(partner_id=partner_id, actor=auth.current_user())
    return None
