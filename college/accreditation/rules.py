"""The accreditation rules, decided here once.

- Points (or hours) belong to complete enrolments only: the attest is what a body accepts.
- The scheme's partial-attendance rule then says how much a complete enrolment earns:
  COMPLETION all of it; ALL_SESSIONS all of it when every session was attended (present or
  late), else nothing; PRO_RATA the share of sessions attended (excused sessions earn nothing),
  rounded to two decimals. An edition without sessions (self-paced) earns all of it.
- A point counts in the year (Belgian time) the enrolment was completed.
- A RIZIV/INAMI number has 11 digits: 6 that identify the provider, 2 check digits over those 6,
  3 of qualification. The check digits are 97 - (the first 6 mod 97); numbers given since RIZIV's
  note I 2012/26 (nurses and midwives, since April 2019 physicians too) use 89 - (the first 6
  mod 89) instead. Published numbers agree (README, Accreditation).
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l

from college import timeutil
from college.accreditation.models import NumberCheck, PartialRule

_SEPARATORS = re.compile(r"[\s./-]+")


def points_earned(rule: PartialRule, points: float, sessions: int, attended: int) -> float:
    """What a complete enrolment earns under the scheme's partial-attendance rule."""
    if sessions <= 0 or rule == PartialRule.COMPLETION:
        return points
    attended = min(attended, sessions)
    if rule == PartialRule.ALL_SESSIONS:
        return points if attended == sessions else 0.0
    return round(points * attended / sessions, 2)


def year_of(completed_at: datetime) -> int:
    """The year a completion counts in (Belgian time)."""
    return timeutil.local(completed_at).year


def normalise_number(check: NumberCheck, number: str | None) -> str:
    """A registration number as kept: a RIZIV number without the spaces, dots and dashes
    people type; any other trimmed, with single spaces."""
    number = " ".join((number or "").split())
    return _SEPARATORS.sub("", number) if check == NumberCheck.RIZIV else number


def riziv_check_digits(identifier: str) -> set[str]:
    """The check digits that the six identifying digits of a RIZIV number may carry."""
    value = int(identifier)
    return {f"{97 - value % 97:02d}", f"{89 - value % 89:02d}"}


def number_problem(check: NumberCheck, number: str):
    """Why the (normalised) registration number is not acceptable for the scheme, or None."""
    if not number:
        return None
    if len(number) > 60:
        return _l("Use at most %(count)d characters.", count=60)
    if check == NumberCheck.RIZIV:
        if not number.isdigit() or len(number) != 11:
            return _l("A RIZIV number has 11 digits, for example 1-23456-25-001.")
        if number[6:8] not in riziv_check_digits(number[:6]):
            return _l("This RIZIV number is not right: its check digits (7th and 8th) do not "
                      "match. Check it on your RIZIV card or letter.")
    return None


def formatted_number(check: NumberCheck, number: str) -> str:
    """A registration number as printed: a RIZIV number as 1-23456-25-001."""
    if check == NumberCheck.RIZIV and len(number) == 11 and number.isdigit():
        return f"{number[0]}-{number[1:6]}-{number[6:8]}-{number[8:]}"
    return number
