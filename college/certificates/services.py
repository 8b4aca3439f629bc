"""What changes certificates: request, render and store, revoke, reissue, retry, requeue."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

import redis
from flask import current_app
from flask_babel import gettext as _
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import DeferredJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from college import jobs, policy, timeutil
from college.accounts.models import User
from college.catalogue.models import Course, Edition
from college.certificates.editions import zip_key
from college.certificates.expiry import expiry_for_edition
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.rendering import (
    load_for_rendering,
    organisers_design,
    render_certificate_pdf,
)
from college.certificates.signing import Verdict, check_signature, sign_certificate_pdf
from college.certificates.storage import file_storage
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.privacy.access import record_access

log = logging.getLogger(__name__)

#: No 0/O, 1/I/L, so a code read aloud or typed from paper cannot be mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
RENDER_TASK = "college.certificates.tasks.render_certificate"
#: Retries of one render job, with back-off; the requeue command adds more jobs up to the budget.
RENDER_RETRY_INTERVALS = [10, 60, 300]
#: Render attempts a certificate gets in all before it stays failed until a coordinator retries.
MAX_RENDER_ATTEMPTS = 8
RENDER_TIMEOUT = 180
#: Statuses a learner sees as "being prepared": a failure is the coordinators' worry.
PREPARING = (CertificateStatus.QUEUED, CertificateStatus.FAILED)


def new_verification_code() -> str:
    """An unguessable code from an alphabet without look-alike characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """The code as stored, from what a person typed (spaces, dashes, lower case)."""
    return "".join(code.split()).replace("-", "").upper()


