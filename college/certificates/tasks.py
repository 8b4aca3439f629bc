"""RQ jobs of the certificates queue; they take ids, never ORM objects."""

from __future__ import annotations

import traceback

from rq import get_current_job

from college.certificates import editions, services


def render_certificate(certificate_id: int) -> bool:
    """Render and store one certificate; a no-op when it is not (or no longer) queued."""
    try:
        return services.issue_certificate(certificate_id)
    except Exception as error:
        job = get_current_job()
        last_try = job is None or not job.retries_left
        services.record_render_failure(
            certificate_id,
            f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}",
            final=last_try,
        )
        raise


def regenerate_edition(edition_id: int) -> int:
    """Render all issued certificates of an edition again, reporting progress in job.meta."""
    return editions.regenerate_all(edition_id)


def build_edition_zip(edition_id: int) -> str:
    """Build the ZIP of an edition's certificates in the file storage."""
    return editions.build_zip(edition_id)


def requeue_certificates() -> dict[str, int]:
    """The periodic safety net: queue certificates that have no live job."""
    return services.requeue_certificates()
