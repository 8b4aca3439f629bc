"""What "My trainings" reads: a page of a learner's enrolment cards, their next sessions and
their past trainings, in the same few queries whatever the number of enrolments.

A caregiver with many enrolments gets them a page at a time, and the next few sessions with
how many more are planned (all of them are in their calendar feed): rendering every card and
every session on every view cost a learner with 50 enrolments 25 ms of CPU (issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager

from college import timeutil
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment.models import LIVE_STATUSES, Enrolment, EnrolmentStatus
from college.extensions import db

#: Enrolment cards on one page of "My trainings".
CARDS_PER_PAGE = 10
#: Sessions in "My next sessions" (the rest: in the calendar feed).
NEXT_SESSIONS = 5


@dataclass(frozen=True)
class MyTrainings:
    """One page of a learner's "My trainings"."""

    #: This page's enrolments still to come (enrolled or waiting), soonest first.
    upcoming: list[Enrolment]
    upcoming_total: int
    page: int
    #: The next sessions of the trainings the learner is enrolled in, with their enrolment.
    next_sessions: list[tuple[TrainingSession, Enrolment]]
    #: Sessions planned after those shown.
    later_sessions: int
    #: Trainings that ended or were completed, the latest first.
    past: list[Enrolment]

    @property
    def pages(self) -> int:
        return _pages(self.upcoming_total)


def _pages(total: int) -> int:
    return max(1, -(-total // CARDS_PER_PAGE))


def _enrolments(learner_id: int) -> Select:
    """The learner's live enrolments joined to their editions, courses and organisers."""
    return (
        select(Enrolment)
        .join(Enrolment.edition)
        .join(Edition.course)
        .join(Course.organiser)
        .where(Enrolment.learner_id == learner_id, Enrolment.status.in_(LIVE_STATUSES))
        .options(contains_eager(Enrolment.edition).contains_eager(Edition.course)
                 .contains_eager(Course.organiser))
    )


def _upcoming(learner_id: int) -> Select:
    """The enrolments still to come: not completed, and their edition has not ended."""
    return _enrolments(learner_id).where(Edition.ends_on >= timeutil.today(),
                                         Enrolment.status != EnrolmentStatus.COMPLETED)


def _upcoming_page(learner_id: int, page: int) -> tuple[list[Enrolment], int]:
    """One page of the enrolments still to come and how many there are (one query)."""
    rows = db.session.execute(
        _upcoming(learner_id)
        .add_columns(func.count().over())
        .order_by(Edition.starts_on, Enrolment.id)
        .limit(CARDS_PER_PAGE)
        .offset((page - 1) * CARDS_PER_PAGE)
    ).all()
    return [enrolment for enrolment, _total in rows], (rows[0][1] if rows else 0)


def my_trainings(learner_id: int, page: int = 1) -> MyTrainings:
    """A page of "My trainings" (three queries; a page past the last shows the last page)."""
    page = max(page, 1)
    upcoming, total = _upcoming_page(learner_id, page)
    if not upcoming and page > 1:  # a page that no longer exists (a bookmark, a cancellation)
        total = db.session.scalar(select(func.count()).select_from(
            _upcoming(learner_id).subquery())) or 0
        page = _pages(total)
        upcoming, total = _upcoming_page(learner_id, page)

    today, moment = timeutil.today(), timeutil.now()
    rows = db.session.execute(
        select(TrainingSession, Enrolment, func.count().over())
        .join(Enrolment, Enrolment.edition_id == TrainingSession.edition_id)
        .join(Enrolment.edition)
        .join(Edition.course)
        .where(Enrolment.learner_id == learner_id, Enrolment.status == EnrolmentStatus.ENROLLED,
               Edition.ends_on >= today, TrainingSession.ends_at >= moment)
        .options(contains_eager(Enrolment.edition).contains_eager(Edition.course))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(NEXT_SESSIONS)
    ).all()
    planned = rows[0][2] if rows else 0

    past = list(db.session.scalars(
        _enrolments(learner_id)
        .where(or_(Edition.ends_on < today, Enrolment.status == EnrolmentStatus.COMPLETED))
        .order_by(Edition.starts_on.desc(), Enrolment.id.desc())
    ))
    return MyTrainings(
        upcoming=upcoming, upcoming_total=total, page=page,
        next_sessions=[(session, enrolment) for session, enrolment, _planned in rows],
        later_sessions=planned - len(rows), past=past,
    )

