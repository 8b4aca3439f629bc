"""A finished edition whose learners attended, for the evaluation tests."""

from __future__ import annotations

from datetime import timedelta

from college import timeutil
from college.accounts.models import Kind
from college.attendance.models import Attendance, AttendanceSource, AttendanceStatus
from college.catalogue.models import Edition
from college.enrolment.models import Enrolment
from college.evaluation.services import invite_after_last_session
from college.extensions import db


def finished_edition(make, course, learners: int, *, absent: int = 0, days_ago: int = 2,
                     kind: Kind = Kind.CAREGIVER, trainers=(), **learner_fields) -> tuple[Edition, list[Enrolment]]:
    """An edition whose one session ended `days_ago` days ago; `learners` attended, `absent` not."""
    starts = timeutil.now() - timedelta(days=days_ago, hours=3)
    edition = make.edition(course, starts_on=timeutil.local(starts).date(), trainers=list(trainers))
    session = make.session(edition, starts_at=starts)
    enrolments = []
    for number in range(learners + absent):
        learner = make.learner(kind=kind, **learner_fields)
        enrolment = make.enrolment(learner, edition)
        db.session.add(Attendance(
            session_id=session.id, learner_id=learner.id, source=AttendanceSource.ROSTER,
            status=AttendanceStatus.PRESENT if number < learners else AttendanceStatus.ABSENT))
        enrolments.append(enrolment)
    db.session.commit()
    return edition, enrolments


def invite() -> int:
    """Run the invitation as the periodic job does, committed."""
    invited = invite_after_last_session()
    db.session.commit()
    return invited
