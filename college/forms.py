"""Helpers shared by the views of every feature."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField
from wtforms.validators import Length

from college.errors import Invalid, ServiceError
from college.idempotency.services import (
    MAX_KEY_LENGTH,
    KeyedRequest,
    KeyReused,
    ResultGone,
    create_once,
    fingerprint,
)

T = TypeVar("T")


class ConfirmForm(FlaskForm):
    """The button of a confirmation page: what cannot be undone is done only from there.

    The page that asks ("Cancel my enrolment", "Delete X") links to the confirmation page; a
    POST without this form's `confirmed` field only shows that page.
    """

    confirmed = HiddenField()

    def is_confirmed(self) -> bool:
        """Whether this POST came from the confirmation page (with a valid CSRF token)."""
        return self.validate_on_submit() and self.confirmed.data == "yes"


def attach_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal next to the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def safe_next(default_endpoint: str = "main.index", **values) -> str:
    """The local URL in ?next=, or a default: never an open redirect."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    # Browsers read a backslash as a slash (so "/" + "\\evil" leads away) and drop control characters.
    odd = "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target)
    if (target.startswith("/") and not target.startswith("//") and not parts.netloc
            and not parts.scheme and not odd):
        return target
    return url_for(default_endpoint, **values)


def new_form_token() -> str:
    """A fresh one-time token for a create form."""
    return secrets.token_urlsafe(24)


def once_token_input() -> Markup:
    """A create form's hidden one-time token, for a template that writes its form by hand."""
    return Markup('<input type="hidden" name="once_token" value="{}">').format(new_form_token())


class CreateOnceForm:
    """Mixin of a form that creates something: sent twice (a double click), it creates once.

    The form carries a hidden one-time token, made when the form is shown and kept when it is
    shown again with errors. The view wraps its service call in `create_once`; the second
    request with the token answers what the first one created, so the view says and does the
    same as the first time. Templates render it with `form.hidden_tag()`.
    """

    # No id: a page may hold several create forms.
    once_token = HiddenField(default=new_form_token, validators=[Length(max=MAX_KEY_LENGTH)],
                             render_kw={"id": False})

    def create_once(self, model: type, create: Callable[[], T]) -> T:
        """Run `create` (which returns a `model` row) once per token of this form."""
        try:
            return create_once(self._keyed_request(), model, create).result
        except (KeyReused, ResultGone) as error:
            # The token came back with other values (the back button, then a change): a new
            # token lets the person save again, deliberately, to create another one.
            self.once_token.data = new_form_token()
            raise Invalid(_("This form was already sent. Check the values and send it again "
                            "if you want another one.")) from error

    def _keyed_request(self) -> KeyedRequest | None:
        """The token with what the form sent; None for a post without a token (not a browser)."""
        if not self.once_token.raw_data or not self.once_token.data:
            return None
        sent = sorted((name, value) for name, value in request.form.items(multi=True)
                      if name not in ("csrf_token", self.once_token.name))
        user_id = current_user.id if current_user.is_authenticated else None
        return KeyedRequest(key=self.once_token.data, user_id=user_id, path=request.path,
                            fingerprint=fingerprint(*(part for pair in sent for part in pair)))
