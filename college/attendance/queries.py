"""What attendance pages read: sessions and editions for their staff, rosters, progress, history.

Reads of learners' personal data for staff write the access log here, in the same unit of
work, so every surface (page, CSV, PDF, API) is logged the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload, lazyload, selectinload

from college import timeutil
from college.accounts.models import Role, User
from college.attendance.models import Attendance, AttendanceChange, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession, edition_trainer
from college.completion.rules import CompletionCheck, completion_checks
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.errors import NotAllowed, NotFound
from college.extensions import db
from college.policy import can_teach_edition
from college.privacy.access import record_access
from college.respite.services import learners_with_respite


def get_session(session_id: int) -> TrainingSession:
    """The session with its edition, course and trainers loaded (two queries); NotFound when unknown."""
    edition = joinedload(TrainingSession.edition, innerjoin=True)
    session = db.session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .options(
            edition.joinedload(Edition.course, innerjoin=True),
            edition.selectinload(Edition.trainers).lazyload(User.memberships),
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
            joinedload(Edition.course, innerjoin=True),
            selectinload(Edition.trainers).lazyload(User.memberships),
            selectinload(Edition.sessions),
        )
    )
    if edition is None:
        raise NotFound(_("This course edition does not exist."))
    return edition


def may_teach(user: User, edition: Edition) -> bool:
    """May the user run this edition's rosters (its trainers, the organiser's coordinators)?"""
    return can_teach_edition(user, edition.id, edition.course)


def ensure_may_teach(user: User, edition: Edition) -> None:
    """NotAllowed unless the user runs this edition's rosters."""
    if not may_teach(user, edition):
        raise NotAllowed(_("Only the trainers of this edition and its coordinators can see this."))


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
    """The learners holding a seat in the edition, by name (their memberships not loaded)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Enrolment, Enrolment.learner_id == User.id)
            .where(Enrolment.edition_id == edition_id, Enrolment.status.in_(SEATED_STATUSES))
            .options(lazyload(User.memberships))
            .order_by(User.name, User.id)
        )
    )


@dataclass(frozen=True)
class RosterLine:
    """A learner on a session's roster, with their status and their progress."""

    learner: User
    attendance: Attendance | None
    progress: CompletionCheck | None
    #: The hub arranged respite for this session: a neutral marker, no details.
    with_respite: bool = False

    @property
    def status(self) -> AttendanceStatus | None:
        return self.attendance.status if self.attendance else None


def roster(session: TrainingSession, viewer: User, context: str = "roster") -> list[RosterLine]:
    """Every seated learner of the session's edition, by name, with status and progress.

    The viewer's reading is logged (`context`: the page, or an export such as the CSV).
    """
    learners = seated_learners(session.edition_id)
    marks = {
        row.learner_id: row
        for row in db.session.scalars(select(Attendance).where(Attendance.session_id == session.id))
    }
    progress = completion_checks(session.edition_id)
    respite = learners_with_respite(session.id)
    record_access(viewer, [user.id for user in learners], context)
    return [RosterLine(user, marks.get(user.id), progress.get(user.id), user.id in respite)
            for user in learners]


def edition_progress(edition: Edition, viewer: User,
                     context: str = "roster") -> list[tuple[User, CompletionCheck]]:
    """Every seated learner of an edition, by name, with what the rule says (reading logged)."""
    learners = seated_learners(edition.id)
    progress = completion_checks(edition.id)
    record_access(viewer, [user.id for user in learners], context)
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


def history(session_id: int, viewer: User) -> list[tuple[AttendanceChange, str, str | None]]:
    """Every change of the session's attendance, newest first: (change, learner, changed by)."""
    learner = aliased(User)
    changer = aliased(User)
    changes = [
        (change, learner_name, changer_name)
        for change, learner_name, changer_name in db.session.execute(
            select(AttendanceChange, learner.name, changer.name)
            .join(learner, learner.id == AttendanceChange.learner_id)
            .outerjoin(changer, changer.id == AttendanceChange.changed_by_id)
            .where(AttendanceChange.session_id == session_id)
            .order_by(AttendanceChange.changed_at.desc(), AttendanceChange.id.desc())
        )
    ]
    record_access(viewer, {change.learner_id for change, _name, _by in changes}, "history")
    return changes


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


#: An edition stays on "My sessions" this long after its last day, so that a paper sign-in
#: sheet can still be entered from the menu.
TEACHING_GRACE = timedelta(weeks=6)


def teaching_editions(user: User) -> list[Edition]:
    """Editions whose rosters the user runs (those they teach, and their organisers' ones),
    from those that ended up to six weeks ago."""

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
            .where(condition, Edition.ends_on >= timeutil.today() - TEACHING_GRACE)
            .options(selectinload(Edition.course), selectinload(Edition.sessions))
            .order_by(Edition.starts_on, Edition.id)
        )
    )
