"""Enrolling, the waiting list, cancelling and promoting, capacity: the service rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import Kind
from college.catalogue.models import Edition, edition_trainer
from college.enrolment.models import Enrolment, EnrolmentStatus, Notification
from college.enrolment.services import cancel_enrolment, change_capacity, enrol_learner
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db


def counts(edition_id: int) -> tuple[int, int, int]:
    """(capacity, seats_taken, waitlist_length) as the database holds them."""
    return tuple(db.session.execute(
        select(Edition.capacity, Edition.seats_taken, Edition.waitlist_length)
        .where(Edition.id == edition_id)
    ).one())


def statuses(edition_id: int) -> dict[int, tuple[str, int | None]]:
    rows = db.session.execute(
        select(Enrolment.learner_id, Enrolment.status, Enrolment.waitlist_position)
        .where(Enrolment.edition_id == edition_id, Enrolment.status != EnrolmentStatus.CANCELLED)
    )
    return {learner_id: (status.value, position) for learner_id, status, position in rows}


def notification_kinds(user_id: int) -> list[str]:
    return list(db.session.scalars(
        select(Notification.kind).where(Notification.user_id == user_id).order_by(Notification.id)
    ))


def add_trainer(edition, trainer) -> None:
    """Make the user a trainer of the edition (the factory's `trainers=` trips on lazy='raise')."""
    db.session.execute(edition_trainer.insert().values(edition_id=edition.id, user_id=trainer.id))
    db.session.commit()


def enrol(edition, learner, actor=None):
    return enrol_learner(edition_id=edition.id, learner_id=learner.id, actor=actor or learner)


def test_enrol_takes_a_seat_and_writes_a_confirmation(make):
    edition = make.edition(capacity=2)
    learner = make.learner()
    enrolment = enrol(edition, learner)
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.enrolled_by_id is None
    assert counts(edition.id) == (2, 1, 0)
    assert notification_kinds(learner.id) == ["enrolled"]


def test_full_edition_puts_learners_on_the_waiting_list_in_order(make):
    edition = make.edition(capacity=1)
    first, second, third = make.learner(), make.learner(), make.learner()
    enrol(edition, first)
    assert enrol(edition, second).waitlist_position == 1
    assert enrol(edition, third).waitlist_position == 2
    assert counts(edition.id) == (1, 1, 2)
    assert notification_kinds(third.id) == ["waitlisted"]
    body = db.session.scalar(select(Notification.body).where(Notification.user_id == third.id))
    assert "2" in body


def test_cancelling_a_seat_promotes_the_first_waiting_and_closes_up(make):
    edition = make.edition(capacity=1)
    a, b, c = make.learner(), make.learner(), make.learner()
    seat = enrol(edition, a)
    enrol(edition, b)
    enrol(edition, c)
    cancel_enrolment(enrolment_id=seat.id, actor=a)
    assert statuses(edition.id) == {b.id: ("enrolled", None), c.id: ("waitlisted", 1)}
    assert counts(edition.id) == (1, 1, 1)
    assert notification_kinds(b.id) == ["waitlisted", "promoted"]
    promoted = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == b.id))
    assert promoted.promoted_at is not None


def test_cancelling_a_waiting_place_closes_up_behind_it(make):
    edition = make.edition(capacity=1)
    a, b, c, d = (make.learner() for _ in range(4))
    for learner in (a, b, c, d):
        enrol(edition, learner)
    waiting_b = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == b.id))
    cancel_enrolment(enrolment_id=waiting_b.id, actor=b)
    assert statuses(edition.id) == {
        a.id: ("enrolled", None), c.id: ("waitlisted", 1), d.id: ("waitlisted", 2)
    }
    assert counts(edition.id) == (1, 1, 2)


