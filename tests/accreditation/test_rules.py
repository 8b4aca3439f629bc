"""The accreditation rules: partial attendance, the year a point counts in, RIZIV check digits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from college.accreditation import rules
from college.accreditation.models import NumberCheck, PartialRule

ALL, PRO_RATA, COMPLETION = PartialRule.ALL_SESSIONS, PartialRule.PRO_RATA, PartialRule.COMPLETION


@pytest.mark.parametrize(("rule", "sessions", "attended", "earned"), [
    (COMPLETION, 4, 3, 4.0),     # the course's completion rule already decided
    (ALL, 4, 4, 4.0),            # every session: everything
    (ALL, 4, 3, 0.0),            # one missed: nothing
    (PRO_RATA, 4, 3, 3.0),       # three of four sessions
    (PRO_RATA, 3, 2, 2.67),      # rounded to two decimals
    (PRO_RATA, 4, 0, 0.0),
    (PRO_RATA, 4, 5, 4.0),       # never more than the accreditation gives
    (ALL, 0, 0, 4.0),            # self-paced (no sessions): everything
    (PRO_RATA, 0, 0, 4.0),
])
def test_points_under_each_partial_attendance_rule(rule, sessions, attended, earned):
    assert rules.points_earned(rule, 4, sessions, attended) == earned


@pytest.mark.parametrize(("moment", "year"), [
    (datetime(2025, 12, 31, 22, 59, tzinfo=UTC), 2025),  # 23:59 in Brussels
    (datetime(2025, 12, 31, 23, 0, tzinfo=UTC), 2026),   # midnight in Brussels: the new year
])
def test_a_point_counts_in_the_belgian_year_of_completion(moment, year):
    assert rules.year_of(moment) == year


# 123456 mod 97 = 72, so 97 - 72 = 25; 123456 mod 89 = 13, so 89 - 13 = 76 (numbers since 2012).
RIZIV_CASES = [
    ("1-23456-25-001", None),
    ("12345625001", None),
    ("1 23456 25 001", None),
    ("1.23456.76.001", None),
    ("1-23456-26-001", "check digits"),
    ("1-23456-52-001", "check digits"),   # digits swapped
    ("2-23456-25-001", "check digits"),   # first digit mistyped
    ("1-23456-25-01", "11 digits"),
    ("1-23456-25-0011", "11 digits"),
    ("1-2345A-25-001", "11 digits"),
    ("", None),                            # empty: no number kept
]


@pytest.mark.parametrize(("typed", "problem"), RIZIV_CASES)
def test_riziv_check_digits(typed, problem):
    found = rules.number_problem(NumberCheck.RIZIV,
                               rules.normalise_number(NumberCheck.RIZIV, typed))
    if problem is None:
        assert found is None
    else:
        assert problem in str(found)


def test_other_schemes_take_any_number_up_to_60_characters():
    assert rules.number_problem(NumberCheck.NONE, "VISUM-123/B") is None
    assert "60" in str(rules.number_problem(NumberCheck.NONE, "9" * 61))


def test_a_riziv_number_prints_in_its_groups():
    assert rules.formatted_number(NumberCheck.RIZIV, "12345625001") == "1-23456-25-001"
    assert rules.formatted_number(NumberCheck.NONE, "12345625001") == "12345625001"
