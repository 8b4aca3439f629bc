"""Forms of the certificate pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Form, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from college.kept_forms import KeptForm


class VerifyForm(Form):
    """Type the code of a certificate (a GET form: no CSRF token, works without JavaScript)."""

    code = StringField(
        _l("Verification code"),
        description=_l("The code printed on the certificate, under its QR code."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class ReasonForm(KeptForm):
    """Revoke or reissue: both need a reason."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason.")), Length(max=500)],
        description=_l("Shown to your colleagues; for example: the name was misspelled."),
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class VerifyPdfForm(FlaskForm):
    """Upload an attest's PDF to check that the College signed it and nothing changed since."""

    file = FileField(
        _l("The attest as a PDF file"),
        validators=[FileRequired(_l("Choose the attest's PDF file."))],
        description=_l("The PDF file as the College made it, at most 2 MB. It is checked and "
                       "not kept."),
        render_kw={"accept": ".pdf,application/pdf"},
    )
