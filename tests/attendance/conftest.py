"""A classroom to test attendance in: an edition with a trainer, sessions and enrolled learners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import Organiser, User
from college.attendance.models import Attendance, AttendanceChange
from college.catalogue.models import Course, Edition, TrainingSession, edition_trainer
from college.enrolment.models import EnrolmentStatus
from college.extensions import db


@dataclass
class Classroom:
    organiser: Organiser
    course: Course
    edition: Edition
    sessions: list[TrainingSession]
    trainer: User
    coordinator: User
    ann: User
    bart: User
    waiting: User
    stranger: User


@pytest.fixture()
def classroom(make, clock) -> Classroom:
    """Four weekly sessions, the first one tomorrow; Ann and Bart enrolled, one waitlisted.

    The clock then moves to the first session's start: its attendance can be recorded, the
    other three are still to come.
    """
    organiser = make.organiser()
    trainer = make.trainer(organiser, name="Tine Trainer")
    coordinator = make.coordinator(organiser, name="Koen Coordinator")
    course = make.course(organiser, title="Omgaan met dementie", min_attendance_pct=75)
    edition = make.edition(course, venue="Dienstencentrum De Vlinder")
    add_trainer(edition, trainer)
    start = timeutil.now().replace(second=0, microsecond=0) + timedelta(days=1)
    sessions = [
        make.session(edition, starts_at=start + timedelta(days=7 * i), room=f"Zaal {i + 1}")
        for i in range(4)
    ]
    ann = make.learner(name="Ann Aerts")
    bart = make.learner(name="Bart Bosmans")
    waiting = make.learner(name="Wim Wachtlijst")
    stranger = make.learner(name="Sara Stranger")
    make.enrolment(ann, edition)
    make.enrolment(bart, edition)
    make.enrolment(waiting, edition, status=EnrolmentStatus.WAITLISTED)
    clock.move_to(sessions[0].starts_at)
    return Classroom(organiser, course, edition, sessions, trainer, coordinator, ann, bart,
                     waiting, stranger)


def add_trainer(edition: Edition, trainer: User) -> None:
    """Make the user a trainer of the edition.

    (The shared factory's `trainers=` assigns a lazy="raise" relationship and fails.)
    """
    db.session.execute(edition_trainer.insert().values(edition_id=edition.id, user_id=trainer.id))
    db.session.commit()


def attendance_rows() -> list[tuple[int, int, str]]:
    """(session id, learner id, status) of every attendance row."""
    return sorted(
        (row.session_id, row.learner_id, row.status.value)
        for row in db.session.scalars(select(Attendance))
    )


def change_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AttendanceChange))
