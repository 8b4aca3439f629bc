"""Attendance opens 30 minutes before a session, never earlier: no attest for a training to come.

The same rule on the roster page and in the API, on both sides of the edge.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from college import timeutil
from college.attendance.models import Attendance, AttendanceChange
from college.certificates.models import Certificate
from college.completion.tasks import complete_finished_editions
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.conftest import post_form, run_worker


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def one_session(make):
    """A course of one session twelve days ahead, with two caregivers enrolled."""
    organiser = make.organiser()
    trainer = make.trainer(organiser, name="Tine Trainer")
    course = make.course(organiser, title="Omgaan met dementie", min_attendance_pct=100)
    starts = timeutil.now().replace(second=0, microsecond=0) + timedelta(days=12)
    edition = make.edition(course, trainers=[trainer], starts_on=timeutil.local(starts).date())
    session = make.session(edition, starts_at=starts)
    learners = [make.learner(name=name) for name in ("Ann Aerts", "Bart Bosmans")]
    for learner in learners:
        make.enrolment(learner, edition)
    return trainer, session, learners


def _save_everyone_present(surface: str, client, auth, trainer, session, learners):
    if surface == "page":
        auth.login_as(trainer)
        return post_form(client, f"/sessions/{session.id}/roster",
                         {f"status-{learner.id}": "present" for learner in learners})
    return client.put(f"/api/v1/sessions/{session.id}/attendance",
                      headers=bearer_for(trainer, hours=24 * 30),
                      json={"records": [{"user_id": learner.id, "status": "present"}
                                        for learner in learners]})


@pytest.mark.parametrize("surface", ["page", "api"])
def test_everyone_present_twelve_days_ahead_records_nothing_and_issues_nothing(
        surface, client, auth, one_session):
    trainer, session, learners = one_session
    response = _save_everyone_present(surface, client, auth, trainer, session, learners)
    assert response.status_code == 409
    assert "30 minutes before it starts" in response.get_data(as_text=True)
    assert _count(Attendance) == _count(AttendanceChange) == _count(Certificate) == 0
    assert set(db.session.scalars(select(Enrolment.status))) == {EnrolmentStatus.ENROLLED}


@pytest.mark.parametrize("surface", ["page", "api"])
@pytest.mark.parametrize(("offset", "allowed"), [
    (timedelta(minutes=-31), False),
    (timedelta(minutes=-30, seconds=-1), False),
    (timedelta(minutes=-30), True),
    (timedelta(minutes=5), True),
    (timedelta(days=3), True),  # a paper sheet entered afterwards
])
def test_attendance_opens_thirty_minutes_before_the_start(
        surface, offset, allowed, client, auth, one_session, clock):
    trainer, session, learners = one_session
    clock.move_to(session.starts_at + offset)
    response = _save_everyone_present(surface, client, auth, trainer, session, learners)
    assert response.status_code == ((302 if surface == "page" else 200) if allowed else 409)
    assert _count(Attendance) == (2 if allowed else 0)


def test_the_roster_of_a_session_to_come_says_when_it_opens(client, auth, one_session, clock):
    trainer, session, _learners = one_session
    auth.login_as(trainer)
    page = client.get(f"/sessions/{session.id}/roster").get_data(as_text=True)
    assert "can be recorded from" in page and "Ann Aerts" in page
    assert "Save attendance" not in page and "Everyone present" not in page
    assert "Enrol and mark present" not in page  # walk-ins come to the session itself
    clock.move_to(session.starts_at - timedelta(minutes=30))
    page = client.get(f"/sessions/{session.id}/roster").get_data(as_text=True)
    assert "Save attendance" in page and "Everyone present" in page
    assert "can be recorded from" not in page


def test_an_attest_only_after_the_last_session_has_ended(app, client, auth, one_session, clock):
    """Recorded in the room, the enrolment completes when the session ends, not before."""
    trainer, session, learners = one_session
    clock.move_to(session.starts_at)
    assert _save_everyone_present("page", client, auth, trainer, session, learners).status_code == 302
    assert set(db.session.scalars(select(Enrolment.status))) == {EnrolmentStatus.ENROLLED}
    clock.move_to(session.ends_at - timedelta(minutes=1))
    assert complete_finished_editions() == 0
    assert _count(Certificate) == 0
    clock.move_to(session.ends_at)
    assert complete_finished_editions() == 2
    assert complete_finished_editions() == 0  # once only
    run_worker(app)
    codes = list(db.session.scalars(select(Certificate.verification_code)))
    assert len(codes) == 2
    assert "valid" in client.get(f"/verify/{codes[0]}").get_data(as_text=True)
