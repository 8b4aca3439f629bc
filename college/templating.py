"""Template globals and filters shared by every page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache

from babel import dates
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

from college import policy, timeutil
from college.accounts.models import Kind, Role
from college.forms import once_token_input
from college.i18n import template_gettext

ROLE_LABELS = {
    Role.LEARNER: _l("learner"),
    Role.TRAINER: _l("trainer"),
    Role.COORDINATOR: _l("coordinator"),
}
KIND_LABELS = {Kind.CAREGIVER: _l("caregiver"), Kind.PROFESSIONAL: _l("professional")}


def tel_href(phone: str) -> str:
    """A phone number as written ("09 386 12 34") as a tel: link a phone can dial."""
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + re.sub(r"\D", "", phone)


@lru_cache(maxsize=8192)
def _formatted(formatter, value: date | datetime, fmt: str, locale: str) -> str:
    """Babel's formatting of one value, remembered: a page repeats days and session times,
    and formatting each again cost "My trainings" hundreds of Babel calls a view."""
    return formatter(value, fmt, locale=locale)


def _brussels(value: datetime) -> datetime:
    """A moment as Brussels wall-clock time (a naive one is UTC, as Flask-Babel reads it)."""
    return timeutil.local(value if value.tzinfo else value.replace(tzinfo=UTC))


def format_moment(value: datetime | None, fmt: str = "EEEE d MMMM y, HH:mm") -> str:
    """A moment in Brussels in the reader's language: "dinsdag 3 maart 2026, 14:00"."""
    if value is None:
        return format_datetime(value, fmt)
    return _formatted(dates.format_datetime, _brussels(value), fmt, str(get_locale()))


def format_day(value: date | datetime | None, fmt: str = "EEEE d MMMM y") -> str:
    """A day (or a moment's day in Brussels) in the reader's language: "dinsdag 3 maart 2026"."""
    if value is None:
        return format_date(value, fmt)
    if isinstance(value, datetime):
        value = _brussels(value).date()
    return _formatted(dates.format_date, value, fmt, str(get_locale()))


def format_clock(value: datetime | None, fmt: str = "HH:mm") -> str:
    """A moment's time of day in Brussels: "14:00"."""
    if not isinstance(value, datetime):
        return format_time(value, fmt)
    return _formatted(dates.format_time, _brussels(value), fmt, str(get_locale()))


def init_app(app: Flask) -> None:
    """Register the helpers templates use."""
    # After Flask-Babel's init_app: the same gettext, without its per-string context look-ups.
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
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
        datetime=format_moment,
        date=format_day,
        time=format_clock,
        number=format_decimal,
        # A rate kept as 0-100: "83%" (whole percents, as the dashboards show them).
        percent=lambda value: format_percent(value / 100),
        tel=tel_href,
    )