def live_certificate(enrolment_id: int) -> Certificate | None:
    """The enrolment's certificate that is not revoked, if any."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.enrolment_id == enrolment_id,
            Certificate.status != CertificateStatus.REVOKED,
        )
    )


def _queue_render(certificate: Certificate) -> None:
    """Queue the render once the transaction commits; the job id is kept to tell live jobs apart."""
    certificate.job_id = f"certificate-{certificate.id}-{secrets.token_hex(6)}"
    jobs.enqueue_after_commit(
        "certificates",
        RENDER_TASK,
        certificate.id,
        job_id=certificate.job_id,
        job_timeout=current_app.config.get("CERTIFICATE_RENDER_TIMEOUT", RENDER_TIMEOUT),
        retry=Retry(max=len(RENDER_RETRY_INTERVALS), interval=RENDER_RETRY_INTERVALS),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def _new_certificate(enrolment: Enrolment, replaces: Certificate | None = None) -> Certificate:
    certificate = Certificate(
        enrolment_id=enrolment.id,
        learner_id=enrolment.learner_id,
        edition_id=enrolment.edition_id,
        status=CertificateStatus.QUEUED,
        verification_code=new_verification_code(),
        replaces_id=replaces.id if replaces else None,
        render_attempts=0,
        expires_on=expiry_for_edition(enrolment.edition_id),
    )
    # A savepoint: a concurrent completion that won the unique index leaves the caller's
    # transaction usable, and we answer with the certificate that won.
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        existing = live_certificate(enrolment.id)
        if existing is None:
            raise
        return existing
    _queue_render(certificate)
    return certificate


def request_certificate(enrolment_id: int) -> Certificate:
    """Add a queued certificate for a completed enrolment, unless it has a live one (no commit)."""
    existing = live_certificate(enrolment_id)
    if existing is not None:
        return existing
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound(_("This enrolment does not exist."))
    return _new_certificate(enrolment)


def withdraw_certificate(enrolment_id: int) -> None:
    """An enrolment is no longer complete: its live certificate is revoked (no commit).

    A certificate states that the rule was met; once a correction (attendance, a session
    added, a quiz regraded) says it is not, verification must no longer answer "valid".
    Coordinators see the reason on the edition's certificates, and a new certificate is made
    when the enrolment completes again.
    """
    certificate = live_certificate(enrolment_id)
    if certificate is None:
        return
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = timeutil.now()
    certificate.revoked_reason = _("The enrolment is no longer complete.")
    db.session.flush()


def erase_documents_of(learner_id: int) -> None:
    """A learner's data is deleted: no stored document may still carry their name.

    Their certificates' PDFs and the edition ZIPs that bundle them are removed; a certificate
    still being prepared is withdrawn (it would print the name). The rows and codes stay, so
    verification answers as the organiser chose for erased learners.
    """
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.learner_id == learner_id)
    ).all()
    storage = file_storage()
    for certificate in certificates:
        if certificate.storage_key:
            storage.delete(certificate.storage_key)
            certificate.storage_key = None
        if certificate.status in PREPARING:
            certificate.status = CertificateStatus.REVOKED
            certificate.revoked_at = timeutil.now()
            certificate.revoked_reason = _("The learner's personal data was deleted.")
    for edition_id in {certificate.edition_id for certificate in certificates}:
        storage.delete(zip_key(edition_id))
    db.session.flush()


# ---- rendering (run by the worker) ------------------------------------------------------------


def _storage_key(certificate: Certificate) -> str:
    return f"certificates/{certificate.id}/{secrets.token_hex(8)}.pdf"


def signed_pdf(certificate: Certificate) -> tuple[bytes, int | None]:
    """The certificate's PDF in its organiser's current design, signed by the College, and the
    design version it was rendered with (None: the default design)."""
    design = organisers_design(certificate)
    return sign_certificate_pdf(certificate, render_certificate_pdf(certificate, design)), design.version


def claim_render(certificate_id: int) -> bool:
    """Count a render attempt of a queued certificate; False when it is not (or no longer) queued.

    The job commits this on its own before rendering, so a worker killed mid-render still
    counts the attempt.
    """
    attempt = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.status == CertificateStatus.QUEUED)
        .values(render_attempts=Certificate.render_attempts + 1)
    )
    return attempt.rowcount > 0


def issue_certificate(certificate_id: int) -> bool:
    """Render a queued certificate, store its PDF and mark it issued; False when another won.

    Safe to run twice, or at once on two workers: only the first to store it wins (a
    conditional UPDATE); the loser's caller rolls back its file.
    """
    certificate = load_for_rendering(certificate_id)
    pdf, design_version = signed_pdf(certificate)
    key = _storage_key(certificate)
    file_storage().put(key, pdf, "application/pdf")
    stored = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.status == CertificateStatus.QUEUED)
        .values(
            status=CertificateStatus.ISSUED,
            storage_key=key,
            issued_at=timeutil.now(),
            error=None,
            design_version=design_version,
        )
        .execution_options(synchronize_session=False)
    )
    if stored.rowcount == 0:
        return False
    log.info("certificate %s issued (%d bytes)", certificate_id, len(pdf))
    return True


def record_render_failure(certificate_id: int, error: str, final: bool) -> None:
    """Keep a render error for coordinators; after the job's last retry the certificate fails."""
    values: dict = {"error": error[-4000:]}
    if final:
        values["status"] = CertificateStatus.FAILED
    db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.status == CertificateStatus.QUEUED)
        .values(**values)
    )


def rerender_certificate(certificate_id: int) -> bool:
    """Render an issued certificate again (after a template change) and swap its file atomically.

    False when it changed meanwhile (revoked, or re-rendered by another job): the caller then
    rolls back.
    """
    certificate = load_for_rendering(certificate_id)
    if certificate is None or certificate.status != CertificateStatus.ISSUED:
        return False
    old_key = certificate.storage_key
    pdf, design_version = signed_pdf(certificate)
    key = _storage_key(certificate)
    storage = file_storage()
    storage.put(key, pdf, "application/pdf")
    swapped = db.session.execute(
        update(Certificate)
        .where(
            Certificate.id == certificate_id,
            Certificate.status == CertificateStatus.ISSUED,
            Certificate.storage_key == old_key,
        )
        .values(storage_key=key, design_version=design_version)
        .execution_options(synchronize_session=False)
    )
    if swapped.rowcount == 0:
        return False
    if old_key:
        storage.delete(old_key)
    return True


# ---- coordinators -----------------------------------------------------------------------------


def get_certificate(certificate_id: int) -> Certificate:
    """The certificate with its edition's course loaded, or NotFound."""


    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.id == certificate_id)
        .options(
            selectinload(Certificate.edition).selectinload(Edition.course),
            selectinload(Certificate.learner),
        )
    )
    if certificate is None:
        raise NotFound(_("This certificate does not exist."))
    return certificate


