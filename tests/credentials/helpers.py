"""Shared steps of the credential tests: an issued certificate, and reading a status list."""

from __future__ import annotations

import base64
import gzip

from college import timeutil
from college.certificates.models import Certificate, CertificateStatus
from college.enrolment.models import EnrolmentStatus
from college.extensions import db


def issued_certificate(make, *, learner=None, edition=None, **learner_fields) -> Certificate:
    """An issued certificate of a completed enrolment (its PDF is not needed for a credential)."""
    learner = learner or make.learner(**learner_fields)
    edition = edition or make.edition()
    enrolment = make.enrolment(learner, edition, status=EnrolmentStatus.COMPLETED)
    certificate = Certificate(
        enrolment_id=enrolment.id, learner_id=learner.id, edition_id=edition.id,
        status=CertificateStatus.ISSUED, verification_code=f"CRED{enrolment.id:08d}",
        issued_at=timeutil.now(), render_attempts=1,
    )
    db.session.add(certificate)
    db.session.commit()
    return certificate


def revoked_bit(status_list: dict, index: int) -> bool:
    """Whether a Bitstring Status List credential says the entry at `index` is revoked."""
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    bits = gzip.decompress(packed)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
