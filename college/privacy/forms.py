"""Privacy forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired

from college.forms import CreateOnceForm


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password to confirm."))],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("Yes, delete my account and my personal data."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class ExportForm(CreateOnceForm, FlaskForm):
    """Ask for a download of one's data: clicked twice, it is prepared once."""


class ConsentForm(FlaskForm):
    agree = BooleanField(
        _l("I have read the privacy notice and agree that the College keeps my details "
           "to organise my trainings."),
        validators=[DataRequired(_l("Tick the box to agree, or log out."))],
    )