def edition_certificates(edition_id: int, viewer: User) -> list[Certificate]:
    """Every certificate of an edition with its learner and enrolment, for coordinators (logged)."""
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.edition_id == edition_id)
        .options(selectinload(Certificate.learner), selectinload(Certificate.enrolment))
        .order_by(Certificate.id)
    ).all()
    record_access(viewer, [certificate.learner_id for certificate in certificates], "certificates")
    return list(certificates)


def learner_status(certificate: Certificate) -> str:
    """The status as its learner sees it: "preparing", "issued" or "revoked"."""
    return "preparing" if certificate.status in PREPARING else certificate.status.value


def certificate_pdf(viewer: User, certificate_id: int) -> tuple[Certificate, bytes]:
    """An issued certificate's PDF, for its learner and the organiser's coordinators only."""
    certificate = get_certificate(certificate_id)
    if not policy.can_act_for_learner(viewer, certificate.learner,
                                      certificate.edition.course.organiser_id):
        # Others do not even learn that the certificate exists.
        raise NotFound(_("This certificate does not exist."))
    if certificate.status == CertificateStatus.REVOKED:
        raise Conflict(_("This certificate has been revoked. It can no longer be downloaded."))
    if certificate.learner.anonymised_at is not None:
        raise Conflict(_("The learner's personal data was deleted, and this document with it. "
                         "Its code can still be checked."))
    content = file_storage().get(certificate.storage_key) if certificate.storage_key else None
    if certificate.status != CertificateStatus.ISSUED or content is None:
        raise Conflict(_("This certificate is still being prepared. Try again in a minute."))

    record_access(viewer, [certificate.learner_id], "certificates")
    return certificate, content


def verify_certificate(code: str) -> Certificate | None:
    """The issued (or revoked) certificate with this code, as anyone may check it; else None.

    Its learner, edition, course and organiser are loaded. A certificate of an anonymised
    learner answers only when the organiser chose so.
    """


    certificate = db.session.scalar(
        select(Certificate)
        .where(
            Certificate.verification_code == normalise_code(code),
            Certificate.status.in_((CertificateStatus.ISSUED, CertificateStatus.REVOKED)),
            Certificate.issued_at.is_not(None),
        )
        .options(
            selectinload(Certificate.learner),
            selectinload(Certificate.edition).selectinload(Edition.course).selectinload(Course.organiser),
        )
    )
    if certificate is None:
        return None
    if certificate.learner.anonymised_at and not certificate.edition.course.organiser.verify_anonymised_certificates:
        return None
    return certificate


@dataclass(frozen=True)
class PdfCheck:
    """What an uploaded PDF turned out to be, with its attest when anyone may see it."""

    verdict: Verdict
    certificate: Certificate | None = None


def verify_pdf(data: bytes) -> PdfCheck:
    """Is this uploaded PDF an unaltered attest of the College, and which one? (Writes nothing.)

    The attest is looked up by the code inside the signed bytes and answers as its code does
    (revoked, expired; an erased learner's only when the organiser chose so).
    """
    verdict, code = check_signature(data)
    if verdict != Verdict.VALID:
        return PdfCheck(verdict)
    certificate = verify_certificate(code) if code else None
    if certificate is None:
        return PdfCheck(Verdict.UNKNOWN)
    if certificate.status == CertificateStatus.REVOKED:
        return PdfCheck(Verdict.REVOKED, certificate)
    if certificate.expired():
        return PdfCheck(Verdict.EXPIRED, certificate)
    return PdfCheck(Verdict.VALID, certificate)


def _require_manager(certificate: Certificate, by: User) -> None:
    if not policy.can_manage_course(by, certificate.edition.course):
        raise NotAllowed(_("Only coordinators of the organiser can change its certificates."))


def _require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason, so the learner and your colleagues understand."), "reason")
    if len(reason) > 500:
        raise Invalid(_("Keep the reason under 500 characters."), "reason")
    return reason


def _revoke(certificate: Certificate, by: User, reason: str) -> None:
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = timeutil.now()
    certificate.revoked_reason = reason
    certificate.revoked_by_id = by.id


