"""Questionnaires (versioned), invitations, and the anonymous answers kept apart from them.

Anonymity is a property of the tables: an answer set (`EvaluationResponse`) holds the edition
and the questionnaire version, a random key, and nothing else; no foreign key, timestamp or
sequence number leads from it to a person or an enrolment. Who answered is known only as
`EvaluationInvitation.answered` (a yes/no, without a moment) on the learner's invitation.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from college import timeutil
from college.catalogue.models import Track
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db


class QuestionKind(enum.Enum):
    SCALE = "scale"  # ordered answers, reported with their mean
    CHOICE = "choice"  # one of a few answers
    OPEN = "open"  # a few words


class Questionnaire(db.Model):
    """An organiser's standard evaluation of a track, or a course's extra questions."""

    __table_args__ = (
        CheckConstraint("(track IS NULL) <> (course_id IS NULL)", name="track_or_course"),
        Index("uq_questionnaire_standard", "organiser_id", "track", unique=True,
              sqlite_where=text("course_id IS NULL"), postgresql_where=text("course_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organiser.id", ondelete="CASCADE"),
                                              index=True)
    #: The track of an organiser's standard questionnaire (None for a course's extra questions).
    track: Mapped[Track | None] = mapped_column(enum_column(Track, "track"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"),
                                                  unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number", lazy="raise",
        cascade="all, delete-orphan")


class QuestionnaireVersion(db.Model):
    """The questions of a questionnaire as they were asked; answered versions never change."""

    __table_args__ = (UniqueConstraint("questionnaire_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    #: [{"key": "q1", "kind": "scale"|"choice"|"open", "text": ..., "options": [...]}, ...]
    questions: Mapped[list[dict]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions", lazy="raise")


class EvaluationInvitation(db.Model):
    """A learner who attended is asked to evaluate; the only trace of whether they answered."""

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    #: Answered or not; deliberately without a moment, which could match an answer set.
    answered: Mapped[bool] = mapped_column(default=False)


def _random_key() -> str:
    return secrets.token_hex(16)


class EvaluationResponse(db.Model):
    """One anonymous set of answers: which edition and version, never who or when.

    The key is random, so not even the order of the rows says who answered first (nor on
    SQLite, where the table has no hidden row number).
    """

    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_key)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"),
                                            index=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id", ondelete="CASCADE"), index=True)

    answers: Mapped[list[EvaluationAnswer]] = relationship(lazy="raise",
                                                           cascade="all, delete-orphan")


class EvaluationAnswer(db.Model):
    """The answer to one question: the option's number (scale, choice) or the words (open)."""

    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[str] = mapped_column(
        ForeignKey("evaluation_response.id", ondelete="CASCADE"), primary_key=True)
    question_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    option: Mapped[int | None] = mapped_column()
    text: Mapped[str | None] = mapped_column(Text)


class BurdenMoment(enum.Enum):
    BEFORE = "before"  # at enrolment, until the first session has ended
    AFTER = "after"  # from the last session
    FOLLOW_UP = "follow_up"  # some weeks later (the course's setting)


class BurdenInstrument(db.Model):
    """A way to measure experienced burden, as data: items, answer scale, reversed items, bands.

    The College ships one (a single question, 0 to 10, organiser_id NULL); a hub that holds
    the rights to a validated instrument enters it for its own organiser.
    """

    __table_args__ = (CheckConstraint("scale_min < scale_max", name="scale_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: [{"key": "i1", "text": ..., "reversed": false}, ...]
    items: Mapped[list[dict]] = mapped_column(JSON)
    scale_min: Mapped[int] = mapped_column()
    scale_max: Mapped[int] = mapped_column()
    low_label: Mapped[str] = mapped_column(String(80))
    high_label: Mapped[str] = mapped_column(String(80))
    #: How the items make a score: "sum" or "mean" (reversed items counted from the other end).
    score: Mapped[str] = mapped_column(String(10), default="sum")
    #: [{"upto": 3, "label": "licht"}, ...], ascending: a score up to `upto` falls in the band.
    bands: Mapped[list[dict]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)


class CourseBurdenMeasure(db.Model):
    """A course whose caregivers are asked about their burden (switched on by its organiser)."""

    __table_args__ = (
        CheckConstraint("follow_up_weeks BETWEEN 1 AND 52", name="follow_up_weeks_range"),
        CheckConstraint("retention_months BETWEEN 1 AND 120", name="retention_months_range"),
    )

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"),
                                           primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("burden_instrument.id",
                                                          ondelete="RESTRICT"))
    follow_up_weeks: Mapped[int] = mapped_column(default=8)
    #: How long the answers are kept after they were given.
    retention_months: Mapped[int] = mapped_column(default=24)


class BurdenMeasurement(db.Model):
    """A caregiver's burden at one moment: health-related, kept apart, only with consent.

    Linked to the enrolment (the change per caregiver needs before and after of one person);
    removed with the person's erasure and after the course's retention.
    """

    __table_args__ = (UniqueConstraint("enrolment_id", "moment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"))
    moment: Mapped[BurdenMoment] = mapped_column(enum_column(BurdenMoment, "burden_moment"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("burden_instrument.id",
                                                          ondelete="CASCADE"))
    #: {"i1": 7, ...}: the answers as given; `score` as the instrument counts them.
    answers: Mapped[dict] = mapped_column(JSON)
    score: Mapped[float] = mapped_column()
    #: The consent text's version agreed to (asked each time, on the same page).
    consent: Mapped[str] = mapped_column(String(20))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)


class BurdenDeclined(db.Model):
    """A caregiver who said "no thanks": not asked about this enrolment's burden again."""

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id", ondelete="CASCADE"),
                                              primary_key=True)
    declined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
