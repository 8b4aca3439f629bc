"""The trainer's and the coordinator's dashboards: figures, charts, exports, access, queries."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import event

from college.extensions import db
from tests.dashboards.cohort import table_rows


@contextmanager
def count_queries():
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def page(response) -> BeautifulSoup:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_edition_dashboard_shows_seats_grid_quiz_and_funnel(client, auth, build):
    a = build()
    auth.login_as(a.trainer)
    soup = page(client.get(f"/editions/{a.edition.id}/dashboard"))
    figures = {dt.get_text(strip=True): dd.get_text(strip=True)
               for dt, dd in zip(soup.select(".figures dt"), soup.select(".figures dd"), strict=True)}
    assert figures["Enrolled"] == "5 / 10"
    assert figures["Waiting list"] == "1"
    assert figures["Attempts"] == "4"
    assert figures["Pass rate"] == "50%"

    grid = soup.select_one("table.grid")
    rows = grid.select("tbody tr")
    assert len(rows) == 5
    # Leerling 0001 missed the first two sessions: listed first, flagged.
    assert "Leerling 0001" in rows[0].th.get_text()
    assert "missed two sessions in a row" in rows[0].th.get_text()
    assert "at-risk" in rows[0]["class"]
    first_cells = [td.get_text(" ", strip=True) for td in rows[0].select("td")]
    assert first_cells[0].endswith("absent") and first_cells[1].endswith("absent")

    # Histogram: two attempts at 100%, two at 25%.
    histogram = soup.find("caption", string="Number of attempts per score range").find_parent("table")
    counts = {tr.select("td")[0].get_text(): int(tr.select("td")[1].get_text())
              for tr in histogram.select("tbody tr")}
    assert counts["90–100%"] == 2 and counts["20–29%"] == 2

    # Question 1: two of four attempts right; question 2 (multiple choice) likewise.
    questions = soup.find("caption", string="Answered correctly, per question").find_parent("table")
    assert [tr.select("td")[2].get_text(strip=True) for tr in questions.select("tbody tr")] == [
        "2 / 4 (50%)", "2 / 4 (50%)"]

    funnel = soup.find("caption", string="Learners at each step towards the certificate").find_parent("table")
    steps = [int(tr.select("td")[1].get_text()) for tr in funnel.select("tbody tr")]
    assert steps[0] == 5
    assert steps == sorted(steps, reverse=True)
    assert steps[-1] == 1  # one certificate issued

    charts = soup.select("svg.chart")
    assert len(charts) == 4
    assert all(svg.get("role") == "img" and svg.title for svg in charts)


def test_edition_dashboard_query_count_does_not_grow_with_data(client, auth, build, make):
    small = build(scale=1)
    auth.login_as(small.trainer)
    with count_queries() as few:
        page(client.get(f"/editions/{small.edition.id}/dashboard"))
    large = build(scale=10)
    auth.logout()
    auth.login_as(large.trainer)
    with count_queries() as many:
        soup = page(client.get(f"/editions/{large.edition.id}/dashboard"))
    assert len(soup.select("table.grid tbody tr")) == 50
    assert len(few) == len(many)


def test_organiser_dashboard_query_count_does_not_grow_with_data(client, auth, build):
    small = build(scale=1)
    auth.login_as(small.coordinator)
    with count_queries() as few:
        page(client.get(f"/organisers/{small.organiser.id}/dashboard"))
    large = build(scale=10)
    auth.logout()
    auth.login_as(large.coordinator)
    with count_queries() as many:
        soup = page(client.get(f"/organisers/{large.organiser.id}/dashboard"))
    reach = table_rows(soup, "reach-table")
    assert reach["Enrolled"] == {"Caregivers": "25", "Professionals": "25"}  # not the waiting list
    assert len(few) == len(many)


def test_organiser_dashboard_reach_courses_and_months(client, auth, build):
    a = build()
    auth.login_as(a.coordinator)
    soup = page(client.get(f"/organisers/{a.organiser.id}/dashboard"))
    reach = table_rows(soup, "reach-table")
    # Learners 0, 2, 4 are caregivers, 1 and 3 professionals; the waitlisted one holds no seat.
    assert reach["Enrolled"] == {"Caregivers": "3", "Professionals": "2"}
    # Learner 1 was absent or excused everywhere; the others were present or late at least once.
    assert reach["Took part"] == {"Caregivers": "3", "Professionals": "1"}
    assert reach["Completed"] == {"Caregivers": "1", "Professionals": "0"}
    assert reach["New learners"] == {"Caregivers": "5"}
    row = table_rows(soup, "per-course-table")["Signalen van overbelasting"]
    assert row == {"Editions": "1", "Seats offered": "10", "Enrolled": "5", "Took part": "4",
                   "Completed": "1", "Certificate issued": "1", "Waiting list": "1",
                   "Fill rate": "50%", "Attendance rate": row["Attendance rate"],
                   "Completion rate": "20%"}
    months = table_rows(soup, "per-month-table")
    month = a.edition.starts_on.strftime("%Y-%m")
    assert list(months) == [month, "Total"]
    assert months[month] == months["Total"] == row


def test_csv_exports_have_bom_and_rows(client, auth, build):
    a = build()
    auth.login_as(a.coordinator)
    response = client.get(f"/organisers/{a.organiser.id}/dashboard/courses.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.data
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert "Signalen van overbelasting" in text
    for name in ("reach", "tracks", "months", "definitions"):
        assert client.get(f"/organisers/{a.organiser.id}/dashboard/{name}.csv").status_code == 200
    assert client.get(f"/organisers/{a.organiser.id}/dashboard/secrets.csv").status_code == 404


def test_pdf_report_contains_the_figures(client, auth, build):
    a = build()
    auth.login_as(a.coordinator)
    response = client.get(f"/organisers/{a.organiser.id}/dashboard/report.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Mantelzorghub Leiestreek" in text
    assert "Signalen van overbelasting" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-05-01&end=2026-04-01", "before the start date"),
        ("start=gisteren", "not a valid date"),
        ("end=2026-13-45", "not a valid date"),
    ],
)
def test_bad_period_gets_a_clear_message(client, auth, build, query, message):
    a = build()
    auth.login_as(a.coordinator)
    response = client.get(f"/organisers/{a.organiser.id}/dashboard?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_access_to_dashboards(client, auth, build, make):
    a = build()
    other_organiser = make.organiser()
    other_trainer = make.trainer(a.organiser)
    other_coordinator = make.coordinator(other_organiser)
    edition_url = f"/editions/{a.edition.id}/dashboard"
    organiser_url = f"/organisers/{a.organiser.id}/dashboard"

    assert client.get(edition_url).status_code == 302  # anonymous: to the login page
    for user in (other_trainer, other_coordinator, a.learners[0]):
        auth.login_as(user)
        assert client.get(edition_url).status_code == 403
        assert client.get(organiser_url).status_code == 403
        assert client.get(organiser_url + "/courses.csv").status_code == 403
        auth.logout()
    auth.login_as(a.coordinator)
    assert client.get(edition_url).status_code == 200
    assert client.get("/editions/999999/dashboard").status_code == 404


def test_generate_command_builds_a_consistent_organiser(runner):
    from sqlalchemy import func, select

    from college.attendance.models import Attendance
    from college.catalogue.models import Edition, TrainingSession
    from college.enrolment.models import Enrolment
    from college.learning.models import Attempt

    result = runner.invoke(args=["college", "generate", "--learners", "60", "--editions", "4",
                                 "--sessions", "12", "--attendance", "200", "--attempts", "30"])
    assert result.exit_code == 0, result.output
    assert "Generated organiser" in result.output
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(Edition) == 4
    assert count(TrainingSession) == 12
    assert 0 < count(Attendance) <= 200
    assert count(Attempt) == 30
    seats = db.session.scalar(select(func.sum(Edition.seats_taken)))
    assert seats == count(Enrolment)
