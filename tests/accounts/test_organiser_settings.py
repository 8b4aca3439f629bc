"""An organiser's settings: when its waiting lists close, and what verification says after erasure."""

from __future__ import annotations

import pytest

from college.accounts.models import Organiser
from college.extensions import db
from tests.api.conftest import assert_problem, bearer_for
from tests.conftest import post_form


def _settings(organiser_id: int) -> tuple[int, bool]:
    db.session.expire_all()
    organiser = db.session.get(Organiser, organiser_id)
    return organiser.waitlist_closes_hours_before, organiser.verify_anonymised_certificates


def test_coordinator_sets_the_lead_time_and_the_verification_choice(client, auth, make):
    hub = make.organiser()
    auth.login_as(make.coordinator(hub))
    page = client.get(f"/organisers/{hub.id}/settings").get_data(as_text=True)
    assert "Close the waiting list this many hours before the start" in page
    response = post_form(client, f"/organisers/{hub.id}/settings",
                         {"waitlist_closes_hours_before": "48"})
    assert response.status_code == 302
    assert _settings(hub.id) == (48, False)  # an unticked box is a "no"
    assert "The settings have been saved." in client.get(response.headers["Location"]).get_data(
        as_text=True)


@pytest.mark.parametrize(("value", "message"), [
    ("veel", "whole number of hours"),
    ("-1", "between 0 and 720"),
    ("721", "between 0 and 720"),
])
def test_bad_settings_are_refused_on_the_page_and_in_the_api(client, auth, make, value, message):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    auth.login_as(coordinator)
    response = post_form(client, f"/organisers/{hub.id}/settings",
                         {"waitlist_closes_hours_before": value, "verify_anonymised_certificates": "y"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    if value.lstrip("-").isdigit():
        body = assert_problem(client.patch(f"/api/v1/organisers/{hub.id}", headers=bearer_for(coordinator),
                                           json={"waitlist_closes_hours_before": int(value)}), 422)
        assert message in body["errors"]["waitlist_closes_hours_before"][0]
    assert _settings(hub.id) == (0, True)


def test_the_api_reads_and_changes_the_settings_of_ones_own_organiser_only(client, make):
    hub, other = make.organiser(), make.organiser()
    coordinator = make.coordinator(hub)
    body = client.get(f"/api/v1/organisers/{hub.id}", headers=bearer_for(coordinator)).get_json()
    assert (body["waitlist_closes_hours_before"], body["verify_anonymised_certificates"]) == (0, True)
    response = client.patch(f"/api/v1/organisers/{hub.id}", headers=bearer_for(coordinator),
                            json={"waitlist_closes_hours_before": 24})
    assert response.status_code == 200 and response.get_json()["waitlist_closes_hours_before"] == 24
    assert_problem(client.patch(f"/api/v1/organisers/{other.id}", headers=bearer_for(coordinator),
                                json={"waitlist_closes_hours_before": 24}), 403)
    assert _settings(other.id) == (0, True)
