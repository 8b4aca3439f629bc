"""The dashboards through the API: the same numbers as the pages, from the same read services."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from college.dashboards.definitions import EDITION_FUNNEL, FIGURES, ORGANISER_FIGURES
from college.dashboards.edition import edition_dashboard
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.extensions import db
from college.privacy.models import PersonalDataAccess
from tests.api.conftest import assert_problem
from tests.dashboards.cohort import (
    CASES,
    CSV_COUNTS,
    NEW_LEARNERS,
    QUERY,
    REACH,
    RETURNING_LEARNERS,
    api_case,
    build_cohort,
    expected_for,
    page_case,
)
from tests.dashboards.conftest import build  # noqa: F401 (the activity fixture of the dashboards)


def test_dashboard_numbers(client, make, bearer, build):  # noqa: F811
    a = build()
    response = client.get(f"/api/v1/editions/{a.edition.id}/dashboard", headers=bearer(a.trainer))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["capacity"], body["enrolled"], body["waitlisted"]) == (10, 5, 1)
    assert (body["completed"], body["certificates_issued"]) == (1, 1)
    assert body["quiz"] == {"attempts": 4, "pass_rate": 50.0, "mean_score_pct": 62.5}
    assert len(body["sessions"]) == 4
    expected = edition_dashboard(a.edition.id, a.trainer)
    assert body["attendance_rate"] == expected.attendance_rate is not None
    assert [s["rate_pct"] for s in body["sessions"]] == [s.rate_pct for s in expected.sessions]
    assert [(step["key"], step["learners"]) for step in body["funnel"]] == expected.funnel
    assert [d["key"] for d in body["definitions"]] == list(EDITION_FUNNEL)
    assert client.get(f"/api/v1/editions/{a.edition.id}/dashboard",
                      headers=bearer(a.coordinator)).status_code == 200


def test_dashboard_funnel_is_the_pages(client, auth, make, bearer, build):  # noqa: F811
    a = build()
    body = client.get(f"/api/v1/editions/{a.edition.id}/dashboard",
                      headers=bearer(a.trainer)).get_json()
    auth.login_as(a.trainer)
    soup = BeautifulSoup(client.get(f"/editions/{a.edition.id}/dashboard").get_data(as_text=True),
                         "html.parser")
    table = soup.find("caption", string="Learners at each step towards the certificate")
    page = [int(tr.select("td")[1].get_text()) for tr in table.find_parent("table").select("tbody tr")]
    assert [step["learners"] for step in body["funnel"]] == page


def test_dashboard_is_for_the_editions_staff(client, make, bearer):
    hub = make.organiser()
    edition = make.edition(make.course(hub), trainers=[make.trainer(hub)])
    url = f"/api/v1/editions/{edition.id}/dashboard"
    assert_problem(client.get(url), 401)
    assert_problem(client.get(url, headers=bearer(make.trainer(hub))), 403)
    assert_problem(client.get(url, headers=bearer(make.learner())), 403)
    assert_problem(client.get(url, headers=bearer(make.coordinator(make.organiser()))), 403)
    assert_problem(client.get("/api/v1/editions/999999/dashboard", headers=bearer(make.learner())), 404)
    body = client.get(url, headers=bearer(make.coordinator(hub))).get_json()
    assert (body["enrolled"], body["attendance_rate"], body["quiz"]["pass_rate"]) == (0, None, None)


def _logged(viewer_id: int) -> set[int]:
    return set(db.session.scalars(select(PersonalDataAccess.learner_id).where(
        PersonalDataAccess.viewer_id == viewer_id, PersonalDataAccess.context == "dashboard")))


def test_reading_the_dashboard_through_the_api_is_logged(client, make, bearer, build):  # noqa: F811
    """Seen: the page left a line in the learners' access log, the API none."""
    a = build()
    seated = set(db.session.scalars(select(Enrolment.learner_id).where(
        Enrolment.edition_id == a.edition.id, Enrolment.status.in_(SEATED_STATUSES))))
    assert client.get(f"/api/v1/editions/{a.edition.id}/dashboard",
                      headers=bearer(a.trainer)).status_code == 200
    assert _logged(a.trainer.id) == seated and len(seated) == 5
    stranger = make.trainer(a.organiser)
    assert_problem(client.get(f"/api/v1/editions/{a.edition.id}/dashboard",
                              headers=bearer(stranger)), 403)
    assert _logged(stranger.id) == set()


# ---------------------------------------------------------------- the organiser's figures


@pytest.fixture()
def cohort(make):
    return build_cohort(make)


def _organiser_figures(client, bearer, cohort, query: str = QUERY) -> dict:
    response = client.get(f"/api/v1/organisers/{cohort.hub.id}/dashboard?{query}",
                          headers=bearer(cohort.coordinator))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_organiser_figures_are_the_pages(client, auth, bearer, cohort, case):
    """One table of cases, fed to the API and to the page: the same numbers from both."""
    body = _organiser_figures(client, bearer, cohort)
    assert api_case(body, case) == expected_for(case, CSV_COUNTS, digits=1)
    auth.login_as(cohort.coordinator)
    soup = BeautifulSoup(client.get(f"/organisers/{cohort.hub.id}/dashboard?{QUERY}")
                         .get_data(as_text=True), "html.parser")
    found = api_case(body, case)
    assert page_case(soup, case) == (None if found is None else {
        key: value if not key.endswith("_rate") or value is None else float(f"{value:.0f}")
        for key, value in found.items()
        if key not in ("seats_taken", "attended_marks", "recorded_marks")})


def test_organiser_figures_reach_and_definitions(client, bearer, cohort):
    body = _organiser_figures(client, bearer, cohort)
    assert body["reach"] == REACH
    assert (body["new_learners"], body["returning_learners"]) == (NEW_LEARNERS, RETURNING_LEARNERS)
    assert (body["start"], body["end"]) == ("2025-03-01", "2025-05-31")
    assert [d["key"] for d in body["definitions"]] == list(ORGANISER_FIGURES)
    took_part = next(d for d in body["definitions"] if d["key"] == "took_part")
    assert took_part == {"key": "took_part", "label": "Took part",
                         "definition": str(FIGURES["took_part"].definition)}
    for figures in [body["total"], *(item["figures"] for key in ("courses", "tracks", "months")
                                     for item in body[key])]:
        funnel = [figures[stage] for stage in ("enrolled", "took_part", "completed", "certified")]
        assert funnel == sorted(funnel, reverse=True)


def test_organiser_figures_are_for_its_coordinators(client, make, bearer, cohort):
    url = f"/api/v1/organisers/{cohort.hub.id}/dashboard"
    assert_problem(client.get(url), 401)
    for outsider in (cohort.trainer, make.learner(), make.coordinator(make.organiser())):
        assert_problem(client.get(url, headers=bearer(outsider)), 403)
    assert_problem(client.get("/api/v1/organisers/999999/dashboard",
                              headers=bearer(cohort.coordinator)), 404)
    body = assert_problem(client.get(url + "?start=2025-05-01&end=2025-04-01",
                                     headers=bearer(cohort.coordinator)), 422)
    assert "before the start date" in body["errors"]["end"][0]
    body = assert_problem(client.get(url + "?start=gisteren", headers=bearer(cohort.coordinator)),
                          422)
    assert "not a valid date" in body["errors"]["start"][0]
