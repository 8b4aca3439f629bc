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


# Real-format numbers: 1-08290-59 is the NIHII of the eHealth platform's FHIR examples
# (108290 mod 97 = 38, 97 - 38 = 59); 7-00001-73 a number of the series given since 2012
# (700001 mod 89 = 16, 89 - 16 = 73), with the qualification codes of a home nurse (4xx) and of a
# general practitioner (0xx). The check covers the six identifying digits, not the first nine
# (the national register number's rule), and not the qualification.
REAL_FORMAT = [
    ("1-08290-59-401", None),
    ("1 08290 59 003", None),
    ("7.00001.73.404", None),
    ("1-08290-38-401", "check digits"),  # 108290 mod 97 itself: the digits are 97 minus it
    ("7-00001-16-404", "check digits"),  # 700001 mod 89 itself
    ("1-08290-95-401", "check digits"),  # 59 typed the wrong way round
]


@pytest.mark.parametrize(("typed", "problem"), REAL_FORMAT)
def test_real_format_riziv_numbers(typed, problem):
    found = rules.number_problem(NumberCheck.RIZIV, rules.normalise_number(NumberCheck.RIZIV, typed))
    assert (found is None) if problem is None else (problem in str(found))


def test_the_qualification_code_does_not_change_the_check():
    assert {rules.number_problem(NumberCheck.RIZIV, f"10829059{code:03d}")
            for code in (0, 3, 401, 404, 999)} == {None}


def test_other_schemes_take_any_number_up_to_60_characters():
    assert rules.number_problem(NumberCheck.NONE, "VISUM-123/B") is None
    assert "60" in str(rules.number_problem(NumberCheck.NONE, "9" * 61))


def test_a_riziv_number_prints_in_its_groups():
    assert rules.formatted_number(NumberCheck.RIZIV, "12345625001") == "1-23456-25-001"
    assert rules.formatted_number(NumberCheck.NONE, "12345625001") == "12345625001"
