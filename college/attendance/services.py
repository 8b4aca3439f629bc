"""What changes attendance: the roster, self check-in; and the queries its pages need."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import redis
from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from college import jobs, timeutil
from college.accounts.models import Role, User
from college.accounts.services import create_walk_in_account, normalise_email
from college.attendance import checkin
from college.attendance.models import (
    Attendance,
    AttendanceChange,
    AttendanceSource,
    AttendanceStatus,
)
from college.catalogue.models import Course, Edition, TrainingSession, edition_trainer
from college.completion.rules import CompletionCheck, completion_checks
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.enrolment.services import enrol_learner
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.policy import can_teach_edition
from college.signals import attendance_changed

log = logging.getLogger(__name__)

#: Wrong codes a learner may type in a quarter of an hour before check-in refuses them.
MAX_WRONG_CODES = 10
WRONG_CODE_PERIOD_SECONDS = 15 * 60


def get_session(session_id: int) -> TrainingSession:
    """The session with its edition and course loaded; NotFound when unknown."""
    session = db.session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .options(
            selectinload(TrainingSession.edition).selectinload(Edition.course),
            selectinload(TrainingSession.edition).selectinload(Edition.trainers),
        )
    )
    if session is None:
        raise NotFound(_("This session does not exist."))
    return session


def get_edition(edition_id: int) -> Edition:
    """The edition with its course, trainers and sessions loaded; NotFound when unknown."""
    edition = db.session.scalar(
        select(Edition)
        .where(Edition.id == edition_id)
        .options(
            selectinload(Edition.course),
            selectinload(Edition.trainers),
            selectinload(Edition.sessions),
        )
    )
    if edition is None:
        raise NotFound(_("This course edition does not exist."))
    return edition


def may_teach(user: User, edition: Edition) -> bool:
    """May the user run this edition's rosters (its trainers, the organiser's coordinators)?"""
    return can_teach_edition(user, edition.id, edition.course.organiser_id)


def _parse_status(value: AttendanceStatus | str) -> AttendanceStatus:
    if isinstance(value, AttendanceStatus):
        return value
    try:
        return AttendanceStatus(str(value).strip().lower())
    except ValueError as error:
        raise Invalid(
            _("Unknown attendance status: %(status)s. Choose present, late, excused or absent.",
              status=value),
            field="status",
        ) from error


def _parse_records(
    records: Mapping[int | str, AttendanceStatus | str],
) -> dict[int, AttendanceStatus]:
    parsed = {}
    for learner_id, status in records.items():
        try:
            key = int(learner_id)
        except (TypeError, ValueError) as error:
            raise Invalid(_("Unknown learner: %(id)s.", id=learner_id), field="status") from error
        parsed[key] = _parse_status(status)
    if not parsed:
        raise Invalid(_("Nothing to save: choose a status for at least one learner."),
                      field="status")
    return parsed


def seated_learner_ids(edition_id: int) -> set[int]:
    """Learners holding a seat in the edition (enrolled or completed)."""
    return set(
        db.session.scalars(
            select(Enrolment.learner_id).where(
                Enrolment.edition_id == edition_id, Enrolment.status.in_(SEATED_STATUSES)
            )
        )
    )


def seated_learners(edition_id: int) -> list[User]:
    """The learners holding a seat in the edition, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Enrolment, Enrolment.learner_id == User.id)
            .where(Enrolment.edition_id == edition_id, Enrolment.status.in_(SEATED_STATUSES))
            .order_by(User.name, User.id)
        )
    )


