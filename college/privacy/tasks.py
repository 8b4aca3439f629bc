"""Background jobs of the privacy feature; they take ids, never ORM objects."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from college.extensions import db
from college.jobs import enqueue
from college.privacy import services
from college.privacy.models import DataExport, ExportStatus
from college.transactions import committed

log = logging.getLogger(__name__)


@committed
def build_export(export_id: int) -> None:
    """Build a learner's data export ZIP."""
    services.build_export(export_id)
    log.info("data export %s ready", export_id)


@committed
def anonymise_inactive() -> int:
    """The scheduled retention run: anonymise learners inactive for RETENTION_YEARS."""
    years = current_app.config["RETENTION_YEARS"]
    users = services.anonymise_inactive(years, dry_run=False)
    log.info("retention: anonymised %d learners inactive for %d years", len(users), years)
    return len(users)


def requeue_exports() -> int:
    """Queue every export still waiting (Redis was down when it was asked for); returns how many.

    Runs from `flask college requeue-exports` and periodically from the worker. Building is
    idempotent: a second job for an export that is ready by then does nothing.
    """


    ids = list(db.session.scalars(
        select(DataExport.id).where(DataExport.status == ExportStatus.QUEUED).order_by(DataExport.id)
    ))
    queued = sum(enqueue("default", "college.privacy.tasks.build_export", export_id) is not None
                 for export_id in ids)
    log.info("requeued %d of %d waiting data exports", queued, len(ids))
    return queued
