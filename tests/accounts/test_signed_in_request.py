"""What a signed-in request costs: one query for the user, no new cookie on every answer."""

from __future__ import annotations

from datetime import timedelta

from college.accounts.models import Membership, Role
from college.extensions import db
from tests.conftest import counted_queries


def test_a_signed_in_trivial_page_loads_the_user_and_memberships_in_one_query(client, make, auth):
    hub, other = make.organiser("Mantelzorghub Deinze"), make.organiser("Mantelzorghub Aalter")
    coordinator = make.coordinator(hub)
    db.session.add(Membership(user_id=coordinator.id, organiser_id=other.id, role=Role.COORDINATOR))
    db.session.commit()
    auth.login_as(coordinator)
    client.get("/")
    with counted_queries() as queries:
        html = client.get("/").get_data(as_text=True)
    assert len(queries) == 1, queries
    # The menu names both organisers: the one query loaded every membership.
    assert "Courses of Mantelzorghub Deinze" in html
    assert "Courses of Mantelzorghub Aalter" in html


def test_the_session_cookie_is_not_sent_again_on_every_answer(client, make, auth, clock):
    auth.login_as(make.learner())
    client.get("/")
    assert "Set-Cookie" not in client.get("/").headers
    clock.advance(timedelta(seconds=30))
    assert "Set-Cookie" not in client.get("/").headers
    clock.advance(timedelta(seconds=31))  # a minute since the last refresh: the idle clock moves
    assert "session=" in client.get("/").headers.get("Set-Cookie", "")
    assert "Set-Cookie" not in client.get("/").headers


def test_activity_every_minute_and_a_half_keeps_the_session_alive(app, client, make, auth, clock):
    idle_minutes = 3
    app.config["SESSION_IDLE_MINUTES"] = idle_minutes
    try:
        learner = make.learner()
        auth.login_as(learner)
        for _ in range(6):
            clock.advance(timedelta(seconds=90))
            assert client.get("/my/trainings").status_code == 200
        clock.advance(timedelta(minutes=idle_minutes, seconds=1))
        assert client.get("/my/trainings").status_code == 302  # idle too long: logged out
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 60 * 24 * 365