def record_attendance(
    *,
    session_id: int,
    records: Mapping[int | str, AttendanceStatus | str],
    actor: User,
    source: AttendanceSource = AttendanceSource.ROSTER,
) -> list[int]:
    """Record the statuses of learners in a session; return the ids of learners that changed.

    Every change writes an AttendanceChange. Only the edition's trainers and the organiser's
    coordinators may record; with source CHECKIN a learner records only themselves, present.
    All or nothing: one learner who is not enrolled refuses the whole request.
    """
    session = get_session(session_id)
    edition = session.edition
    parsed = _parse_records(records)
    if source == AttendanceSource.CHECKIN:
        if set(parsed) != {actor.id} or parsed[actor.id] != AttendanceStatus.PRESENT:
            raise NotAllowed(_("At check-in a learner can only mark themselves present."))
    elif not may_teach(actor, edition):
        raise NotAllowed(_("Only the trainers of this edition and its coordinators can record "
                           "attendance."))

    opens = checkin.opens_at(session)
    if timeutil.now() < opens:
        raise Conflict(
            _("Attendance for this session can be recorded from %(time)s, 30 minutes before it "
              "starts. Nothing was saved.", time=format_datetime(opens)),
            field="status",
        )
    seated = seated_learner_ids(edition.id)
    strangers = sorted(set(parsed) - seated)
    if strangers:
        names = db.session.scalars(select(User.name).where(User.id.in_(strangers))).all()
        raise Invalid(
            _("Not enrolled in this edition, so not marked: %(names)s. Nothing was saved.",
              names=", ".join(names) or ", ".join(map(str, strangers))),
            field="status",
        )

    existing = {
        row.learner_id: row
        for row in db.session.scalars(
            select(Attendance).where(
                Attendance.session_id == session.id, Attendance.learner_id.in_(parsed)
            )
        )
    }
    moment = timeutil.now()
    changed = []
    try:
        # A savepoint: another device saving the same learner at the same moment meets the
        # unique index, and this request is refused as a whole.
        with db.session.begin_nested():
            for learner_id, status in sorted(parsed.items()):
                row = existing.get(learner_id)
                if row is not None and row.status == status:
                    continue
                db.session.add(
                    AttendanceChange(
                        session_id=session.id,
                        learner_id=learner_id,
                        old_status=row.status if row else None,
                        new_status=status,
                        changed_by_id=actor.id,
                        changed_at=moment,
                    )
                )
                if row is None:
                    row = Attendance(session_id=session.id, learner_id=learner_id)
                    db.session.add(row)
                row.status = status
                row.source = source
                row.recorded_by_id = actor.id
                row.recorded_at = moment
                changed.append(learner_id)
    except IntegrityError as error:
        raise Conflict(
            _("Someone else saved this roster at the same moment. Reload the page and try again.")
        ) from error
    if changed:
        attendance_changed.send(
            current_app._get_current_object(), edition_id=edition.id, learner_ids=changed
        )
    return changed


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
                TrainingSession.starts_at <= moment + checkin.OPENS_BEFORE,
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
    code = checkin.normalise_code(code)
    if _wrong_codes(learner.id) >= MAX_WRONG_CODES:
        raise Conflict(_("Too many wrong codes. Ask the trainer to mark you present."),
                       field="code")
    if len(code) != checkin.CODE_LENGTH:
        raise Invalid(_("Type the %(n)d digits the trainer shows.", n=checkin.CODE_LENGTH),
                      field="code")
    if session_id is not None:
        session = get_session(session_id)
        _ensure_may_check_in(session, learner, moment)
        if not checkin.code_matches(session, code, moment):
            _count_wrong_code(learner.id)
            raise Invalid(_("This code is wrong or has expired. Type the code the trainer shows "
                            "now."), field="code")
    else:
        matching = [s for s in _open_sessions(moment) if checkin.code_matches(s, code, moment)]
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
    if moment < checkin.opens_at(session):
        raise Conflict(
            _("Check-in for this session opens at %(time)s.",
              time=format_datetime(checkin.opens_at(session))),
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
    if moment < checkin.opens_at(session):
        raise Conflict(_("Check-in opens at %(time)s, 30 minutes before the session starts.",
                         time=format_datetime(checkin.opens_at(session))))
    if moment > session.ends_at:
        raise Conflict(_("This session has ended, so check-in is closed."))
    checkin.ensure_secret(session)
    code = checkin.current_code(session, moment)
    return CheckinDisplay(code=code, url=url_for_code(session.id, code))


@dataclass(frozen=True)
class RosterLine:
    """A learner on a session's roster, with their status and their progress."""

    learner: User
    attendance: Attendance | None
    progress: CompletionCheck | None

    @property
    def status(self) -> AttendanceStatus | None:
        return self.attendance.status if self.attendance else None


def roster(session: TrainingSession) -> list[RosterLine]:
    """Every seated learner of the session's edition, by name, with status and progress."""
    learners = seated_learners(session.edition_id)
    marks = {
        row.learner_id: row
        for row in db.session.scalars(
            select(Attendance)
            .where(Attendance.session_id == session.id)
            .options(selectinload(Attendance.recorded_by))
        )
    }
    progress = completion_checks(session.edition_id)
    return [RosterLine(user, marks.get(user.id), progress.get(user.id)) for user in learners]


def edition_progress(edition: Edition) -> list[tuple[User, CompletionCheck]]:
    """Every seated learner of an edition, by name, with what the rule says about them."""
    learners = seated_learners(edition.id)
    progress = completion_checks(edition.id)
    return [(user, progress[user.id]) for user in learners if user.id in progress]


def edition_statuses(edition: Edition) -> dict[tuple[int, int], AttendanceStatus]:
    """Every recorded status of the edition, by (session id, learner id), in one query."""
    return {
        (session_id, learner_id): status
        for session_id, learner_id, status in db.session.execute(
            select(Attendance.session_id, Attendance.learner_id, Attendance.status)
            .join(TrainingSession, TrainingSession.id == Attendance.session_id)
            .where(TrainingSession.edition_id == edition.id)
        )
    }


def history(session_id: int) -> list[tuple[AttendanceChange, str, str | None]]:
    """Every change of the session's attendance, newest first: (change, learner, changed by)."""
    learner = aliased(User)
    changer = aliased(User)
    return [
        (change, learner_name, changer_name)
        for change, learner_name, changer_name in db.session.execute(
            select(AttendanceChange, learner.name, changer.name)
            .join(learner, learner.id == AttendanceChange.learner_id)
            .outerjoin(changer, changer.id == AttendanceChange.changed_by_id)
            .where(AttendanceChange.session_id == session_id)
            .order_by(AttendanceChange.changed_at.desc(), AttendanceChange.id.desc())
        )
    ]


@dataclass(frozen=True)
class EditionAttendance:
    """A learner's own attendance in one edition."""

    edition: Edition
    sessions: list[tuple[TrainingSession, AttendanceStatus | None]]
    progress: CompletionCheck | None


def learner_attendance(learner_id: int) -> list[EditionAttendance]:
    """The learner's attendance per edition they hold a seat in, most recent edition first."""
    editions = db.session.scalars(
        select(Edition)
        .join(Enrolment, Enrolment.edition_id == Edition.id)
        .where(Enrolment.learner_id == learner_id, Enrolment.status.in_(SEATED_STATUSES))
        .options(selectinload(Edition.course), selectinload(Edition.sessions))
        .order_by(Edition.starts_on.desc(), Edition.id)
    ).all()
    statuses = dict(
        db.session.execute(
            select(Attendance.session_id, Attendance.status)
            .join(TrainingSession, TrainingSession.id == Attendance.session_id)
            .where(
                Attendance.learner_id == learner_id,
                TrainingSession.edition_id.in_([e.id for e in editions]),
            )
        ).all()
    )
    return [
        EditionAttendance(
            edition=edition,
            sessions=[(s, statuses.get(s.id)) for s in edition.sessions],
            progress=completion_checks(edition.id, [learner_id]).get(learner_id),
        )
        for edition in editions
    ]


def teaching_editions(user: User) -> list[Edition]:
    """Editions whose rosters the user runs: those they teach, and their organisers' ones."""

    coordinated = user.organiser_ids(Role.COORDINATOR)
    condition = Edition.id.in_(
        select(edition_trainer.c.edition_id).where(edition_trainer.c.user_id == user.id)
    )
    if coordinated:
        condition = condition | Course.organiser_id.in_(coordinated)
    return list(
        db.session.scalars(
            select(Edition)
            .join(Course, Course.id == Edition.course_id)
            .where(condition, Edition.ends_on >= timeutil.today().replace(day=1))
            .options(selectinload(Edition.course), selectinload(Edition.sessions))
            .order_by(Edition.starts_on, Edition.id)
        )
    )


def ensure_may_teach(user: User, edition: Edition) -> None:
    """NotAllowed unless the user runs this edition's rosters."""
    if not may_teach(user, edition):
        raise NotAllowed(_("Only the trainers of this edition and its coordinators can see this."))



def admit_walk_in(
    *, session_id: int, actor: User, email: str | None = None, name: str | None = None,
    kind: str | None = None,
) -> User:
    """Enrol someone who walked into a session (a seat must be free) and mark them present.

    With an email, the existing learner of that address; without, a new account without email
    for the organiser, so the coordinator can follow up.
    """

    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise NotFound(_("This session does not exist."))
    edition = db.session.get(Edition, session.edition_id)
    organiser_id = db.session.scalar(select(Course.organiser_id).where(Course.id == edition.course_id))
    if not can_teach_edition(actor, edition.id, organiser_id):
        raise NotAllowed(_("Only this edition's trainers and the organiser's coordinators can do this."))
    address = normalise_email(email)
    if address:
        learner = User.by_email(address)
        if learner is None or not learner.is_learner:
            raise NotFound(_("No learner with this email address was found. Leave the address "
                             "empty and enter a name to make an account without email."),
                           field="email")
    else:
        learner = create_walk_in_account(actor=actor, organiser_id=organiser_id, name=name or "",
                                         kind=kind)
    enrol_learner(edition_id=edition.id, learner_id=learner.id, actor=actor, walk_in=True)
    record_attendance(session_id=session.id, records={learner.id: AttendanceStatus.PRESENT},
                      actor=actor, source=AttendanceSource.ROSTER)
    return learner
