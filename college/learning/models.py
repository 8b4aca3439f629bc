"""Self-paced modules and quizzes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from college import timeutil
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db

if TYPE_CHECKING:
    from college.accounts.models import User
    from college.catalogue.models import Course


class Module(db.Model):
    """A piece of self-paced content of a course, written in Markdown."""

    __table_args__ = (
        Index("ix_module_course_position", "course_id", "position"),
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column(default=10)
    published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    course: Mapped[Course] = relationship(lazy="raise")


class ModuleImage(db.Model):
    """A picture for a course's modules, uploaded by its author and served by the College itself
    (no learner's browser asks another site for it)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    mimetype: Mapped[str] = mapped_column(String(40))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)


class ModuleCompletion(db.Model):
    """A learner marked a module as done."""

    module_id: Mapped[int] = mapped_column(
        ForeignKey("module.id", ondelete="CASCADE"), primary_key=True
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)


class ShowAnswers(enum.Enum):
    """When learners may see the correct answers."""

    NEVER = "never"
    AFTER_ATTEMPT = "after_attempt"
    AFTER_PASSING = "after_passing"
    #: The default: a failed attempt with attempts left shows no answers to copy.
    PASSED_OR_LAST = "passed_or_last"


class QuestionKind(enum.Enum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"


class Quiz(db.Model):
    """A course's quiz; editing a quiz with attempts makes a new version."""

    __table_args__ = (
        UniqueConstraint("course_id", "version", name="uq_quiz_course_version"),
        # One current version per course.
        Index(
            "uq_quiz_current",
            "course_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        CheckConstraint("max_attempts IS NULL OR max_attempts > 0", name="max_attempts_positive"),
        CheckConstraint(
            "time_limit_minutes IS NULL OR time_limit_minutes > 0", name="time_limit_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    max_attempts: Mapped[int | None] = mapped_column()
    time_limit_minutes: Mapped[int | None] = mapped_column()
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_choices: Mapped[bool] = mapped_column(default=False)
    show_answers: Mapped[ShowAnswers] = mapped_column(
        enum_column(ShowAnswers, "quiz_show_answers"), default=ShowAnswers.PASSED_OR_LAST
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    course: Mapped[Course] = relationship(lazy="raise")
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz",
        lazy="raise",
        order_by="Question.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Question(db.Model):
    __table_args__ = (Index("ix_question_quiz_position", "quiz_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "question_kind"))
    text: Mapped[str] = mapped_column(Text)

    quiz: Mapped[Quiz] = relationship(back_populates="questions", lazy="raise")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="question",
        lazy="raise",
        order_by="Choice.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Choice(db.Model):
    __table_args__ = (Index("ix_choice_question_position", "question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(default=False)
    feedback: Mapped[str] = mapped_column(Text, default="")

    question: Mapped[Question] = relationship(back_populates="choices", lazy="raise")


class AttemptStatus(enum.Enum):
    OPEN = "open"
    SUBMITTED = "submitted"


class Attempt(db.Model):
    """One try at a quiz: started, answered, and graded once."""

    __table_args__ = (
        # A learner has at most one open attempt per quiz.
        Index(
            "uq_attempt_open",
            "quiz_id",
            "learner_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        UniqueConstraint("quiz_id", "learner_id", "number", name="uq_attempt_number"),
        Index("ix_attempt_learner", "learner_id"),
        CheckConstraint("score_pct IS NULL OR score_pct BETWEEN 0 AND 100", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    status: Mapped[AttemptStatus] = mapped_column(
        enum_column(AttemptStatus, "attempt_status"), default=AttemptStatus.OPEN
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score_pct: Mapped[float | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column()
    #: Question and choice order shown to this learner, when shuffled (JSON list of ids).
    order_json: Mapped[str | None] = mapped_column(Text)

    quiz: Mapped[Quiz] = relationship(lazy="raise")
    learner: Mapped[User] = relationship(lazy="raise")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="attempt", lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(db.Model):
    """A choice a learner picked in an attempt (one row per picked choice)."""

    __table_args__ = (
        UniqueConstraint("attempt_id", "choice_id", name="uq_answer_attempt_choice"),
        Index("ix_answer_question", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    choice_id: Mapped[int] = mapped_column(ForeignKey("choice.id", ondelete="CASCADE"))

    attempt: Mapped[Attempt] = relationship(back_populates="answers", lazy="raise")
