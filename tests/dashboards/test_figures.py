"""The coordinator's figures are about one cohort (the editions that started in the period), so
they never contradict each other: the same numbers on the page, in the CSV tables, in the PDF
and through the API, a funnel everywhere, and every figure defined next to it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from college.accounts.models import Language, Role, User
from college.dashboards.definitions import (
    EDITION_FUNNEL,
    FIGURES,
    ORGANISER_FIGURES,
    TABLE_FIGURES,
)
from college.dashboards.organiser import FIGURE_NAMES, Figures, organiser_dashboard
from college.dashboards.services import parse_period
from college.demo import DEMO_PASSWORD, load_demo
from college.extensions import db
from tests.dashboards.cohort import (
    CASES,
    CSV_COUNTS,
    NEW_LEARNERS,
    PAGE_COUNTS,
    QUERY,
    REACH,
    RETURNING_LEARNERS,
    build_cohort,
    csv_case,
    expected_for,
    page_case,
    table_rows,
)


@pytest.fixture()
def cohort(make):
    return build_cohort(make)


def figures_page(client, auth, cohort, query: str = QUERY) -> BeautifulSoup:
    auth.login_as(cohort.coordinator)
    response = client.get(f"/organisers/{cohort.hub.id}/dashboard?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csv_tables(client, cohort, query: str = QUERY) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for name in ("reach", "courses", "tracks", "months", "definitions"):
        response = client.get(f"/organisers/{cohort.hub.id}/dashboard/{name}.csv?{query}")
        assert response.status_code == 200
        tables[name] = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")),
                                           delimiter=";"))
    return tables


def _counts(row: dict[str, str]) -> list[int]:
    return [int(value) for value in row.values()]


def _funnel_of(row: dict) -> list[int]:
    return [row["enrolled"], row["took_part"], row["completed"], row["certified"]]


# ------------------------------------------------------------ the contradictions, one by one


def test_completed_never_outnumbers_those_who_attended(client, auth, cohort):
    """Seen: 16 completed but only 13 attended at least once (completions counted by their date)."""
    reach = table_rows(figures_page(client, auth, cohort), "reach-table")
    stages = list(reach.values())[:4]  # enrolled, took part, completed, certificate issued
    for kind in ("Caregivers", "Professionals"):
        counts = [int(stage[kind]) for stage in stages]
        assert counts == sorted(counts, reverse=True), (kind, counts)
    assert list(reach)[:4] == ["Enrolled", "Took part", "Completed", "Certificate issued"]
    assert [[int(v) for v in stage.values()] for stage in stages] == [
        [REACH[key]["caregiver"], REACH[key]["professional"]] for key in REACH]


def test_no_course_has_more_certificates_than_enrolments(client, auth, cohort):
    """Seen: 14 enrolments but 18 certificates (certificates counted by the day they were issued)."""
    rows = table_rows(figures_page(client, auth, cohort), "per-course-table")
    assert rows, "the cohort has courses"
    for name, row in rows.items():
        funnel = [int(row[label]) for label in ("Enrolled", "Took part", "Completed",
                                                "Certificate issued")]
        assert funnel == sorted(funnel, reverse=True), (name, funnel)


def test_a_course_is_listed_only_with_an_edition_in_the_period(client, auth, cohort):
    """Seen: a course with 0 editions and 6 certificates (its editions started before)."""
    rows = table_rows(figures_page(client, auth, cohort), "per-course-table")
    assert "Omgaan met dementie" not in rows  # certificates issued in the period, edition before
    assert "Tillen en verplaatsen" not in rows  # enrolled in the period, edition after
    assert all(int(row["Editions"]) >= 1 for name, row in rows.items() if name != "Total")


def test_months_are_the_months_in_which_editions_started(client, auth, cohort):
    """Enrolments made in February and completions in April count in March, the edition's month."""
    rows = table_rows(figures_page(client, auth, cohort), "per-month-table")
    assert list(rows) == ["2025-03", "2025-05", "Total"]


# --------------------------------------------------------------- one table of cases, three surfaces


@pytest.mark.parametrize("case", CASES, ids=str)
def test_page_shows_the_cohort_figures(client, auth, cohort, case):
    soup = figures_page(client, auth, cohort)
    assert page_case(soup, case) == expected_for(case, PAGE_COUNTS, digits=None)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_csv_tables_show_the_same_figures(client, auth, cohort, case):
    auth.login_as(cohort.coordinator)
    assert csv_case(csv_tables(client, cohort), case) == expected_for(case, CSV_COUNTS, digits=1)