def revoke_certificate(certificate_id: int, by: User, reason: str | None) -> Certificate:
    """Revoke a certificate with a reason (its organiser's coordinators); verification then says so."""
    certificate = get_certificate(certificate_id)
    _require_manager(certificate, by)
    reason = _require_reason(reason)
    if certificate.status == CertificateStatus.REVOKED:
        raise Conflict(_("This certificate has already been revoked."))
    _revoke(certificate, by, reason)
    db.session.flush()
    return certificate


def reissue_certificate(certificate_id: int, by: User, reason: str | None) -> Certificate:
    """Revoke a certificate and queue a new one with a new code (after a correction)."""
    certificate = get_certificate(certificate_id)
    _require_manager(certificate, by)
    reason = _require_reason(reason)
    enrolment = db.session.get(Enrolment, certificate.enrolment_id)
    if enrolment.status != EnrolmentStatus.COMPLETED:
        raise Conflict(_("The enrolment is no longer complete, so no new certificate can be made."))
    current = live_certificate(certificate.enrolment_id)
    if current is not None and current.id != certificate.id:
        raise Conflict(_("A newer certificate already replaces this one."))
    if certificate.status != CertificateStatus.REVOKED:
        _revoke(certificate, by, reason)
        db.session.flush()
    return _new_certificate(enrolment, replaces=certificate)


def retry_certificate(certificate_id: int) -> Certificate:
    """Queue a failed certificate again, with a fresh budget of attempts."""
    certificate = get_certificate(certificate_id)
    if certificate.status != CertificateStatus.FAILED:
        raise Conflict(_("Only a certificate that failed can be retried."))
    certificate.status = CertificateStatus.QUEUED
    certificate.render_attempts = 0
    certificate.error = None
    _queue_render(certificate)
    db.session.flush()
    return certificate


# ---- never lost: requeue ----------------------------------------------------------------------


def job_is_live(job_id: str | None, connection: redis.Redis) -> bool:
    """Will this job still run? It must be where RQ keeps it, not only say so.

    A job's own status can lie: a worker killed right after it took the job off the queue
    leaves it "queued" in no queue at all. So a waiting job must be in its queue, a scheduled
    retry in the scheduled registry, a deferred job in the deferred registry, and a started
    one in the started registry with its worker's heartbeat still fresh.
    """
    if not job_id:
        return False
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    status = job.get_status()
    if status == JobStatus.QUEUED:
        return connection.lpos(Queue(job.origin, connection=connection).key, job_id) is not None
    if status == JobStatus.SCHEDULED:
        return job_id in ScheduledJobRegistry(job.origin, connection=connection)
    if status == JobStatus.DEFERRED:
        return job_id in DeferredJobRegistry(job.origin, connection=connection)
    if status != JobStatus.STARTED:
        return False
    # A started job lives while its worker keeps the execution's heartbeat fresh; a worker
    # killed mid-render stops the heartbeat and its entry expires.
    registry = StartedJobRegistry(job.origin, connection=connection)
    running = set(registry.get_job_ids(cleanup=False))
    expired = set(registry.get_expired_job_ids(timestamp=time.time()))
    return job_id in running and job_id not in expired


def requeue_waiting(connection: redis.Redis) -> dict[str, int]:
    """Queue every certificate waiting without a live job, and failed ones with attempts left."""
    candidates = db.session.scalars(
        select(Certificate)
        .where(
            or_(
                Certificate.status == CertificateStatus.QUEUED,
                (Certificate.status == CertificateStatus.FAILED)
                & (Certificate.render_attempts < MAX_RENDER_ATTEMPTS),
            )
        )
        .order_by(Certificate.id)
    ).all()
    counts = {"requeued": 0, "failed": 0, "busy": 0}
    for certificate in candidates:
        if certificate.status == CertificateStatus.QUEUED and job_is_live(certificate.job_id, connection):
            continue
        if certificate.render_attempts >= MAX_RENDER_ATTEMPTS:
            certificate.status = CertificateStatus.FAILED
            certificate.error = certificate.error or _(
                "Rendering stopped %(count)s times without finishing.", count=certificate.render_attempts
            )
            counts["failed"] += 1
        else:
            certificate.status = CertificateStatus.QUEUED
            _queue_render(certificate)
            counts["requeued"] += 1
    db.session.flush()
    return counts

