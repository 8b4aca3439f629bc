"""Enrolments, the waiting list, and the notification outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from college import timeutil
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db

if TYPE_CHECKING:
    from college.accounts.models import User
    from college.catalogue.models import Edition


class EnrolmentStatus(enum.Enum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


#: Statuses that hold a place (a seat or a waiting-list position).
LIVE_STATUSES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.COMPLETED)
#: Statuses that hold a seat: the learner counts for capacity, rosters and completion.
SEATED_STATUSES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)


class Enrolment(db.Model):
    """A learner's place in an edition: a seat, a waiting-list position, or a past one."""

    __table_args__ = (
        # One live enrolment per learner and edition; cancelled ones stay as history.
        Index(
            "uq_enrolment_live",
            "learner_id",
            "edition_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index("ix_enrolment_edition_status", "edition_id", "status"),
        CheckConstraint(
            "(status = 'waitlisted') = (waitlist_position IS NOT NULL)",
            name="position_only_when_waitlisted",
        ),
        CheckConstraint("waitlist_position > 0", name="position_positive"),
        CheckConstraint("seats BETWEEN 1 AND 2", name="one_or_two_seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    status: Mapped[EnrolmentStatus] = mapped_column(
        enum_column(EnrolmentStatus, "enrolment_status")
    )
    waitlist_position: Mapped[int | None] = mapped_column()
    #: Who made the enrolment when it was not the learner (a coordinator or trainer).
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Seats this enrolment holds (or will hold, when waiting): 2 when a caregiver brings the
    #: person they care for (a companion seat), else 1.
    seats: Mapped[int] = mapped_column(default=1)

    learner: Mapped[User] = relationship(foreign_keys=[learner_id], lazy="raise")
    enrolled_by: Mapped[User | None] = relationship(foreign_keys=[enrolled_by_id], lazy="raise")
    edition: Mapped[Edition] = relationship(lazy="raise")

    @property
    def companion(self) -> bool:
        return self.seats == 2

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def __repr__(self) -> str:
        return f"<Enrolment {self.id} {self.status.value}>"


class NotificationStatus(enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    LOGGED = "logged"  # no mail server configured: written to the log instead
    TO_PHONE = "to_phone"  # the learner has no email: a coordinator phones them
    FAILED = "failed"
    HELD = "held"  # the address is not confirmed yet: sent once it is
    EXPIRED = "expired"  # held until the training had ended: no longer worth sending


class Notification(db.Model):
    """An outbox row, written in the same transaction as the change it tells about."""

    __table_args__ = (Index("ix_notification_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: The edition it is about, so its organiser's coordinators see whom to phone.
    edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    #: What happened: enrolled, waitlisted, promoted, reminder, ...
    kind: Mapped[str] = mapped_column(String(40))
    #: Makes sending idempotent: the same event never yields two notifications.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[NotificationStatus] = mapped_column(
        enum_column(NotificationStatus, "notification_status"), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="raise")
    edition: Mapped[Edition | None] = relationship(lazy="raise")


class OfferOutcome(enum.Enum):
    OPEN = "open"  # the seat is held for the learner until expires_at
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # no answer in time: the seat went on
    WITHDRAWN = "withdrawn"  # the learner left the waiting list while it was open


class WaitlistOffer(db.Model):
    """A seat held for someone on the waiting list: offered, then taken, declined or expired.

    Its timestamps, with the outbox rows, are the history of the enrolment's offers. While an
    offer is open its seat counts in `Edition.seats_taken` (a held seat is not free).
    """

    __table_args__ = (
        # At most one open offer per enrolment, whatever races.
        Index(
            "uq_waitlist_offer_open",
            "enrolment_id",
            unique=True,
            sqlite_where=text("outcome = 'open'"),
            postgresql_where=text("outcome = 'open'"),
        ),
        Index("ix_waitlist_offer_outcome_expires", "outcome", "expires_at"),
        CheckConstraint("expires_at > offered_at", name="expires_after_offer"),
        CheckConstraint("(outcome = 'open') = (answered_at IS NULL)",
                        name="answered_unless_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), index=True
    )
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"),
                                            index=True)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[OfferOutcome] = mapped_column(
        enum_column(OfferOutcome, "offer_outcome"), default=OfferOutcome.OPEN
    )
    #: Who answered when it was not the learner (a coordinator who phoned them).
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    enrolment: Mapped[Enrolment] = relationship(lazy="raise")

    @property
    def is_open(self) -> bool:
        return self.outcome == OfferOutcome.OPEN

    def __repr__(self) -> str:
        return f"<WaitlistOffer {self.id} {self.outcome.value}>"


class QuestionKind(enum.Enum):
    TEXT = "text"
    CHOICE = "choice"  # one of a list (yes/no is a list of two)


class EnrolmentQuestion(db.Model):
    """A question a course asks at enrolment, with why it is asked (data minimisation)."""

    __table_args__ = (
        CheckConstraint("why <> ''", name="why_given"),
        Index("ix_enrolment_question_course_position", "course_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=1)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "question_kind"))
    text: Mapped[str] = mapped_column(String(300))
    #: Shown next to the question: the reason the College needs the answer.
    why: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(default=False)
    #: The choices of a CHOICE question, one per line.
    choices_text: Mapped[str] = mapped_column(Text, default="")
    #: No longer asked; kept because enrolments answered it.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def choices(self) -> list[str]:
        return [line for line in self.choices_text.split("\n") if line]

    def __repr__(self) -> str:
        return f"<EnrolmentQuestion {self.id} of course {self.course_id}>"


class EnrolmentAnswer(db.Model):
    """A learner's answer to one question, belonging to their enrolment."""

    __table_args__ = (
        Index("uq_enrolment_answer", "enrolment_id", "question_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment_question.id", ondelete="CASCADE"), index=True
    )
    #: The text typed, or the choice as it read when chosen (readable after the question changes).
    value: Mapped[str] = mapped_column(Text)

    question: Mapped[EnrolmentQuestion] = relationship(lazy="raise")
