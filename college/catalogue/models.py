"""Courses, their editions (runs) and the sessions of an edition."""

from __future__ import annotations

import enum
import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    event,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from college import timeutil
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db

if TYPE_CHECKING:
    from college.accounts.models import Organiser, User
    from college.accreditation.models import CourseAccreditation


class Track(enum.Enum):
    """The two audiences of the College."""

    CAREGIVERS = "caregivers"
    PROFESSIONALS = "professionals"


edition_trainer = Table(
    "edition_trainer",
    db.metadata,
    Column("edition_id", Integer, ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Course(db.Model):
    """A training, open to caregivers, professionals or both, with its completion rule."""

    __table_args__ = (
        CheckConstraint("open_to_caregivers OR open_to_professionals", name="has_track"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
        CheckConstraint(
            "min_attendance_pct BETWEEN 0 AND 100", name="min_attendance_pct_range"
        ),
        CheckConstraint("quiz_pass_pct BETWEEN 0 AND 100", name="quiz_pass_pct_range"),
        CheckConstraint(
            "certificate_validity_months IS NULL OR certificate_validity_months BETWEEN 1 AND 120",
            name="certificate_validity_months_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organiser.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    open_to_caregivers: Mapped[bool] = mapped_column(default=True)
    open_to_professionals: Mapped[bool] = mapped_column(default=False)
    hours: Mapped[float] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(default=False)
    # The completion rule.
    min_attendance_pct: Mapped[int] = mapped_column(default=80)
    modules_required: Mapped[bool] = mapped_column(default=False)
    #: Pass mark of the course's quiz; the quiz only counts when the course has one.
    quiz_pass_pct: Mapped[int] = mapped_column(default=70)
    #: A caregiver may bring the person they care for: a second seat of their enrolment.
    allow_companion: Mapped[bool] = mapped_column(default=False)
    #: The hub arranges respite (someone takes over the care) for caregivers who ask it when
    #: enrolling; "the person comes along" is offered where `allow_companion` is set.
    offers_respite: Mapped[bool] = mapped_column(default=False)
    #: Months its certificates stay valid after the edition's last day (a refresher course);
    #: None: they do not expire. Certificates keep the date they were made with.
    certificate_validity_months: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    #: Title, summary and description folded by `fold()`, so a plain LIKE ignores case and
    #: accents on SQLite and PostgreSQL alike; kept up to date on every insert and update.
    search_text: Mapped[str] = mapped_column(Text, default="")

    organiser: Mapped[Organiser] = relationship(back_populates="courses", lazy="raise")
    editions: Mapped[list[Edition]] = relationship(
        back_populates="course", lazy="raise", order_by="Edition.starts_on"
    )
    accreditations: Mapped[list[CourseAccreditation]] = relationship(
        back_populates="course", lazy="raise", order_by="CourseAccreditation.id"
    )
    #: The organisers that organise the course with its lead organiser (`organiser`).
    co_organisers: Mapped[list[CoOrganiser]] = relationship(
        lazy="raise", order_by="CoOrganiser.organiser_id", viewonly=True
    )

    @property
    def tracks(self) -> set[Track]:
        tracks = set()
        if self.open_to_caregivers:
            tracks.add(Track.CAREGIVERS)
        if self.open_to_professionals:
            tracks.add(Track.PROFESSIONALS)
        return tracks

    def is_open_to(self, track: Track) -> bool:
        return track in self.tracks

    @classmethod
    def open_to(cls, *tracks: Track):
        """SQL condition: the course is open to any of the tracks."""
        columns = {
            Track.CAREGIVERS: cls.open_to_caregivers,
            Track.PROFESSIONALS: cls.open_to_professionals,
        }
        return or_(*(columns[track].is_(True) for track in tracks))

    @classmethod
    def matching(cls, words: str):
        """SQL condition: every word of the search occurs in the course, ignoring case and accents."""
        conditions = [
            cls.search_text.like(f"%{_escape_like(word)}%", escape="\\")
            for word in fold(words).split()
        ]
        return and_(true(), *conditions)

    def refresh_search_text(self) -> None:
        """Recompute the folded search text from the course's own words."""
        self.search_text = fold(" ".join((self.title or "", self.summary or "", self.description or "")))

    @classmethod
    def organised_by(cls, organiser_id: int):
        """SQL condition: the organiser leads the course or co-organises it."""
        return or_(cls.organiser_id == organiser_id, cls.id.in_(
            select(CoOrganiser.course_id).where(CoOrganiser.organiser_id == organiser_id)))

    def __repr__(self) -> str:
        return f"<Course {self.id} {self.title!r}>"


class CoOrganiser(db.Model):
    """An organiser that organises a course together with its lead organiser
    (`Course.organiser`): its coordinators manage the course too and its figures count it."""

    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    organiser: Mapped[Organiser] = relationship(lazy="raise")


def course_organisers():
    """Every (course_id, organiser_id) pair of a course and an organiser that organises it:
    the lead organiser and the co-organisers."""
    return union_all(
        select(Course.id.label("course_id"), Course.organiser_id.label("organiser_id")),
        select(CoOrganiser.course_id, CoOrganiser.organiser_id),
    ).subquery()


def fold(text: str) -> str:
    """Lower-case text without accents: "Coördinator Zorg" -> "coordinator zorg"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Every writer (services, the API, the demo, test factories) keeps the search text right.
@event.listens_for(Course, "before_insert")
@event.listens_for(Course, "before_update")
def _keep_search_text(mapper, connection, course: Course) -> None:
    course.refresh_search_text()


class WaitlistMode(enum.Enum):
    """What a freed seat does: go to the first on the waiting list, or be offered to them."""

    AUTOMATIC = "automatic"
    OFFER = "offer"


class Edition(db.Model):
    """One run of a course, at a place, between dates, with a number of seats."""

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("seats_taken >= 0", name="seats_taken_not_negative"),
        CheckConstraint("waitlist_length >= 0", name="waitlist_length_not_negative"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("offer_hold_hours BETWEEN 1 AND 336", name="offer_hold_hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    place: Mapped[str] = mapped_column(String(120), default="")
    #: "Comfortable shoes", "your eID": shown on "My trainings" and in the confirmation.
    what_to_bring: Mapped[str] = mapped_column(String(500), default="")
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(default=20)
    #: Counters kept by single conditional UPDATEs, so seats never overbook.
    seats_taken: Mapped[int] = mapped_column(default=0)
    waitlist_length: Mapped[int] = mapped_column(default=0)
    #: Offer mode: a freed seat is held for the first on the list for `offer_hold_hours`.
    waitlist_mode: Mapped[WaitlistMode] = mapped_column(
        enum_column(WaitlistMode, "waitlist_mode"), default=WaitlistMode.AUTOMATIC,
        server_default=WaitlistMode.AUTOMATIC.value,
    )
    offer_hold_hours: Mapped[int] = mapped_column(default=48, server_default="48")
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    enrolment_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrolment_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    course: Mapped[Course] = relationship(back_populates="editions", lazy="raise")
    trainers: Mapped[list[User]] = relationship(secondary=edition_trainer, lazy="raise")
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="edition",
        lazy="raise",
        order_by="TrainingSession.starts_at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    def __repr__(self) -> str:
        return f"<Edition {self.id} of course {self.course_id}>"


class TrainingSession(db.Model):
    """A meeting of an edition ("sessie"): a start, an end and a room."""

    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_training_session_edition_starts", "edition_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(String(120), default="")
    #: Secret from which the rotating self check-in codes are derived.
    checkin_secret: Mapped[str | None] = mapped_column(String(64))

    edition: Mapped[Edition] = relationship(back_populates="sessions", lazy="raise")

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} of edition {self.edition_id}>"
