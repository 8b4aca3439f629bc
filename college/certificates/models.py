"""Certificates (attesten) and the stored files behind them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from college import timeutil
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db

if TYPE_CHECKING:
    from college.accounts.models import User
    from college.catalogue.models import Edition
    from college.enrolment.models import Enrolment


class CertificateStatus(enum.Enum):
    QUEUED = "queued"
    ISSUED = "issued"
    FAILED = "failed"
    REVOKED = "revoked"


class Certificate(db.Model):
    """Proof that a learner completed an edition; rendered to PDF by a worker."""

    __table_args__ = (
        # One live certificate per enrolment: revoked ones stay as history.
        Index(
            "uq_certificate_live",
            "enrolment_id",
            unique=True,
            sqlite_where=text("status <> 'revoked'"),
            postgresql_where=text("status <> 'revoked'"),
        ),
        Index("ix_certificate_edition_status", "edition_id", "status"),
        Index("ix_certificate_learner", "learner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="RESTRICT"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="RESTRICT"))
    status: Mapped[CertificateStatus] = mapped_column(
        enum_column(CertificateStatus, "certificate_status"), default=CertificateStatus.QUEUED
    )
    verification_code: Mapped[str] = mapped_column(String(32), unique=True)
    #: Key of the PDF in the file storage; set only once the whole PDF is stored.
    storage_key: Mapped[str | None] = mapped_column(String(200))
    job_id: Mapped[str | None] = mapped_column(String(64))
    render_attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The certificate this one replaces after a correction.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    #: The last day it is valid (its course's validity counted from the edition's last day);
    #: None: it does not expire.
    expires_on: Mapped[date | None] = mapped_column(Date)
    #: When its learner was reminded that it expires soon (once).
    expiry_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The version of its organiser's certificate design its current PDF was rendered with;
    #: None: the College's default design.
    design_version: Mapped[int | None] = mapped_column()

    enrolment: Mapped[Enrolment] = relationship(lazy="raise")
    learner: Mapped[User] = relationship(foreign_keys=[learner_id], lazy="raise")
    edition: Mapped[Edition] = relationship(lazy="raise")

    def expired(self, today: date | None = None) -> bool:
        """Past its last valid day (Belgian calendar); never for a certificate without expiry."""
        return self.expires_on is not None and (today or timeutil.today()) > self.expires_on


class StoredFile(db.Model):
    """A file kept in the database, so every web server and worker can read it."""

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)


class SigningKey(db.Model):
    """A certificate the College signs attest PDFs with, and the key when the database holds it.

    Generated keys (development, the demo, or an organiser's own) keep their private key here,
    so every worker signs with the same one. A key from the configuration keeps only its
    certificate, recorded when it first signs. Rows are retired, never deleted: a PDF signed
    with an older key still verifies as the College's.
    """

    __table_args__ = (
        # One current generated key per scope ("installation" or "organiser-<id>").
        Index(
            "uq_signing_key_current",
            "scope",
            unique=True,
            sqlite_where=text("private_key_pem IS NOT NULL AND retired_at IS NULL"),
            postgresql_where=text("private_key_pem IS NOT NULL AND retired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "installation", "organiser-<id>", or "configured" for a key from the configuration.
    scope: Mapped[str] = mapped_column(String(40))
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("organiser.id", ondelete="SET NULL"))
    #: SHA-256 of the certificate (DER), how a signature's signer is recognised.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_pem: Mapped[str] = mapped_column(Text)
    private_key_pem: Mapped[str | None] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CertificateDesign(db.Model):
    """One saved version of an organiser's certificate design; the highest number is current.

    Versions are never changed or deleted: saving, or restoring an earlier version, adds one.
    """

    __table_args__ = (UniqueConstraint("organiser_id", "number", name="uq_certificate_design_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organiser.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    #: "classic", "modern" or "compact" (college.certificates.designs.LAYOUTS).
    layout: Mapped[str] = mapped_column(String(20))
    primary_colour: Mapped[str] = mapped_column(String(7))
    accent_colour: Mapped[str] = mapped_column(String(7))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    signature_mimetype: Mapped[str | None] = mapped_column(String(40))
    signatory_name: Mapped[str] = mapped_column(String(120), default="")
    signatory_role: Mapped[str] = mapped_column(String(120), default="")
    #: Text blocks with placeholders ({learner}, {training}...); empty: the default wording.
    title_text: Mapped[str] = mapped_column(String(120), default="")
    intro_text: Mapped[str] = mapped_column(String(300), default="")
    closing_text: Mapped[str] = mapped_column(Text, default="")
    #: The version this one copies, when it was made by restoring.
    restored_from: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    created_by: Mapped[User | None] = relationship(lazy="raise")
