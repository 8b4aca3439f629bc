"""Enrolment forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Optional

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


class ImportUploadForm(FlaskForm):
    """A coordinator uploads a participant list to see what importing it will do."""

    file = FileField(
        _l("Participant list"),
        validators=[FileRequired(_l("Choose a CSV or Excel file."))],
        description=_l("A CSV or Excel file (.xlsx) of at most 500 people. The first row names "
                       "the columns: naam, e-mail, telefoon, soort (mantelzorger or "
                       "zorgprofessional)."),
        render_kw={"accept": ".csv,.xlsx,text/csv,"
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )


class ImportConfirmForm(FlaskForm):
    """The rows of a previewed list, signed by the College, sent back to enrol them."""

    rows = HiddenField(validators=[DataRequired()])


class WaitlistModeForm(FlaskForm):
    """A coordinator chooses how an edition's freed seats reach its waiting list."""

    waitlist_mode = RadioField(
        _l("When a seat becomes free"),
        choices=[
            SelectChoice("automatic", _l("Move the first person on the waiting list up "
                                         "automatically")),
            SelectChoice("offer", _l("Offer the seat to the first person, who says yes or no")),
        ],
        validate_choice=False,  # the service gives one clear message for any bad value
    )
    # A text field: the service gives one clear message for any bad number.
    offer_hold_hours = StringField(
        _l("Hold an offered seat for (hours)"),
        description=_l("Default 48. Close to the start the hold is shorter: it ends halfway "
                       "between the offer and the moment the waiting list closes."),
        render_kw={"inputmode": "numeric"},
    )