def test_reach_and_returning_learners_on_page_and_csv(client, auth, cohort):
    reach = table_rows(figures_page(client, auth, cohort), "reach-table")
    assert reach["New learners"] == {"Caregivers": str(NEW_LEARNERS)}
    assert reach["Returning learners"] == {"Caregivers": str(RETURNING_LEARNERS)}
    rows = {row["Stage"]: row for row in csv_tables(client, cohort)["reach"]}
    assert [rows[label]["Caregivers"] for label in ("Enrolled", "Took part", "Completed",
                                                    "Certificate issued")] == ["3", "2", "2", "2"]
    assert rows["New learners"]["Caregivers"] == str(NEW_LEARNERS)
    assert rows["Returning learners"]["Caregivers"] == str(RETURNING_LEARNERS)


def test_every_figure_has_one_definition():
    """Each counted field and rate of `Figures` is a key of the registry, defined once."""
    rates = [name for name, value in vars(Figures).items()
             if isinstance(value, property) and name.endswith("_rate")]
    assert set(FIGURE_NAMES) | set(rates) <= set(ORGANISER_FIGURES)
    assert len(ORGANISER_FIGURES) == len(set(ORGANISER_FIGURES))
    assert all(FIGURES[key].label and FIGURES[key].definition for key in ORGANISER_FIGURES)


def test_the_readme_repeats_each_definition_word_for_word():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("#### Figures"):readme.index("### Privacy")]
    for key in (*ORGANISER_FIGURES, *EDITION_FUNNEL, "cannot_reach", "missed_in_a_row"):
        assert f"| {FIGURES[key].label} | `{key}` | {FIGURES[key].definition} |" in section, key


def test_the_figures_as_computed(cohort):
    """The shape an outside check reads: totals, courses, tracks, months, reach."""
    dashboard = organiser_dashboard(cohort.hub.id, parse_period("2025-03-01", "2025-05-31"))
    assert dashboard.reach == REACH
    assert (dashboard.new_learners, dashboard.returning_learners) == (NEW_LEARNERS,
                                                                      RETURNING_LEARNERS)
    assert [row.title for row in dashboard.courses] == ["Respijtzorg: wat bestaat er?",
                                                        "Signalen van overbelasting"]
    assert [month for month, _ in dashboard.months] == ["2025-03", "2025-05"]
    assert [track for track, _ in dashboard.tracks] == ["caregivers", "professionals"]
    assert dashboard.total.attendance_rate == 72.7 and dashboard.total.completion_rate == 60.0


def test_an_empty_period_shows_zeros_and_no_rows(client, auth, cohort):
    soup = figures_page(client, auth, cohort, "start=2030-01-01&end=2030-12-31")
    assert table_rows(soup, "per-course-table") == {}
    funnel = table_rows(soup, "funnel-table")
    assert [row["Enrolments"] for row in funnel.values()] == ["0", "0", "0", "0"]


# ------------------------------------------------------------------- definitions next to figures


def _definition_lists(soup) -> list[dict[str, str]]:
    return [{dt.get_text(strip=True): dd.get_text(" ", strip=True)
             for dt, dd in zip(block.select("dt"), block.select("dd"), strict=True)}
            for block in soup.select(".how-we-count")]


def test_each_table_says_how_it_counts(client, auth, cohort):
    soup = figures_page(client, auth, cohort)
    for table_id in ("funnel-table", "reach-table", "per-course-table", "per-track-table",
                     "per-month-table"):
        section = soup.find(id=table_id).find_parent("section")
        block = section.select_one(".how-we-count")
        assert block is not None and block.h3.get_text(strip=True) == "How we count", table_id
        assert block.select("dt"), table_id
    shown = {label: text for block in _definition_lists(soup) for label, text in block.items()}
    # Every figure of the page is defined on it, with the registry's words.
    for key in ("cohort", *TABLE_FIGURES, "took_part", "reach", "new_learners",
                "returning_learners", "track", "month"):
        assert shown[str(FIGURES[key].label)] == str(FIGURES[key].definition), key
    # The course table's columns are exactly the figures defined under it.
    course_section = soup.find(id="per-course-table").find_parent("section")
    columns = [th.get_text(strip=True) for th in course_section.select("thead th")][1:]
    assert columns == list(_definition_lists(course_section)[0])


