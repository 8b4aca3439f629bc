"""Attendance per session and learner, with its audit trail."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from college import timeutil
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db

if TYPE_CHECKING:
    from college.accounts.models import User
    from college.catalogue.models import TrainingSession


class AttendanceStatus(enum.Enum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"

    @property
    def counts_as_attended(self) -> bool:
        return self in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class AttendanceSource(enum.Enum):
    ROSTER = "roster"
    CHECKIN = "checkin"
    API = "api"


class Attendance(db.Model):
    """Whether a learner was at a session."""

    __table_args__ = (
        UniqueConstraint("session_id", "learner_id", name="uq_attendance_session_learner"),
        Index("ix_attendance_learner", "learner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE")
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    status: Mapped[AttendanceStatus] = mapped_column(
        enum_column(AttendanceStatus, "attendance_status")
    )
    source: Mapped[AttendanceSource] = mapped_column(
        enum_column(AttendanceSource, "attendance_source"), default=AttendanceSource.ROSTER
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    session: Mapped[TrainingSession] = relationship(lazy="raise")
    learner: Mapped[User] = relationship(foreign_keys=[learner_id], lazy="raise")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id], lazy="raise")


class AttendanceChange(db.Model):
    """One change of an attendance status: who, from what, to what, when."""

    __table_args__ = (Index("ix_attendance_change_session", "session_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE")
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    old_status: Mapped[AttendanceStatus | None] = mapped_column(
        enum_column(AttendanceStatus, "attendance_change_old")
    )
    new_status: Mapped[AttendanceStatus] = mapped_column(
        enum_column(AttendanceStatus, "attendance_change_new")
    )
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    learner: Mapped[User] = relationship(foreign_keys=[learner_id], lazy="raise")
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id], lazy="raise")
