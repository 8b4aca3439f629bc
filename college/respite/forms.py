"""Respite forms: the respite part of the enrol form, partners, the board and the partner's page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from college import timeutil
from college.accounts.forms import MultiCheckboxField
from college.catalogue.models import Edition
from college.forms import CreateOnceForm
from college.regions.residence import municipalities
from college.respite.models import HUB_STATES, KIND_LABELS, STATE_LABELS, RespiteKind


def respite_fields(edition: Edition, *, allow_companion: bool, for_self: bool = True) -> dict:
    """The fields an enrol form adds where the course offers respite: which sessions (all that
    are to come, ticked), the kind of help, only what the helper needs, and consent."""
    moment = timeutil.now()
    sessions = [s for s in sorted(edition.sessions, key=lambda s: s.starts_at)
                if s.starts_at > moment]
    kinds = [kind for kind in RespiteKind if kind != RespiteKind.BRING_ALONG or allow_companion]
    return {
        "respite": BooleanField(
            _("Someone needs to take over my care while I am at the training") if for_self
            else _("Someone needs to take over their care while they are at the training"),
            description=_("The organiser looks for a volunteer sitter, home care or a day centre "
                          "near you, free of charge.")),
        "respite_sessions": MultiCheckboxField(
            _("For these sessions"), validate_choice=False,
            choices=[SelectChoice(str(s.id), timeutil.local(s.starts_at).strftime("%d/%m/%Y %H:%M"))
                     for s in sessions],
            default=[str(s.id) for s in sessions]),
        "respite_kind": RadioField(
            _("The help you need"), validate_choice=False,
            choices=[SelectChoice(kind.value, KIND_LABELS[kind]) for kind in kinds]),
        "respite_municipality_id": SelectField(
            _("Municipality where care is needed"), validate_choice=False,
            choices=[SelectChoice("", _("Choose a municipality"))]
            + [SelectChoice(str(m.id), m.name) for m in municipalities()]),
        "respite_address": StringField(
            _("Address where the helper comes (optional for a day centre)"),
            validators=[Optional(), Length(max=300)], render_kw={"autocomplete": "street-address"}),
        "respite_mobility": StringField(
            _("Mobility (optional)"), validators=[Optional(), Length(max=200)],
            description=_("For example: walks with a walker, needs help to stand up.")),
        "respite_language": StringField(
            _("Language the person speaks (optional)"), validators=[Optional(), Length(max=60)]),
        "respite_note": TextAreaField(
            _("What else the helper must know (optional)"),
            validators=[Optional(), Length(max=500)], render_kw={"rows": 2},
            description=_("Only what is needed, in a few words.")),
        "respite_consent": BooleanField(
            _("I agree that the organiser shares this with the respite partner it asks")
            if for_self else _("They agree that the organiser shares this with the respite "
                               "partner it asks")),
    }


def respite_in(form: FlaskForm) -> dict | None:
    """What the form asks for `request_respite`, or None when respite is not asked."""
    asked = getattr(form, "respite", None)
    if asked is None or not asked.data:
        return None
    chosen = form.respite_sessions.data or []
    municipality = form.respite_municipality_id.data or ""
    return {
        # Text that is no number names no session, and is refused like a stranger's session.
        "session_ids": [int(value) if value.isdecimal() else 0 for value in chosen] or None,
        "kind": form.respite_kind.data,
        "municipality_id": int(municipality) if municipality.isdecimal() else None,
        "address": form.respite_address.data, "mobility": form.respite_mobility.data,
        "language": form.respite_language.data, "note": form.respite_note.data,
        "consent": bool(form.respite_consent.data),
    }


class PartnerForm(CreateOnceForm, FlaskForm):
    """A respite partner of the organiser; the service checks every rule."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    email = EmailField(_l("Email address for requests"), validators=[Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Length(max=60)],
                        render_kw={"inputmode": "tel"})
    kinds = MultiCheckboxField(_l("Kinds of help"), validate_choice=False,
                               choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    municipality_ids = MultiCheckboxField(_l("Municipalities served"), validate_choice=False)


class AskPartnerForm(FlaskForm):
    """The board's "Ask partner" button with its choice of partner."""

    partner_id = SelectField(_l("Partner"), validate_choice=False)


class SessionStateForm(FlaskForm):
    """The hub records, for one session, what it arranged."""

    session_id = StringField()
    state = SelectField(_l("State"), validate_choice=False,
                        choices=[SelectChoice(state.value, STATE_LABELS[state]) for state in HUB_STATES])
    partner_id = SelectField(_l("Partner"), validate_choice=False)
    helper_first_name = StringField(_l("Helper's first name"), validators=[Length(max=60)])


class PartnerAnswerForm(FlaskForm):
    """The partner confirms (with the helper's first name) or declines."""

    helper_first_name = StringField(_l("First name of the helper who comes"),
                                    validators=[Length(max=60)])
