"""Accounts: register as a learner, who am I, and the accounts a coordinator creates."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import abort

from college.accounts import services
from college.accounts.models import Kind, Language, Organiser, Role, User
from college.api import auth
from college.api.core import Blueprint, id_field
from college.errors import Invalid, NotAllowed
from college.extensions import db

blp = Blueprint("api_accounts", __name__, url_prefix="/api/v1", description="Learners, trainers and coordinators.")


class MembershipSchema(ma.Schema):
    """A staff role held at an organiser."""

    organiser_id = ma.fields.Integer(required=True)
    organiser_name = ma.fields.Function(lambda m: m.organiser.name, required=True)
    role = ma.fields.Enum(Role, by_value=True, required=True)


class UserSchema(ma.Schema):
    """An account."""

    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True, allow_none=True, metadata={"description": "Null for a managed account."})
    name = ma.fields.String(required=True)
    kind = ma.fields.Enum(Kind, by_value=True, required=True, allow_none=True)
    language = ma.fields.Enum(Language, by_value=True, required=True)
    roles = ma.fields.Function(
        lambda user: sorted(role.value for role in user.roles),
        required=True,
        metadata={"type": "array", "items": {"type": "string", "enum": [r.value for r in Role]}},
    )
    is_managed = ma.fields.Boolean(required=True)
    memberships = ma.fields.List(ma.fields.Nested(MembershipSchema), required=True)
    profession = ma.fields.String(required=True, allow_none=True)
    registration_number = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)


class RegisterSchema(ma.Schema):
    """A learner registering themselves."""

    email = ma.fields.String(required=True, validate=ma.validate.Length(max=254))
    password = ma.fields.String(required=True, validate=ma.validate.Length(max=1000))
    name = ma.fields.String(required=True, validate=ma.validate.Length(max=120))
    kind = ma.fields.Enum(Kind, by_value=True, required=True)
    language = ma.fields.Enum(Language, by_value=True, load_default=Language.NL)
    profession = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=120))
    registration_number = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=60)
    )
    consent = ma.fields.Boolean(
        required=True,
        metadata={"description": "True once the person agreed to the privacy notice."},
    )


class NewAccountSchema(ma.Schema):
    """An account a coordinator creates for their organiser."""

    name = ma.fields.String(required=True, validate=ma.validate.Length(max=120))
    email = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=254),
        metadata={"description": "Leave out for a managed learner who has no email."},
    )
    kind = ma.fields.Enum(Kind, by_value=True, load_default=None, allow_none=True)
    roles = ma.fields.List(ma.fields.Enum(Role, by_value=True), required=True)
    password = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=1000))
    language = ma.fields.Enum(Language, by_value=True, load_default=Language.NL)
    organiser_id = id_field(
        load_default=None, allow_none=True,
        metadata={"description": "Needed when you coordinate more than one organiser."},
    )


@blp.post("/register")
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, response="CONFLICT")
@blp.idempotent(User)
def register(data: dict):
    """Create a learner account as a caregiver or a professional."""
    return services.register_learner(**data)


@blp.get("/me")
@blp.login_required
@blp.response(200, UserSchema)
def me():
    """The account of the token's user."""
    return auth.current_user()


def organiser_to_manage(user: User, organiser_id: int | None, refusal: str | None = None) -> Organiser:
    """The organiser named, or the only one the user coordinates (else NotAllowed with `refusal`)."""
    if organiser_id is not None:
        organiser = db.session.get(Organiser, organiser_id)
        if organiser is None:
            abort(404, message=_("This organiser does not exist."))
        return organiser
    coordinated = user.organiser_ids(Role.COORDINATOR)
    if not coordinated:
        raise NotAllowed(refusal or _("Only coordinators of this organiser can create accounts."))
    if len(coordinated) > 1:
        raise Invalid(_("Choose the organiser."), field="organiser_id")
    return db.session.get(Organiser, coordinated.pop())


@blp.post("/users")
@blp.login_required
@blp.arguments(NewAccountSchema)
@blp.response(201, UserSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(409, response="CONFLICT")
@blp.idempotent(User)
def create_user(data: dict):
    """Create a trainer, a coordinator or a managed learner (coordinators only)."""
    actor = auth.current_user()
    organiser = organiser_to_manage(actor, data.pop("organiser_id"))
    return services.create_account(
        actor=actor, organiser=organiser, **{**data, "roles": [role.value for role in data["roles"]]}
    )
