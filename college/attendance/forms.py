"""Forms of the attendance pages."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length, Optional

from college.errors import Invalid
from college.forms import CreateOnceForm

_STATUS_FIELD = re.compile(r"^status-(\d+)$")


class RosterForm(FlaskForm):
    """The roster: one radio group `status-<learner id>` per learner, read by parse_roster."""

    #: Inputs named after a learner's id (`status-12`, with `was-12`: what the page showed).
    id_keyed_inputs = ("status-", "was-")


def parse_roster(formdata: MultiDict) -> dict[int, str]:
    """The statuses chosen in a roster form, by learner id (a tampered name is refused)."""
    records = {}
    for name in formdata:
        if not name.startswith("status-"):
            continue
        match = _STATUS_FIELD.match(name)
        if match is None:
            raise Invalid(_("Unknown learner: %(id)s.", id=name.removeprefix("status-")),
                          field="status")
        records[int(match.group(1))] = formdata.get(name, "")
    return records


def changed_since_shown(formdata: MultiDict, chosen: dict[int, str]) -> dict[int, str]:
    """Only the statuses the trainer changed on the page (`was-<id>` holds what it showed).

    A roster left open on a phone then never undoes a check-in made in the meantime.
    """
    return {
        learner_id: status
        for learner_id, status in chosen.items()
        if formdata.get(f"was-{learner_id}") is None or formdata.get(f"was-{learner_id}") != status
    }


class CheckinForm(FlaskForm):
    """The code a learner types to check in."""

    code = StringField(
        _l("Code shown by the trainer"),
        validators=[InputRequired(_l("Type the code the trainer shows.")), Length(max=20)],
        description=_l("Six digits, for example 123456."),
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class WalkInForm(CreateOnceForm, FlaskForm):
    """Someone came to the session without enrolling: enrol them on the spot (once per form)."""

    email = EmailField(
        _l("Email address (if they have an account)"),
        validators=[Optional(), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
    name = StringField(
        _l("Name (for someone without an account)"), validators=[Optional(), Length(max=120)]
    )
    kind = RadioField(
        _l("They are"),
        choices=[
            SelectChoice("caregiver", _l("a caregiver")),
            SelectChoice("professional", _l("a professional")),
        ],
        default="caregiver",
        validate_choice=False,  # the service refuses unknown kinds with its own message
    )