def test_coordinator_cancels_for_a_learner_even_after_the_start(make):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    edition = make.edition(make.course(organiser), capacity=3)
    learner = make.learner()
    enrolment = enrol(edition, learner)
    db.session.execute(
        Edition.__table__.update().where(Edition.id == edition.id).values(
            starts_on=timeutil.today() - timedelta(days=1), ends_on=timeutil.today())
    )
    db.session.commit()
    with pytest.raises(Conflict):
        cancel_enrolment(enrolment_id=enrolment.id, actor=learner)
    cancelled = cancel_enrolment(enrolment_id=enrolment.id, actor=coordinator)
    assert cancelled.status == EnrolmentStatus.CANCELLED
    assert cancelled.cancelled_by_id == coordinator.id
    assert counts(edition.id) == (3, 0, 0)


def test_cancelling_someone_elses_enrolment_is_refused(make):
    edition = make.edition()
    owner, other = make.learner(), make.learner()
    enrolment = enrol(edition, owner)
    with pytest.raises(NotAllowed):
        cancel_enrolment(enrolment_id=enrolment.id, actor=other)
    assert statuses(edition.id) == {owner.id: ("enrolled", None)}


def test_cancelling_twice_is_refused(make):
    edition = make.edition()
    learner = make.learner()
    enrolment = enrol(edition, learner)
    cancel_enrolment(enrolment_id=enrolment.id, actor=learner)
    with pytest.raises(Conflict):
        cancel_enrolment(enrolment_id=enrolment.id, actor=learner)
    assert counts(edition.id) == (20, 0, 0)


def test_enrolling_again_after_cancelling_is_allowed(make):
    edition = make.edition()
    learner = make.learner()
    cancel_enrolment(enrolment_id=enrol(edition, learner).id, actor=learner)
    assert enrol(edition, learner).status == EnrolmentStatus.ENROLLED


def test_raising_capacity_promotes_and_lowering_below_enrolled_is_refused(make):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    edition = make.edition(make.course(organiser), capacity=1)
    learners = [make.learner() for _ in range(4)]
    for learner in learners:
        enrol(edition, learner)
    change_capacity(edition_id=edition.id, capacity=3, actor=coordinator)
    assert counts(edition.id) == (3, 3, 1)
    assert statuses(edition.id)[learners[3].id] == ("waitlisted", 1)
    assert notification_kinds(learners[2].id) == ["waitlisted", "promoted"]
    with pytest.raises(Invalid, match="at least 3 seats"):
        change_capacity(edition_id=edition.id, capacity=2, actor=coordinator)
    assert counts(edition.id) == (3, 3, 1)


@pytest.mark.parametrize("capacity", ["-1", "twenty", "", "2.5", None])
def test_bad_capacity_is_refused(make, capacity):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    edition = make.edition(make.course(organiser), capacity=5)
    with pytest.raises(Invalid):
        change_capacity(edition_id=edition.id, capacity=capacity, actor=coordinator)
    assert counts(edition.id) == (5, 0, 0)


def test_only_coordinators_of_the_organiser_change_capacity(make):
    edition = make.edition(capacity=5)
    other_coordinator = make.coordinator(make.organiser())
    with pytest.raises(NotAllowed):
        change_capacity(edition_id=edition.id, capacity=8, actor=other_coordinator)
    assert counts(edition.id) == (5, 0, 0)


def test_enrolling_twice_is_a_conflict(make):
    edition = make.edition()
    learner = make.learner()
    enrol(edition, learner)
    with pytest.raises(Conflict, match="already enrolled"):
        enrol(edition, learner)
    assert counts(edition.id) == (20, 1, 0)


@pytest.mark.parametrize(
    ("edition_fields", "message"),
    [
        ({"enrolment_closes_at": timeutil.now() - timedelta(hours=1)}, "closed"),
        ({"enrolment_opens_at": timeutil.now() + timedelta(days=2)}, "opens on"),
        ({"starts_on": timeutil.today() - timedelta(days=3)}, "already started"),
    ],
)
def test_closed_or_past_editions_refuse(make, edition_fields, message):
    edition = make.edition(**edition_fields)
    learner = make.learner()
    with pytest.raises(Conflict, match=message):
        enrol(edition, learner)
    assert counts(edition.id) == (20, 0, 0)
    assert notification_kinds(learner.id) == []


