"""My learning record: hours and points per scheme and per year, on the page, as CSV and PDF,
and through the API, in a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date

from bs4 import BeautifulSoup

from college.accreditation.services import set_registration_number
from college.enrolment.models import EnrolmentStatus
from college.extensions import db
from tests.accreditation.conftest import accredit, completed
from tests.api.conftest import bearer_for
from tests.certificates.helpers import pdf_text
from tests.conftest import counted_queries


def _history(make, schemes, professional):
    """Three years: 2024 all sessions, 2025 three of four, 2026 one of two plus one not complete."""
    course = make.course(title="Signalen van overbelasting", hours=4, open_to_professionals=True)
    accredit(course, schemes["riziv"], 4, number="2026/0173", rubric="Ethiek en economie")
    accredit(course, schemes["nurses"], 4, number="PV-1")
    other = make.course(title="Samenwerken in de thuiszorg", hours=6, open_to_professionals=True)
    accredit(other, schemes["nurses"], 6)
    completed(make, professional, course, date(2024, 3, 5), sessions=2, attended=2)
    completed(make, professional, course, date(2025, 3, 4), sessions=4, attended=3)
    completed(make, professional, other, date(2025, 10, 7), sessions=2, attended=2)
    completed(make, professional, other, date(2026, 2, 3), sessions=2, attended=1)
    completed(make, professional, course, date(2026, 5, 5), sessions=2, attended=0,
              status=EnrolmentStatus.ENROLLED, completed_at=None)
    return course


# year -> (hours of training, RIZIV points, nurses' hours)
EXPECTED = {2026: (6, 0, 3), 2025: (10, 0, 9), 2024: (4, 4, 4)}


def _table(html: str) -> dict[int, tuple[float, float, float]]:
    soup = BeautifulSoup(html, "html.parser")
    rows = {}
    for row in soup.select("table tbody tr"):
        year = int(row.th.get_text(strip=True))
        rows[year] = tuple(float(cell.get_text(strip=True)) for cell in row.find_all("td"))
    return rows


def test_the_page_shows_hours_and_points_per_scheme_and_year(client, auth, make, schemes,
                                                              professional):
    _history(make, schemes, professional)
    auth.login_as(professional)
    html = client.get("/account/learning-record").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    headers = [th.get_text(strip=True) for th in soup.select("table thead th")]
    assert headers == ["Year", "Hours of training", "Permanente vorming verpleegkundigen (hours)",
                       "RIZIV-accreditering artsen (points)"]
    # Columns in the headers' order: hours, nurses' hours, RIZIV points.
    assert _table(html) == {year: (hours, nurses, riziv)
                            for year, (hours, riziv, nurses) in EXPECTED.items()}
    assert list(_table(html)) == [2026, 2025, 2024]  # newest first


def test_csv_and_pdf_say_the_same(client, auth, make, schemes, professional):
    _history(make, schemes, professional)
    auth.login_as(professional)
    response = client.get("/account/learning-record.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Year", "Scheme", "Unit", "Earned"]
    rows = [row[:4] for row in rows]  # the last columns are for certificates that expire
    assert ["2025", "Hours of training", "hours", "10"] in rows
    assert ["2025", "Permanente vorming verpleegkundigen", "hours", "9"] in rows
    assert ["2024", "RIZIV-accreditering artsen", "points", "4"] in rows
    assert ["2025", "RIZIV-accreditering artsen", "points", "0"] in rows  # one session missed

    pdf = client.get("/account/learning-record.pdf")
    assert pdf.mimetype == "application/pdf"
    text = " ".join(pdf_text(pdf.data).split())
    assert "Learning record of An De Vos" in text
    assert "2025 10 9 0" in text and "Samenwerken in de thuiszorg" in text


def test_the_api_gives_the_same_figures(client, make, schemes, professional):
    _history(make, schemes, professional)
    body = client.get("/api/v1/me/learning-record", headers=bearer_for(professional)).get_json()
    codes = {scheme["id"]: scheme["code"] for scheme in body["schemes"]}
    got = {year["year"]: (year["hours"], {codes[item["scheme_id"]]: item["earned"] for item in year["earned"]})
           for year in body["years"]}
    assert got == {year: (hours, {"riziv": riziv, "nurses": nurses} if year != 2026 else {"nurses": nurses})
                   for year, (hours, riziv, nurses) in EXPECTED.items()}


def test_a_learner_without_completions_is_told_so(client, auth, professional):
    auth.login_as(professional)
    html = client.get("/account/learning-record").get_data(as_text=True)
    assert "You have not completed a training yet." in html


def test_the_page_takes_a_fixed_number_of_queries(client, auth, make, schemes, professional):
    course = make.course(open_to_professionals=True)
    accredit(course, schemes["nurses"], 2)
    completed(make, professional, course, date(2025, 3, 4), sessions=1, attended=1)
    set_registration_number(professional, schemes["nurses"].id, "PV-1")
    db.session.commit()
    auth.login_as(professional)
    with counted_queries() as one_year:
        client.get("/account/learning-record")
    _history(make, schemes, professional)
    with counted_queries() as three_years:
        client.get("/account/learning-record")
    assert len(one_year) == len(three_years)
