"""Seats never overbook: many enrolments at once, each in its own connection and app context.

On PostgreSQL the enrolments really run at the same time (threads, separate connections);
SQLite serialises writers anyway, so there the same checks run on a sequential burst.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from college.accounts.models import User
from college.catalogue.models import Edition
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.enrolment.services import enrol_learner
from college.errors import Conflict, ServiceError
from college.extensions import db
from college.transactions import unit_of_work


def _run_at_once(app, edition_id: int, learner_ids: list[int],
                 companions: frozenset[int] = frozenset()) -> list[object]:
    """Enrol each learner from its own thread, all released together; return each outcome.
    Learners in `companions` bring the person they care for (two seats)."""
    start = threading.Event()
    outcomes: list[object] = [None] * len(learner_ids)

    def worker(index: int, learner_id: int) -> None:
        start.wait()
        with app.app_context():
            try:
                actor = db.session.get(User, learner_id)
                with unit_of_work():
                    enrolment = enrol_learner(edition_id=edition_id, learner_id=learner_id,
                                              actor=actor, companion=learner_id in companions)
                    outcomes[index] = (enrolment.status, enrolment.waitlist_position)
            except Exception as error:  # recorded, and the test asserts there are none
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, learner_id))
               for i, learner_id in enumerate(learner_ids)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _run_one_by_one(app, edition_id: int, learner_ids: list[int],
                    companions: frozenset[int] = frozenset()) -> list[object]:
    outcomes: list[object] = []
    for learner_id in learner_ids:
        with app.app_context():
            try:
                actor = db.session.get(User, learner_id)
                with unit_of_work():
                    enrolment = enrol_learner(edition_id=edition_id, learner_id=learner_id,
                                              actor=actor, companion=learner_id in companions)
                    outcomes.append((enrolment.status, enrolment.waitlist_position))
            except ServiceError as error:
                outcomes.append(error)
            finally:
                db.session.remove()
    return outcomes


def test_seats_never_overbook_and_waiting_positions_have_no_gaps(app, make):
    postgres = db.engine.dialect.name == "postgresql"
    # PostgreSQL: 100 truly concurrent enrolments at 20 seats; SQLite: a sequential 30 at 6.
    seats, people = (20, 100) if postgres else (6, 30)
    edition = make.edition(capacity=seats)
    learner_ids = [make.learner().id for _ in range(people)]
    run = _run_at_once if postgres else _run_one_by_one

    outcomes = run(app, edition.id, learner_ids)

    assert [o for o in outcomes if not isinstance(o, tuple)] == []
    db.session.expire_all()
    rows = db.session.execute(
        select(Enrolment.status, Enrolment.waitlist_position).where(Enrolment.edition_id == edition.id)
    ).all()
    enrolled = [row for row in rows if row.status == EnrolmentStatus.ENROLLED]
    waiting = sorted(row.waitlist_position for row in rows if row.status == EnrolmentStatus.WAITLISTED)
    assert len(enrolled) == seats
    assert waiting == list(range(1, people - seats + 1))
    counters = db.session.execute(
        select(Edition.seats_taken, Edition.waitlist_length).where(Edition.id == edition.id)
    ).one()
    assert tuple(counters) == (seats, people - seats)


def test_the_same_learner_submitting_twice_at_once_gets_one_enrolment(app, make):
    postgres = db.engine.dialect.name == "postgresql"
    edition = make.edition(capacity=5)
    learner = make.learner()
    run = _run_at_once if postgres else _run_one_by_one

    outcomes = run(app, edition.id, [learner.id] * 8)

    successes = [o for o in outcomes if isinstance(o, tuple)]
    refusals = [o for o in outcomes if isinstance(o, Conflict)]
    assert successes == [(EnrolmentStatus.ENROLLED, None)]
    assert len(refusals) == 7
    # Each thread has its own context without a request: the refusal speaks Dutch, the default.
    assert all("al ingeschreven" in refusal.message for refusal in refusals)
    db.session.expire_all()
    assert db.session.scalar(select(Edition.seats_taken).where(Edition.id == edition.id)) == 1
    assert len(db.session.scalars(
        select(Enrolment.id).where(Enrolment.edition_id == edition.id)).all()) == 1


def test_companion_seats_never_overbook_either(app, make):
    """Half of the caregivers bring the person they care for, all at once: the seats taken are
    the seats held, never more than the capacity, and every refusal says why."""
    postgres = db.engine.dialect.name == "postgresql"
    seats, people = (21, 60) if postgres else (7, 20)
    edition = make.edition(make.course(allow_companion=True), capacity=seats)
    learner_ids = [make.learner().id for _ in range(people)]
    companions = frozenset(learner_ids[::2])
    run = _run_at_once if postgres else _run_one_by_one

    outcomes = run(app, edition.id, learner_ids, companions)

    refused = [o for o in outcomes if not isinstance(o, tuple)]
    # Outside a request the College speaks its default language, Dutch.
    assert all(isinstance(o, Conflict) and "geen plaats voor een begeleide persoon" in o.message
               for o in refused), refused
    db.session.expire_all()
    held = db.session.execute(
        select(Enrolment.seats).where(Enrolment.edition_id == edition.id,
                                      Enrolment.status == EnrolmentStatus.ENROLLED)).scalars().all()
    edition = db.session.get(Edition, edition.id)
    assert edition.seats_taken == sum(held) <= seats
    assert edition.seats_taken >= seats - 1  # filled, but for at most one seat a pair could not use
    waiting = db.session.scalars(
        select(Enrolment.waitlist_position).where(Enrolment.edition_id == edition.id,
                                                  Enrolment.status == EnrolmentStatus.WAITLISTED)
        .order_by(Enrolment.waitlist_position)).all()
    assert waiting == list(range(1, len(waiting) + 1)) and edition.waitlist_length == len(waiting)
    assert len(held) + len(waiting) + len(refused) == people
