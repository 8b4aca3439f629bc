"""Recording attendance: the roster a trainer saves (page or API) and a learner's check-in."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from college import policy, timeutil
from college.accounts.models import User
from college.attendance import codes
from college.attendance.models import (
    Attendance,
    AttendanceChange,
    AttendanceSource,
    AttendanceStatus,
)
from college.attendance.queries import get_session, may_teach, seated_learner_ids
from college.errors import Conflict, Invalid, NotAllowed
from college.extensions import db
from college.signals import attendance_changed


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


def _named(learner_ids: list[int], organiser_id: int) -> list[str]:
    """Learners as a refusal may show them: by name when the organiser knows them, else by the
    number sent, exactly as for a number that belongs to nobody."""
    known = policy.learners_known_to(organiser_id, learner_ids)
    names = dict(db.session.execute(
        select(User.id, User.name).where(User.id.in_(known), User.anonymised_at.is_(None))
    ).all()) if known else {}
    return [names.get(learner_id, str(learner_id)) for learner_id in learner_ids]


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

    opens = codes.opens_at(session)
    if timeutil.now() < opens:
        raise Conflict(
            _("Attendance for this session can be recorded from %(time)s, 30 minutes before it "
              "starts. Nothing was saved.", time=format_datetime(opens)),
            field="status",
        )
    seated = seated_learner_ids(edition.id)
    strangers = sorted(set(parsed) - seated)
    if strangers:
        raise Invalid(
            _("Not enrolled in this edition, so not marked: %(names)s. Nothing was saved.",
              names=", ".join(_named(strangers, edition.course.organiser_id))),
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
