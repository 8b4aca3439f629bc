"""RQ jobs of the certificates queue; they take ids, never ORM objects, and own their commits."""

from __future__ import annotations

import traceback

import redis
from rq import get_current_job

from college import jobs
from college.certificates import editions, services
from college.extensions import db
from college.transactions import committed, unit_of_work


def render_certificate(certificate_id: int) -> bool:
    """Render and store one certificate; a no-op when it is not (or no longer) queued.

    Two units of work: the attempt is counted and committed first, so a worker killed
    mid-render still counts it; then the PDF and the issued status are committed together.
    """
    with unit_of_work():
        claimed = services.claim_render(certificate_id)
    if not claimed:
        return False
    try:
        issued = services.issue_certificate(certificate_id)
    except Exception as error:
        db.session.rollback()
        job = get_current_job()
        last_try = job is None or not job.retries_left
        with unit_of_work():
            services.record_render_failure(
                certificate_id,
                f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}",
                final=last_try,
            )
        raise
    if issued:
        db.session.commit()
    else:  # another worker stored it first: its file stands, ours goes
        db.session.rollback()
    return issued


def regenerate_edition(edition_id: int) -> int:
    """Render all issued certificates of an edition again, one commit each, reporting progress."""
    ids = editions.issued_ids(edition_id)
    editions.report_progress(0, len(ids))
    redone = 0
    for done, certificate_id in enumerate(ids, start=1):
        if services.rerender_certificate(certificate_id):
            db.session.commit()
            redone += 1
        else:
            db.session.rollback()
        editions.report_progress(done, len(ids))
    return redone


@committed
def build_edition_zip(edition_id: int) -> str:
    """Build the ZIP of an edition's certificates in the file storage."""
    return editions.build_zip(edition_id)


def requeue_certificates() -> dict[str, int]:
    """The periodic safety net: queue certificates that have no live job.

    A Redis lock keeps two runs (several workers, the command) from queueing the same
    certificate twice; the jobs are queued when the run commits, before the lock ends.
    """
    connection = jobs.redis_connection()
    lock = connection.lock("college:certificates:requeue", timeout=300, blocking=False)
    if not lock.acquire():
        return {"requeued": 0, "failed": 0, "busy": 1}
    try:
        with unit_of_work():
            return services.requeue_waiting(connection)
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            pass
