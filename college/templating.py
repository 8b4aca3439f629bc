"""Template globals and filters shared by every page."""

from __future__ import annotations

import re

from flask import Flask
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    format_time,
    get_locale,
)
from flask_babel import lazy_gettext as _l

from college import policy
from college.accounts.models import Kind, Role
from college.forms import once_token_input

ROLE_LABELS = {
    Role.LEARNER: _l("learner"),
    Role.TRAINER: _l("trainer"),
    Role.COORDINATOR: _l("coordinator"),
}
KIND_LABELS = {Kind.CAREGIVER: _l("caregiver"), Kind.PROFESSIONAL: _l("professional")}


def tel_href(phone: str) -> str:
    """A phone number as written ("09 386 12 34") as a tel: link a phone can dial."""
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + re.sub(r"\D", "", phone)


def init_app(app: Flask) -> None:
    """Register the helpers templates use."""
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale() or "nl"),
        is_coordinator=policy.is_coordinator,
        is_staff=policy.is_staff,
        role_label=lambda role: ROLE_LABELS[role],
        kind_label=lambda kind: KIND_LABELS[kind] if kind else "",
        once_token_input=once_token_input,
    )
    # Dates and times always in Brussels, in the reader's language: "dinsdag 3 maart 2026, 14:00";
    # numbers with the reader's separators: 1.234,5 in Dutch, 1,234.5 in English.
    app.jinja_env.filters.update(
        datetime=lambda value, fmt="EEEE d MMMM y, HH:mm": format_datetime(value, fmt),
        date=lambda value, fmt="EEEE d MMMM y": format_date(value, fmt),
        time=lambda value, fmt="HH:mm": format_time(value, fmt),
        number=format_decimal,
        # A rate kept as 0-100: "83%" (whole percents, as the dashboards show them).
        percent=lambda value: format_percent(value / 100),
        tel=tel_href,
    )
