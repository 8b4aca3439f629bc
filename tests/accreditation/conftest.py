"""Accreditation fixtures: schemes, an accredited course, completed enrolments with attendance."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from college import timeutil
from college.accounts.models import Kind
from college.accreditation.models import NumberCheck, PartialRule, Unit
from college.accreditation.services import add_accreditation, add_scheme
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import TrainingSession
from college.enrolment.models import EnrolmentStatus
from college.extensions import db


@pytest.fixture()
def schemes():
    """The physicians' RIZIV scheme (all sessions) and the nurses' scheme (pro rata, hours)."""
    riziv = add_scheme(None, "riziv", "RIZIV-accreditering artsen", "RIZIV/INAMI", Unit.POINTS,
                       PartialRule.ALL_SESSIONS, NumberCheck.RIZIV)
    nurses = add_scheme(None, "nurses", "Permanente vorming verpleegkundigen", "", Unit.HOURS,
                        PartialRule.PRO_RATA)
    db.session.commit()
    return {"riziv": riziv, "nurses": nurses}


@pytest.fixture()
def professional(make):
    return make.learner(kind=Kind.PROFESSIONAL, name="An De Vos", profession="Thuisverpleegkundige")


def accredit(course, scheme, points, number="", rubric=""):
    accreditation = add_accreditation(None, course, scheme.id, points, number=number, rubric=rubric)
    db.session.commit()
    return accreditation


def completed(make, learner, course, starts_on: date, sessions: int, attended: int,
              completed_at: datetime | None = None, status=EnrolmentStatus.COMPLETED):
    """A (completed) enrolment in a new edition of the course, present at the first sessions."""
    edition = make.edition(course, starts_on=starts_on, sessions=sessions)
    enrolment = make.enrolment(learner, edition, status=status,
                               completed_at=completed_at or timeutil.brussels(edition.ends_on,
                                                                               datetime.min.time().replace(hour=18)))
    session_ids = db.session.scalars(select(TrainingSession.id).where(
        TrainingSession.edition_id == edition.id).order_by(TrainingSession.starts_at)).all()
    for index, session_id in enumerate(session_ids):
        db.session.add(Attendance(session_id=session_id, learner_id=learner.id,
                                  status=AttendanceStatus.PRESENT if index < attended
                                  else AttendanceStatus.ABSENT))
    db.session.commit()
    return edition, enrolment
