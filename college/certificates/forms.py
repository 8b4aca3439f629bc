"""Forms of the certificate pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class ReasonForm(FlaskForm):
    """Revoke or reissue: both need a reason."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason.")), Length(max=500)],
        description=_l("Shown to your colleagues; for example: the name was misspelled."),
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
