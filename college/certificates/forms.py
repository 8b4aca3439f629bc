"""Forms of the certificate pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, Form, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from college.certificates.designs import LAYOUTS
from college.kept_forms import KeptForm

_PLACEHOLDER_HINT = _l("You can use {learner}, {training}, {dates}, {hours} and {organiser}. "
                       "Leave empty for the usual wording.")


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


class DesignForm(KeptForm):
    """The organiser's certificate design; its rules are checked by the design service."""

    layout = RadioField(_l("Layout"), choices=[SelectChoice(name, label) for name, label in LAYOUTS.items()], validate_choice=False)
    primary_colour = StringField(
        _l("Primary colour"),
        description=_l("For the title. Choose a dark colour: white text must be readable on it."),
        render_kw={"type": "color"},
    )
    accent_colour = StringField(
        _l("Accent colour"),
        description=_l("For lines and frames. It too must be dark enough to read on white."),
        render_kw={"type": "color"},
    )
    title_text = StringField(_l("Title"), description=_PLACEHOLDER_HINT)
    intro_text = TextAreaField(_l("Introduction"), description=_PLACEHOLDER_HINT,
                               render_kw={"rows": 2})
    closing_text = TextAreaField(_l("Closing text"), description=_PLACEHOLDER_HINT,
                                 render_kw={"rows": 3})
    signatory_name = StringField(_l("Name of the signatory"), render_kw={"autocomplete": "off"})
    signatory_role = StringField(
        _l("Role of the signatory"), description=_l("For example: coordinator of the hub."),
        render_kw={"autocomplete": "off"},
    )
    signature = FileField(
        _l("Signature image"),
        description=_l("A PNG or JPEG image of at most 256 KB. Leave empty to keep the current one."),
        render_kw={"accept": "image/png,image/jpeg"},
    )
    remove_signature = BooleanField(_l("Remove the signature image"))
