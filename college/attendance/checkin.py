"""Self check-in: a learner types (or scans) the code the trainer shows, and is marked present."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import redis
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from college import jobs, timeutil
from college.accounts.models import User
from college.attendance import codes
from college.attendance.models import Attendance, AttendanceSource, AttendanceStatus
from college.attendance.queries import get_session, may_teach, seated_learner_ids
from college.attendance.recording import record_attendance
from college.catalogue.models import TrainingSession
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.errors import Conflict, Invalid, NotAllowed
from college.extensions import db

log = logging.getLogger(__name__)

#: Wrong codes a learner may type in a quarter of an hour before check-in refuses them.
MAX_WRONG_CODES = 10
WRONG_CODE_PERIOD_SECONDS = 15 * 60


def _wrong_code_key(learner_id: int) -> str:
    return f"college:checkin-wrong:{learner_id}"


def _count_wrong_code(learner_id: int) -> None:
    """Count a wrong code in Redis; the count fades a quarter of an hour after the first."""
    try:
        pipe = jobs.redis_connection().pipeline()
        pipe.set(_wrong_code_key(learner_id), 0, ex=WRONG_CODE_PERIOD_SECONDS, nx=True)
        pipe.incr(_wrong_code_key(learner_id))
        pipe.execute()
    except redis.exceptions.RedisError as error:  # guessing stays limited by the code's lifetime
        log.warning("could not count a wrong check-in code: %s", error)


def _wrong_codes(learner_id: int) -> int:
    try:
        return int(jobs.redis_connection().get(_wrong_code_key(learner_id)) or 0)
    except redis.exceptions.RedisError as error:
        log.warning("could not read the wrong check-in codes: %s", error)
        return 0


def _open_sessions(moment: datetime) -> list[TrainingSession]:
    return list(
        db.session.scalars(
            select(TrainingSession).where(
                TrainingSession.starts_at <= moment + codes.OPENS_BEFORE,
                TrainingSession.ends_at >= moment,
                TrainingSession.checkin_secret.is_not(None),
            )
        )
    )


def check_in(*, learner: User, code: str, session_id: int | None = None) -> TrainingSession:
    """Mark a learner present with the code the trainer shows; return the session.

    With a session id (the QR code's link) the code must be that session's; without one (a
    typed code) the session is the open one whose current code it is.
    """
    moment = timeutil.now()
    code = codes.normalise_code(code)
    if _wrong_codes(learner.id) >= MAX_WRONG_CODES:
        raise Conflict(_("Too many wrong codes. Ask the trainer to mark you present."),
                       field="code")
    if len(code) != codes.CODE_LENGTH:
        raise Invalid(_("Type the %(n)d digits the trainer shows.", n=codes.CODE_LENGTH),
                      field="code")
    if session_id is not None:
        session = get_session(session_id)
        _ensure_may_check_in(session, learner, moment)
        if not codes.code_matches(session, code, moment):
            _count_wrong_code(learner.id)
            raise Invalid(_("This code is wrong or has expired. Type the code the trainer shows "
                            "now."), field="code")
    else:
        matching = [s for s in _open_sessions(moment) if codes.code_matches(s, code, moment)]
        if not matching:
            _count_wrong_code(learner.id)
            raise Invalid(_("This code is wrong or has expired. Type the code the trainer shows "
                            "now."), field="code")
        seated_in = set(
            db.session.scalars(
                select(Enrolment.edition_id).where(
                    Enrolment.learner_id == learner.id, Enrolment.status.in_(SEATED_STATUSES)
                )
            )
        )
        own = [s for s in matching if s.edition_id in seated_in]
        session = get_session((own or matching)[0].id)
        _ensure_may_check_in(session, learner, moment)

    current = db.session.scalar(
        select(Attendance.status).where(
            Attendance.session_id == session.id, Attendance.learner_id == learner.id
        )
    )
    if current is not None and current.counts_as_attended:
        raise Conflict(_("You are already checked in for this session."), field="code")
    record_attendance(
        session_id=session.id,
        records={learner.id: AttendanceStatus.PRESENT},
        actor=learner,
        source=AttendanceSource.CHECKIN,
    )
    return session


def _ensure_may_check_in(session: TrainingSession, learner: User, moment: datetime) -> None:
    if learner.id not in seated_learner_ids(session.edition_id):
        raise NotAllowed(_("You are not enrolled in this course edition, so you cannot check in "
                           "for this session."), field="code")
    if moment < codes.opens_at(session):
        raise Conflict(
            _("Check-in for this session opens at %(time)s.",
              time=format_datetime(codes.opens_at(session))),
            field="code",
        )
    if moment > session.ends_at:
        raise Conflict(_("This session has ended, so check-in is closed."), field="code")


@dataclass(frozen=True)
class CheckinDisplay:
    """What the trainer's screen shows: the current code and the link inside the QR code."""

    code: str
    url: str


def checkin_display(*, session_id: int, actor: User, url_for_code) -> CheckinDisplay:
    """The code and link a trainer shows during the check-in window; Conflict outside it."""
    session = get_session(session_id)
    if not may_teach(actor, session.edition):
        raise NotAllowed(_("Only the trainers of this edition and its coordinators can show the "
                           "check-in code."))
    moment = timeutil.now()
    if moment < codes.opens_at(session):
        raise Conflict(_("Check-in opens at %(time)s, 30 minutes before the session starts.",
                         time=format_datetime(codes.opens_at(session))))
    if moment > session.ends_at:
        raise Conflict(_("This session has ended, so check-in is closed."))
    codes.ensure_secret(session)
    code = codes.current_code(session, moment)
    return CheckinDisplay(code=code, url=url_for_code(session.id, code))
