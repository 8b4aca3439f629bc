"""Once an edition has started (or within the organiser's lead time) a freed seat stays free.

Nobody is moved up or mailed about a seat in a training that is already running; the same
rule for a cancellation on the page, through the API, and for more seats.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from college import timeutil
from college.catalogue.models import Edition
from college.enrolment.models import Enrolment, EnrolmentStatus, Notification
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.conftest import post_form


@pytest.fixture()
def full_edition(make):
    """One seat, taken; one person waiting; the first session in three days at 14:00."""
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    starts = timeutil.now().replace(second=0, microsecond=0) + timedelta(days=3)
    edition = make.edition(make.course(organiser), capacity=1,
                           starts_on=timeutil.local(starts).date())
    session = make.session(edition, starts_at=starts)
    seated, waiting = make.learner(name="Ann Aerts"), make.learner(name="Wim Wachtlijst")
    seat = make.enrolment(seated, edition)
    make.enrolment(waiting, edition, status=EnrolmentStatus.WAITLISTED)
    return organiser, coordinator, edition, session, seat, waiting


def _cancel(surface: str, client, auth, coordinator, enrolment_id: int):
    if surface == "page":
        auth.login_as(coordinator)
        return post_form(client, f"/enrolments/{enrolment_id}/cancel", {"confirmed": "yes"},
                         page=f"/enrolments/{enrolment_id}/cancel")
    return client.delete(f"/api/v1/enrolments/{enrolment_id}",
                         headers=bearer_for(coordinator, hours=24 * 30))


def _waiting_state(edition_id: int, learner_id: int) -> tuple[str, list[str], int]:
    db.session.expire_all()
    status = db.session.scalar(select(Enrolment.status).where(
        Enrolment.learner_id == learner_id, Enrolment.edition_id == edition_id))
    kinds = list(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == learner_id).order_by(Notification.id)))
    seats_taken = db.session.get(Edition, edition_id).seats_taken
    return status.value, kinds, seats_taken


@pytest.mark.parametrize("surface", ["page", "api"])
@pytest.mark.parametrize(("offset", "lead_hours", "promoted"), [
    (timedelta(minutes=-1), 0, True),  # a minute before the start: moved up
    (timedelta(0), 0, False),  # at the start: the seat stays free
    (timedelta(days=1), 0, False),  # during the edition
    (timedelta(hours=-49), 48, True),  # the organiser closes the list 48 hours ahead
    (timedelta(hours=-47), 48, False),
])
def test_a_seat_freed_after_the_start_stays_free(surface, offset, lead_hours, promoted,
                                                 client, auth, full_edition, clock):
    organiser, coordinator, edition, session, seat, waiting = full_edition
    organiser.waitlist_closes_hours_before = lead_hours
    db.session.commit()
    clock.move_to(session.starts_at + offset)
    response = _cancel(surface, client, auth, coordinator, seat.id)
    assert response.status_code == (302 if surface == "page" else 200)
    expected = ("enrolled", ["promoted"], 1) if promoted else ("waitlisted", [], 0)
    assert _waiting_state(edition.id, waiting.id) == expected


def test_more_seats_after_the_start_move_nobody_up(client, auth, full_edition, clock):
    _organiser, coordinator, edition, session, _seat, waiting = full_edition
    clock.move_to(session.starts_at + timedelta(hours=1))
    auth.login_as(coordinator)
    response = post_form(client, f"/editions/{edition.id}/capacity", {"capacity": "5"})
    assert response.status_code == 302
    assert _waiting_state(edition.id, waiting.id) == ("waitlisted", [], 1)
    response = client.patch(f"/api/v1/editions/{edition.id}", json={"capacity": 6},
                            headers=bearer_for(coordinator))
    assert response.status_code == 200 and response.get_json()["seats_left"] == 5
    assert _waiting_state(edition.id, waiting.id) == ("waitlisted", [], 1)
