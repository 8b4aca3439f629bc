"""Walk-ins: someone who came to a session without enrolling is enrolled and marked present."""

from __future__ import annotations

from flask_babel import gettext as _

from college.accounts.models import User
from college.accounts.services import create_walk_in_account, normalise_email
from college.attendance.models import AttendanceSource, AttendanceStatus
from college.attendance.recording import record_attendance
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment.services import enrol_learner
from college.errors import NotAllowed, NotFound
from college.extensions import db
from college.policy import can_teach_edition


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
    course = db.session.get(Course, edition.course_id)
    organiser_id = course.organiser_id
    if not can_teach_edition(actor, edition.id, course):
        raise NotAllowed(_("Only this edition's trainers and the organiser's coordinators can do this."))
    address = normalise_email(email)
    if address:
        # By the exact address typed in the room, as on the enrolment page; the confirmation
        # tells the person who enrolled them.
        try:
            enrolment = enrol_learner(edition_id=edition.id, email=address, actor=actor,
                                      walk_in=True)
        except NotFound as error:
            if error.field != "email":
                raise
            raise NotFound(_("No learner with this email address was found. Leave the address "
                             "empty and enter a name to make an account without email."),
                           field="email") from error
        learner = db.session.get(User, enrolment.learner_id)
    else:
        learner = create_walk_in_account(actor=actor, organiser_id=organiser_id, name=name or "",
                                         kind=kind)
        enrol_learner(edition_id=edition.id, learner_id=learner.id, actor=actor, walk_in=True)
    record_attendance(session_id=session.id, records={learner.id: AttendanceStatus.PRESENT},
                      actor=actor, source=AttendanceSource.ROSTER)
    return learner
