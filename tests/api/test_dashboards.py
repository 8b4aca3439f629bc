"""The edition dashboard through the API: the numbers of the trainer's dashboard page."""

from __future__ import annotations

from college.dashboards.queries import edition_dashboard
from tests.api.conftest import assert_problem
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
    expected = edition_dashboard(a.edition.id)
    assert body["attendance_rate"] == expected.attendance_rate is not None
    assert [s["rate_pct"] for s in body["sessions"]] == [s.rate_pct for s in expected.sessions]
    assert client.get(f"/api/v1/editions/{a.edition.id}/dashboard",
                      headers=bearer(a.coordinator)).status_code == 200


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
