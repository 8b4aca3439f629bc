"""The referral form (public, or a logged-in professional's) and the hub's outcome form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from college.accounts.forms import MultiCheckboxField
from college.forms import CreateOnceForm
from college.referrals.models import NEEDS, OUTCOME_LABELS, SOURCE_LABELS


class ReferralForm(CreateOnceForm, FlaskForm):
    """A caregiver handed to the hub; the service checks every rule."""

    caregiver_name = StringField(_l("The caregiver's name"), validators=[Length(max=200)])
    phone = StringField(_l("Their phone number"), validators=[Length(max=60)],
                        render_kw={"autocomplete": "off", "inputmode": "tel"})
    email = EmailField(_l("Or their email address"), validators=[Length(max=254)],
                       render_kw={"autocomplete": "off"})
    needs = MultiCheckboxField(_l("What they need"), validate_choice=False,
                               choices=[SelectChoice(key, label) for key, label in NEEDS.items()])
    source = RadioField(_l("Where you work"), validate_choice=False,
                        choices=[SelectChoice(source.value, label) for source, label in SOURCE_LABELS.items()])
    consent = BooleanField(_l("The caregiver agreed that the hub contacts them"))
    referrer_email = EmailField(
        _l("Your email address (optional)"), validators=[Length(max=254)],
        description=_l("We only mail you that the hub took your referral up."))


class OutcomeForm(FlaskForm):
    """What the hub did with a referral."""

    outcome = SelectField(_l("What happened"), validate_choice=False,
                          choices=[SelectChoice(outcome.value, label)
                                   for outcome, label in OUTCOME_LABELS.items()])
    enrolment_id = SelectField(_l("The enrolment it led to (for \"enrolled in a training\")"),
                               validate_choice=False)
