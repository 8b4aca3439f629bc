"""The coordinator's figures are kept in Redis until a change they count (issue 15).

A kept figure is always the live computation's: each change the figures count (a seat, a mark,
a certificate, an edition, a learner's kind) makes them stale at its commit; a change they do
not count (a login) keeps them; a view of kept figures reads no enrolment, mark or certificate,
so it takes the same queries whatever the history.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import update

from college.accounts.models import Kind, User
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Edition
from college.dashboards import cache
from college.dashboards.organiser import organiser_dashboard
from college.dashboards.services import parse_period
from college.enrolment.models import EnrolmentStatus
from college.extensions import db
from college.jobs import redis_connection
from tests.conftest import counted_queries
from tests.dashboards.cohort import table_rows


def _figures(client, organiser_id: int) -> dict[str, dict[str, str]]:
    response = client.get(f"/organisers/{organiser_id}/dashboard")
    assert response.status_code == 200
    return table_rows(BeautifulSoup(response.get_data(as_text=True), "html.parser"),
                      "per-course-table")


def _generation() -> int:
    return cache.FIGURES.current()


def test_kept_figures_follow_every_change_they_count(client, auth, build, make):
    a = build()
    auth.login_as(a.coordinator)
    row = _figures(client, a.organiser.id)[a.course.title]
    assert (row["Enrolled"], row["Waiting list"], row["Seats offered"]) == ("5", "1", "10")
    assert any(key.startswith(b"college:figures:") for key in redis_connection().keys())

    make.enrolment(make.learner(), a.edition)  # a seat
    assert _figures(client, a.organiser.id)[a.course.title]["Enrolled"] == "6"

    db.session.execute(update(Edition).where(Edition.id == a.edition.id).values(capacity=30))
    db.session.commit()  # a statement, not an object: the seat counter's way
    assert _figures(client, a.organiser.id)[a.course.title]["Seats offered"] == "30"

    before = _figures(client, a.organiser.id)[a.course.title]["Attendance rate"]
    absent = db.session.scalars(db.select(Attendance).where(
        Attendance.learner_id == a.learners[1].id)).all()
    for mark in absent:
        mark.status = AttendanceStatus.PRESENT
    db.session.commit()
    assert _figures(client, a.organiser.id)[a.course.title]["Attendance rate"] != before

    period = parse_period(None, None)
    assert cache.organiser_figures(a.organiser.id, period) == organiser_dashboard(a.organiser.id, period)


def test_a_learners_kind_counts_and_a_login_does_not(client, auth, build):
    a = build()
    auth.login_as(a.coordinator)
    reach_of = lambda: table_rows(BeautifulSoup(  # noqa: E731
        client.get(f"/organisers/{a.organiser.id}/dashboard").get_data(as_text=True),
        "html.parser"), "reach-table")["Enrolled"]
    assert reach_of() == {"Caregivers": "3", "Professionals": "2"}
    generation = _generation()
    learner = db.session.get(User, a.learners[1].id)
    learner.name = "Andere Naam"
    learner.last_seen_at = db.func.now()
    db.session.commit()
    assert _generation() == generation  # not something the figures count
    learner.kind = Kind.CAREGIVER
    db.session.commit()
    assert _generation() == generation + 1
    assert reach_of() == {"Caregivers": "4", "Professionals": "1"}


def test_a_change_rolled_back_keeps_the_figures_and_one_not_committed_is_not_kept(
        client, auth, build, make):
    a = build()
    auth.login_as(a.coordinator)
    _figures(client, a.organiser.id)
    generation = _generation()
    make.enrolment(make.learner(), a.edition, EnrolmentStatus.WAITLISTED)
    assert _generation() == generation + 1
    db.session.execute(update(Edition).values(capacity=99))
    period = parse_period(None, None)
    # Not committed yet: this unit of work sees its own change, and keeps nothing.
    assert cache.organiser_figures(a.organiser.id, period).total.capacity == 99
    db.session.rollback()
    assert _generation() == generation + 1
    assert cache.organiser_figures(a.organiser.id, period).total.capacity == 10


def test_kept_figures_take_the_same_queries_whatever_the_history(client, auth, build):
    counts = []
    for scale in (1, 10):
        a = build(scale=scale)
        auth.logout()
        auth.login_as(a.coordinator)
        with counted_queries() as computing:
            _figures(client, a.organiser.id)
        with counted_queries() as kept:
            figures = _figures(client, a.organiser.id)
        assert figures[a.course.title]["Enrolled"] == str(5 * scale)
        assert not any("attendance" in statement or "enrolment" in statement for statement in kept)
        assert len(kept) < len(computing)
        counts.append(len(kept))
    assert counts[0] == counts[1]
