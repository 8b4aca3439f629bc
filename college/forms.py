"""Helpers shared by the views of every feature."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for
from flask_wtf import FlaskForm

from college.errors import ServiceError


def attach_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal next to the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def safe_next(default_endpoint: str = "main.index") -> str:
    """The local URL in ?next=, or a default: never an open redirect."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    # Browsers read a backslash as a slash (so "/" + "\\evil" leads away) and drop control characters.
    odd = "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target)
    if (target.startswith("/") and not target.startswith("//") and not parts.netloc
            and not parts.scheme and not odd):
        return target
    return url_for(default_endpoint)