def test_csv_export_has_a_definitions_table(client, auth, cohort):
    auth.login_as(cohort.coordinator)
    rows = csv_tables(client, cohort)["definitions"]
    assert [row["Key"] for row in rows] == list(ORGANISER_FIGURES)
    took_part = next(row for row in rows if row["Key"] == "took_part")
    assert took_part["Figure"] == "Took part"
    assert took_part["How we count"] == str(FIGURES["took_part"].definition)
    # Every counted column of the CSV tables is a defined figure.
    defined = {row["Figure"] for row in rows}
    assert set(CSV_COUNTS.values()) <= defined


def test_pdf_report_has_the_figures_and_their_definitions(client, auth, cohort):
    auth.login_as(cohort.coordinator)
    response = client.get(f"/organisers/{cohort.hub.id}/dashboard/report.pdf?{QUERY}")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Signalen van overbelasting" in flat
    assert "Omgaan met dementie" not in flat
    assert "How we count" in flat
    for key in ("cohort", "took_part", "completed", "certified", "attendance_rate",
                "returning_learners"):
        words = re.sub(r"\s+", " ", str(FIGURES[key].definition))
        assert words in flat, key


# ------------------------------------------------------------------------------------- the demo


def _figures_rows(soup, table_id: str) -> dict[str, dict[str, int | None]]:
    return {name: {label: int(value) if value.isdigit() else None for label, value in row.items()}
            for name, row in table_rows(soup, table_id).items()}


def test_the_demos_figures_page_reconciles(client, auth):
    load_demo()
    coordinator = User.by_email("coordinator@example.be")
    coordinator.language = Language.EN  # the demo's people read Dutch; these tests read English
    db.session.commit()
    (organiser_id,) = coordinator.organiser_ids(Role.COORDINATOR)
    assert auth.login(coordinator.email, DEMO_PASSWORD).status_code == 302
    response = client.get(f"/organisers/{organiser_id}/dashboard")
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")

    stages = ("Enrolled", "Took part", "Completed", "Certificate issued")
    courses = _figures_rows(soup, "per-course-table")
    total = courses.pop("Total")
    assert courses and total["Enrolled"] > 0, "the demo has editions that started this year"
    for name, row in [*courses.items(), ("Total", total),
                      *_figures_rows(soup, "per-track-table").items(),
                      *_figures_rows(soup, "per-month-table").items()]:
        funnel = [row[stage] for stage in stages]
        assert funnel == sorted(funnel, reverse=True), (name, funnel)
    months = _figures_rows(soup, "per-month-table")
    assert months.pop("Total") == total
    for column in ("Editions", "Seats offered", "Waiting list", *stages):
        assert sum(row[column] for row in courses.values()) == total[column], column
        assert sum(row[column] for row in months.values()) == total[column], column
    assert all(row["Editions"] >= 1 for row in courses.values())
    funnel = _figures_rows(soup, "funnel-table")
    assert [row["Enrolments"] for row in funnel.values()] == [total[s] for s in stages]
    reach = _figures_rows(soup, "reach-table")
    for kind in ("Caregivers", "Professionals"):
        counts = [reach[stage][kind] for stage in stages]
        assert counts == sorted(counts, reverse=True), (kind, counts)



def test_figures_plan_without_nested_loops_only_inside_the_block(app):
    """The region's reach took a minute at ten times the history through a nested loop that
    PostgreSQL chose on a one-row estimate: its statement runs with hash joins, and the rest
    of the transaction plans as usual again. SQLite has no such setting: nothing is sent."""
    from sqlalchemy import text

    from college.dashboards.organiser import hash_joins
    from tests.conftest import counted_queries

    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        show = "SHOW enable_nestloop" if postgres else "SELECT 'no planner setting'"
        with counted_queries() as statements:
            with hash_joins():
                inside = db.session.scalar(text(show))
            after = db.session.scalar(text(show))
        db.session.rollback()
    sent = [str(statement).split()[0] for statement in statements]
    if postgres:
        assert (inside, after) == ("off", "on")
        assert sent == ["SET", "SHOW", "SET", "SHOW"]
    else:
        assert sent == ["SELECT", "SELECT"]
