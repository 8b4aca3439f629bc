"""Work on all certificates of an edition at once: regenerate them, or bundle them in a ZIP.

Each runs as one background job that reports its progress in `job.meta`; the job id is kept in
Redis under the edition, so the coordinators' page can show how far it is.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import redis
from flask_babel import gettext as _
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from college import jobs
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.storage import file_storage
from college.errors import Conflict
from college.extensions import db

KINDS = {
    "regenerate": "college.certificates.tasks.regenerate_edition",
    "zip": "college.certificates.tasks.build_edition_zip",
}


@dataclass(frozen=True)
class Progress:
    """Where an edition-wide job stands: its RQ status and how many certificates it has done."""

    status: str
    done: int
    total: int

    @property
    def running(self) -> bool:
        """Still waiting or working."""
        return self.status in {"queued", "scheduled", "started", "deferred"}


def zip_key(edition_id: int) -> str:
    """Where an edition's ZIP of certificates is stored."""
    return f"certificates/editions/{edition_id}/certificates.zip"


def _job_key(kind: str, edition_id: int) -> str:
    return f"college:certificates:edition:{edition_id}:{kind}"


def progress(kind: str, edition_id: int) -> Progress | None:
    """How far the edition's last job of this kind is; None when none ran (or Redis is away)."""
    try:
        connection = jobs.redis_connection()
        job_id = connection.get(_job_key(kind, edition_id))
        if job_id is None:
            return None
        job = Job.fetch(job_id.decode(), connection=connection)
        status = job.get_status()
    except (redis.exceptions.RedisError, NoSuchJobError):
        return None
    return Progress(
        status=status.value if isinstance(status, JobStatus) else str(status),
        done=int(job.meta.get("done", 0)),
        total=int(job.meta.get("total", 0)),
    )


def start(kind: str, edition_id: int) -> None:
    """Queue the edition's job of this kind, unless one is still running."""
    current = progress(kind, edition_id)
    if current is not None and current.running:
        raise Conflict(_("This is already in progress."))
    total = len(issued_ids(edition_id))
    job = jobs.enqueue(
        "certificates",
        KINDS[kind],
        edition_id,
        job_timeout=120 + 30 * total,
        meta={"done": 0, "total": total},
        result_ttl=24 * 3600,
    )
    if job is None:
        raise Conflict(_("The background queue cannot be reached right now. Try again in a minute."))
    jobs.redis_connection().set(_job_key(kind, edition_id), job.id, ex=7 * 24 * 3600)


def issued_ids(edition_id: int) -> list[int]:
    """The ids of the edition's issued certificates, in order."""
    return list(
        db.session.scalars(
            select(Certificate.id)
            .where(Certificate.edition_id == edition_id, Certificate.status == CertificateStatus.ISSUED)
            .order_by(Certificate.id)
        )
    )


def report_progress(done: int, total: int) -> None:
    """Tell the job's watchers (the coordinator's progress bar) how far it is."""
    job = get_current_job()
    if job is not None:
        job.meta.update(done=done, total=total)
        job.save_meta()


def _filename(certificate: Certificate) -> str:
    name = re.sub(r"[^\w.-]+", "-", certificate.learner.name, flags=re.UNICODE).strip("-")
    return f"{name or 'learner'}-{certificate.verification_code}.pdf"


def build_zip(edition_id: int) -> str:
    """Bundle the edition's issued certificates in one ZIP in the file storage; returns its key."""
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.edition_id == edition_id, Certificate.status == CertificateStatus.ISSUED)
        .options(selectinload(Certificate.learner))
        .order_by(Certificate.id)
    ).all()
    storage = file_storage()
    buffer = io.BytesIO()
    report_progress(0, len(certificates))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, certificate in enumerate(certificates, start=1):
            content = storage.get(certificate.storage_key)
            if content is not None:
                archive.writestr(_filename(certificate), content)
            report_progress(done, len(certificates))
    key = zip_key(edition_id)
    storage.put(key, buffer.getvalue(), "application/zip")
    return key