def test_first_session_start_closes_enrolment(make):
    edition = make.edition(starts_on=timeutil.today())
    make.session(edition, starts_at=timeutil.now() - timedelta(minutes=5))
    with pytest.raises(Conflict, match="already started"):
        enrol(edition, make.learner())


def test_course_of_the_other_track_only_is_refused(make):
    professionals_only = make.course(open_to_caregivers=False, open_to_professionals=True)
    edition = make.edition(professionals_only)
    with pytest.raises(NotAllowed, match="only for care professionals"):
        enrol(edition, make.learner(kind=Kind.CAREGIVER))
    caregivers_only = make.edition(make.course())
    with pytest.raises(NotAllowed, match="only for caregivers"):
        enrol(caregivers_only, make.learner(kind=Kind.PROFESSIONAL))
    both = make.edition(make.course(open_to_professionals=True))
    assert enrol(both, make.learner(kind=Kind.PROFESSIONAL)).status == EnrolmentStatus.ENROLLED
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_unpublished_course_is_refused(make):
    edition = make.edition(make.course(published=False))
    with pytest.raises(NotFound, match="not published"):
        enrol(edition, make.learner())
    assert counts(edition.id) == (20, 0, 0)


def test_coordinator_and_trainer_enrol_on_behalf(make):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    trainer = make.trainer(organiser)
    edition = make.edition(make.course(organiser))
    add_trainer(edition, trainer)
    managed = make.learner(email=None, password=None, managed_by_organiser_id=organiser.id)
    learner = make.learner()
    by_coordinator = enrol(edition, managed, actor=coordinator)
    # Someone the organiser never dealt with is named by their email address, not by id.
    by_trainer = enrol_learner(edition_id=edition.id, email=learner.email, actor=trainer)
    assert by_coordinator.enrolled_by_id == coordinator.id
    assert by_trainer.enrolled_by_id == trainer.id
    phone = db.session.scalar(select(Notification).where(Notification.user_id == managed.id))
    assert phone.status.value == "to_phone"
    assert f"{coordinator.name} of {organiser.name} enrolled you" in phone.body


def test_others_cannot_enrol_on_behalf(make):
    organiser = make.organiser()
    edition = make.edition(make.course(organiser))
    stranger = make.learner()
    other_trainer = make.trainer(organiser)  # a trainer of the organiser, not of this edition
    foreign_managed = make.learner(email=None, password=None,
                                   managed_by_organiser_id=make.organiser().id)
    with pytest.raises(NotAllowed):
        enrol(edition, make.learner(), actor=stranger)
    with pytest.raises(NotAllowed):
        enrol(edition, make.learner(), actor=other_trainer)
    # Another organiser's managed account is out of reach: refused as an id of nobody.
    with pytest.raises(NotFound, match="This learner does not exist"):
        enrol(edition, foreign_managed, actor=make.coordinator(organiser))
    assert counts(edition.id) == (20, 0, 0)


def test_staff_without_a_learner_account_cannot_enrol_themselves(make):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    edition = make.edition(make.course(organiser))
    with pytest.raises(NotAllowed, match="Only learners"):
        enrol(edition, coordinator)
    assert counts(edition.id) == (20, 0, 0)


def test_closed_reason_uses_sessions_already_loaded(make):
    from sqlalchemy.orm import selectinload

    from college.enrolment.services import enrolment_closed_reason

    edition = make.edition(starts_on=timeutil.today())
    make.session(edition, starts_at=timeutil.now() - timedelta(minutes=1))
    db.session.expire_all()
    loaded = db.session.scalar(
        select(Edition).where(Edition.id == edition.id).options(selectinload(Edition.sessions))
    )
    assert "already started" in enrolment_closed_reason(loaded)
