"""Enrolment forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import Optional

from college.forms import CreateOnceForm


class CapacityForm(FlaskForm):
    """A coordinator changes an edition's number of seats."""

    # A text field: the service gives one clear message for any bad number.
    capacity = StringField(
        _l("Number of seats"),
        description=_l("More seats move people up from the waiting list automatically."),
        render_kw={"inputmode": "numeric"},
    )


class EnrolForm(CreateOnceForm, FlaskForm):
    """The enrol button: clicked twice, it enrols once (templates add `once_token_input()`)."""


class EnrolOnBehalfForm(CreateOnceForm, FlaskForm):
    """A coordinator or trainer enrols someone who phoned or came to the Caregivers Cafe."""

    managed_learner = SelectField(
        _l("A person without email (managed account)"),
        choices=[],
        validators=[Optional()],
        validate_choice=False,  # the service checks the person and the organiser
    )
    email = EmailField(
        _l("Or the email address of an existing learner"),
        validators=[Optional()],
    )


class EmptyForm(FlaskForm):
    """A form with only its CSRF token: for buttons that POST."""
