"""Accounts: register as a learner, who am I, my details, and the accounts a coordinator keeps."""

from __future__ import annotations

import marshmallow as ma
from flask import request, url_for
from flask_babel import gettext as _
from flask_smorest import abort

from college.accounts import services
from college.accounts.models import Kind, Language, Organiser, Role, User
from college.api import auth
from college.api.core import Blueprint, Boolean, ChangeSchema, id_field
from college.errors import Conflict, Invalid, NotAllowed
from college.extensions import db
from college.privacy import notice
from college.security import limit_guesses

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
    is_managed = Boolean(required=True)
    memberships = ma.fields.List(ma.fields.Nested(MembershipSchema), required=True)
    profession = ma.fields.String(required=True, allow_none=True)
    registration_number = ma.fields.String(required=True, allow_none=True)
    phone = ma.fields.String(required=True, allow_none=True)
    note = ma.fields.String(
        required=True, allow_none=True,
        metadata={"description": "A coordinator's note on a managed account (null otherwise)."},
    )
    email_confirmed = Boolean(
        required=True,
        metadata={"description": "False until the link mailed to the address was opened; "
                  "until then the College mails it nothing else."},
    )
    pending_email = ma.fields.String(
        required=True, allow_none=True,
        metadata={"description": "A new address that replaces `email` once its mailed link "
                  "is opened."},
    )
    privacy_notice_version = ma.fields.String(
        required=True, allow_none=True, attribute="consent_version",
        metadata={"description": "The version of the privacy notice this person agreed to."},
    )
    privacy_notice_agreed_at = ma.fields.AwareDateTime(required=True, allow_none=True,
                                                      attribute="consented_at")
    must_agree_to_privacy_notice = ma.fields.Function(
        notice.needs_consent, required=True,
        metadata={"type": "boolean", "description": "True when the notice changed since: "
                  "POST /api/v1/me/privacy-consent before anything else."},
    )
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
    consent = Boolean(
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
    phone = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=40))
    note = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Length(max=500),
        metadata={"description": "For a managed account: what helps to reach them."},
    )
    organiser_id = id_field(
        load_default=None, allow_none=True,
        metadata={"description": "Needed when you coordinate more than one organiser."},
    )


class RegistrationReceivedSchema(ma.Schema):
    """What registration answers, alike for a new address and for one that has an account."""

    detail = ma.fields.String(required=True)
    email = ma.fields.String(required=True, metadata={"description": "Where the mail went."})


class MyDetailsSchema(ChangeSchema):
    """The details a person changes themselves; only those sent change."""

    name = ma.fields.String(validate=ma.validate.Length(min=1, max=120))
    email = ma.fields.String(
        validate=ma.validate.Length(max=254),
        metadata={"description": "A new address: it replaces the current one once the link "
                  "mailed to it is opened. Needs `current_password`."},
    )
    current_password = ma.fields.String(validate=ma.validate.Length(max=1000))
    phone = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    profession = ma.fields.String(
        allow_none=True, validate=ma.validate.Length(max=120),
        metadata={"description": "Professionals only (ignored for caregivers)."},
    )
    registration_number = ma.fields.String(
        allow_none=True, validate=ma.validate.Length(max=60),
        metadata={"description": "Professionals only (ignored for caregivers)."},
    )
    language = ma.fields.Enum(Language, by_value=True)


class ManagedDetailsSchema(ChangeSchema):
    """The details a coordinator keeps of a managed account; only those sent change."""

    name = ma.fields.String(validate=ma.validate.Length(min=1, max=120))
    phone = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    note = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    kind = ma.fields.Enum(Kind, by_value=True)


class ConsentSchema(ma.Schema):
    """Agreement to the privacy notice of the version read."""

    version = ma.fields.String(
        required=True, validate=ma.validate.Length(max=20),
        metadata={"description": "The version read (GET /api/v1/privacy-notice)."},
    )


class PrivacyNoticeSchema(ma.Schema):
    """The privacy notice of this installation: its version, where to read it, whom to ask."""

    version = ma.fields.String(required=True)
    url = ma.fields.String(required=True, metadata={"description": "The notice, in full."})
    controller_name = ma.fields.String(required=True)
    controller_address = ma.fields.String(required=True)
    contact_email = ma.fields.String(required=True)
    dpo_name = ma.fields.String(required=True)
    dpo_email = ma.fields.String(required=True)
    dpo_phone = ma.fields.String(required=True)
    retention_years = ma.fields.Integer(required=True)


@blp.post("/register")
@limit_guesses("register")
@blp.arguments(RegisterSchema)
@blp.response(202, RegistrationReceivedSchema)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def register(data: dict):
    """Register as a caregiver or a professional: a link to confirm the address is mailed.

    The answer is the same whether the address is new or already has an account (its owner
    gets a mail about the attempt instead). A new account can get a token at once; the
    College mails it nothing but the link until the address is confirmed.
    """
    services.register_learner(**data)
    return {"detail": _("We sent a link to %(email)s to confirm the address. Open it to "
                        "finish the registration.", email=data["email"].strip()),
            "email": data["email"].strip()}


@blp.get("/me")
@blp.login_required
@blp.response(200, UserSchema)
def me():
    """The account of the token's user."""
    return auth.current_user()


@blp.patch("/me")
@blp.login_required
@blp.arguments(MyDetailsSchema)
@blp.response(200, UserSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def update_me(changes: dict):
    """Change my details: name, email (confirmed by a mailed link), phone, profession, language."""
    user = auth.current_user()
    services.update_own_details(user, changes, address=request.remote_addr)
    return user


@blp.post("/me/privacy-consent")
@blp.login_required
@blp.arguments(ConsentSchema)
@blp.response(200, UserSchema)
@blp.alt_response(409, response="CONFLICT")
def agree_to_privacy_notice(data: dict):
    """Agree to the privacy notice (the version read must be the current one)."""
    if data["version"] != notice.current_version():
        raise Conflict(_("The privacy notice is now version %(version)s. Read it again, then "
                         "agree to that version.", version=notice.current_version()))
    user = auth.current_user()
    notice.record_consent(user)
    return user


@blp.get("/privacy-notice")
@blp.response(200, PrivacyNoticeSchema)
def privacy_notice():
    """The privacy notice of this installation (public): version, where to read it, contacts."""
    return {**notice.facts(), "url": url_for("privacy.notice", _external=True)}


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
@blp.staff_only(coordinators=True)
@blp.arguments(NewAccountSchema)
@blp.response(201, UserSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.idempotent(User)
def create_user(data: dict):
    """Create a trainer, a coordinator or a managed learner (coordinators only)."""
    actor = auth.current_user()
    organiser = organiser_to_manage(actor, data.pop("organiser_id"))
    return services.create_account(
        actor=actor, organiser=organiser, **{**data, "roles": [role.value for role in data["roles"]]}
    )


@blp.patch("/users/<id:user_id>")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(ManagedDetailsSchema)
@blp.response(200, UserSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def update_user(changes: dict, user_id: int):
    """Correct a managed account of your organiser: name, phone, note, learner type.

    Coordinators only; an account out of reach answers 404, like one that does not exist.
    """
    actor = auth.current_user()
    person = services.managed_account(actor, user_id)
    return services.update_managed_account(actor, person, changes)
