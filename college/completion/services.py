"""The completion engine: brings enrolments in line with the rule whenever an input changes.

Idempotent: it only writes and signals on a real transition. It never commits; the request,
job or command that changed an input carries the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, select

from college import timeutil
from college.catalogue.models import Edition, TrainingSession
from college.completion.rules import completion_checks
from college.enrolment.models import SEATED_STATUSES, Enrolment, EnrolmentStatus
from college.extensions import db
from college.signals import enrolment_completed, enrolment_reopened


def refresh_completion(edition_id: int, learner_ids: Iterable[int] | None = None,
                       moment: datetime | None = None) -> list[int]:
    """Bring the enrolments' status in line with the rule; return the ids that changed.

    Sends `enrolment_completed` or `enrolment_reopened` for each transition. Never commits:
    the caller's transaction carries the change.
    """
    moment = moment or timeutil.now()
    checks = completion_checks(edition_id, learner_ids, moment)
    to_complete = [
        c.enrolment_id for c in checks.values()
        if c.complete and c.status == EnrolmentStatus.ENROLLED
    ]
    to_reopen = [
        c.enrolment_id for c in checks.values()
        if not c.complete and c.status == EnrolmentStatus.COMPLETED
    ]
    if not to_complete and not to_reopen:
        return []
    app = current_app._get_current_object()
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.id.in_(to_complete + to_reopen)).with_for_update()
        # The rows as they are now, also when this session holds them from before a bulk
        # UPDATE (a promotion from the waiting list).
        .execution_options(populate_existing=True)
    ).all()
    changed = []
    for enrolment in enrolments:
        # Re-read under the row lock: a concurrent run may already have moved it.
        if enrolment.id in to_complete and enrolment.status == EnrolmentStatus.ENROLLED:
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.completed_at = moment
            db.session.flush()
            enrolment_completed.send(app, enrolment_id=enrolment.id)
            changed.append(enrolment.id)
        elif enrolment.id in to_reopen and enrolment.status == EnrolmentStatus.COMPLETED:
            enrolment.status = EnrolmentStatus.ENROLLED
            enrolment.completed_at = None
            db.session.flush()
            enrolment_reopened.send(app, enrolment_id=enrolment.id)
            changed.append(enrolment.id)
    return changed


def refresh_course(course_id: int, learner_id: int | None = None) -> list[int]:
    """Run the engine for every edition of a course (for one learner, when given)."""
    query = select(Edition.id).where(Edition.course_id == course_id)
    if learner_id is not None:
        query = query.join(Enrolment, Enrolment.edition_id == Edition.id).where(
            Enrolment.learner_id == learner_id, Enrolment.status.in_(SEATED_STATUSES)
        )
    changed = []
    for edition_id in db.session.scalars(query.distinct()).all():
        changed += refresh_completion(
            edition_id, None if learner_id is None else [learner_id]
        )
    return changed


#: How far back the periodic run looks for editions whose last session ended.
FINISHED_LOOKBACK = timedelta(days=14)


def complete_finished_editions(moment: datetime | None = None,
                               lookback: timedelta = FINISHED_LOOKBACK) -> list[int]:
    """Complete the enrolments that waited for their edition's last session to end.

    The periodic worker job runs this every few minutes; it looks at editions whose last
    session ended in the lookback window and that still have enrolments waiting, so a worker
    that was away for a while catches up (`flask college complete-finished --days N` for more).
    """
    moment = moment or timeutil.now()
    last_end = (
        select(TrainingSession.edition_id, func.max(TrainingSession.ends_at).label("ends_at"))
        .group_by(TrainingSession.edition_id)
        .subquery()
    )
    edition_ids = db.session.scalars(
        select(last_end.c.edition_id)
        .where(
            last_end.c.ends_at <= moment,
            last_end.c.ends_at > moment - lookback,
            exists().where(Enrolment.edition_id == last_end.c.edition_id,
                           Enrolment.status == EnrolmentStatus.ENROLLED),
        )
        .order_by(last_end.c.edition_id)
    ).all()
    changed = []
    for edition_id in edition_ids:
        changed += refresh_completion(edition_id, moment=moment)
    return changed
