"""Who looked at whose personal data, and learners' data exports."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from college import timeutil
from college.accounts.models import User
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db


class PersonalDataAccess(db.Model):
    """Staff saw a person's personal data on a page: a learner's, or a referred caregiver's
    (who has no account: the referral is the subject, and the line goes with it)."""

    __table_args__ = (
        Index("ix_personal_data_access_learner", "learner_id", "viewed_at"),
        Index("ix_personal_data_access_referral", "referral_id", "viewed_at"),
        CheckConstraint("(learner_id IS NULL) <> (referral_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: The referred caregiver whose name and contact were shown; erased with the referral.
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"))
    viewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Which page showed the data, e.g. "roster" or "enrolments".
    context: Mapped[str] = mapped_column(String(60))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    viewer: Mapped[User | None] = relationship(foreign_keys=[viewer_id], lazy="raise")


class ExportStatus(enum.Enum):
    QUEUED = "queued"
    READY = "ready"
    FAILED = "failed"


class DataExport(db.Model):
    """A ZIP of everything the College holds about a learner, built in the background."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[ExportStatus] = mapped_column(
        enum_column(ExportStatus, "data_export_status"), default=ExportStatus.QUEUED
    )
    storage_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
