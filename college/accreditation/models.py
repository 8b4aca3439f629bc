"""Accreditation schemes, the accreditations a course carries, and registration numbers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from college import timeutil
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db

if TYPE_CHECKING:
    from college.catalogue.models import Course


class Unit(enum.Enum):
    """What a scheme counts."""

    POINTS = "points"
    HOURS = "hours"


class PartialRule(enum.Enum):
    """How a scheme credits a complete enrolment when the learner missed sessions."""

    #: Full points once the enrolment is complete (the course's completion rule decides).
    COMPLETION = "completion"
    #: Full points only when every session was attended; otherwise none.
    ALL_SESSIONS = "all_sessions"
    #: Points in proportion to the sessions attended.
    PRO_RATA = "pro_rata"


class NumberCheck(enum.Enum):
    """How a registration number for the scheme is checked."""

    NONE = "none"
    RIZIV = "riziv"


class Scheme(db.Model):
    """A professional body's accreditation scheme; the installation keeps the list."""

    __tablename__ = "accreditation_scheme"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short fixed name for CLI, API and seeds ("riziv", "nurses").
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, "scheme_unit"), default=Unit.POINTS)
    partial_rule: Mapped[PartialRule] = mapped_column(
        enum_column(PartialRule, "scheme_partial_rule"), default=PartialRule.COMPLETION
    )
    number_check: Mapped[NumberCheck] = mapped_column(
        enum_column(NumberCheck, "scheme_number_check"), default=NumberCheck.NONE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    @classmethod
    def all(cls) -> list[Scheme]:
        return list(db.session.scalars(select(cls).order_by(cls.name)))

    def __repr__(self) -> str:
        return f"<Scheme {self.code}>"


class CourseAccreditation(db.Model):
    """A course accredited in a scheme: the body's number, the points (or hours), the rubric."""

    __table_args__ = (
        UniqueConstraint("course_id", "scheme_id", name="uq_course_accreditation_scheme"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("accreditation_scheme.id", ondelete="RESTRICT"), index=True
    )
    #: The accreditation number the body gave the course; empty until it is known.
    number: Mapped[str] = mapped_column(String(60), default="")
    #: Points or hours, as the scheme counts.
    points: Mapped[float] = mapped_column()
    rubric: Mapped[str] = mapped_column(String(120), default="")

    course: Mapped[Course] = relationship(back_populates="accreditations", lazy="raise")
    scheme: Mapped[Scheme] = relationship(lazy="raise")


class RegistrationNumber(db.Model):
    """A professional's registration number in a scheme (RIZIV number, visa number, ...)."""

    __table_args__ = (
        UniqueConstraint("user_id", "scheme_id", name="uq_registration_number_user_scheme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("accreditation_scheme.id", ondelete="CASCADE")
    )
    number: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    scheme: Mapped[Scheme] = relationship(lazy="raise")

    @classmethod
    def of(cls, user_id: int) -> dict[int, str]:
        """The user's numbers by scheme id."""
        rows = db.session.execute(select(cls.scheme_id, cls.number).where(cls.user_id == user_id))
        return dict(rows.all())
