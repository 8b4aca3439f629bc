"""The trainer's dashboard of one edition, in a fixed number of SQL queries.

Aggregates are grouped in the database; only per-edition rows that a page shows one by one
(the learners x sessions grid) come back as rows. Whether a learner attended enough, did the
modules, passed the quiz or can no longer reach the threshold is the completion rule's answer
(`college.completion.rules.completion_checks`), the same code that completes enrolments.
Reading it writes the learners' access log, whatever surface shows it (page or API).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, case, func, select

from college import policy, timeutil
from college.accounts.models import User
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession
from college.certificates.models import Certificate, CertificateStatus
from college.completion.rules import CompletionCheck, completion_checks
from college.dashboards.definitions import EDITION_FUNNEL
from college.enrolment.models import SEATED_STATUSES, Enrolment, EnrolmentStatus
from college.errors import NotAllowed, NotFound
from college.extensions import db
from college.learning.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Choice,
    Module,
    ModuleCompletion,
    Question,
    Quiz,
)
from college.privacy.access import record_access

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
HISTOGRAM_BUCKETS = 10  # 0-9, 10-19, ... 90-100


@dataclass
class LearnerRow:
    """One learner of an edition, with everything the trainer's dashboard shows about them."""

    enrolment_id: int
    learner_id: int
    name: str
    status: EnrolmentStatus
    marks: dict[int, AttendanceStatus] = field(default_factory=dict)
    attended: int = 0
    excused: int = 0
    absent: int = 0
    modules_done: int = 0
    best_score: float | None = None
    passed: bool = False
    attempts: int = 0
    certificate_status: CertificateStatus | None = None
    #: What the completion rule says about this learner (`completion_checks`).
    check: CompletionCheck | None = None
    #: A dashboard-only signal for the trainer, not part of the completion rule.
    missed_in_a_row: bool = False

    @property
    def cannot_reach(self) -> bool:
        """The completion rule: even attending every session still to record is not enough."""
        return self.check is not None and self.check.cannot_reach_attendance

    @property
    def attendance_pct(self) -> float | None:
        """Attended share of the sessions recorded so far, excused ones left out."""
        counted = self.attended + self.absent
        return round(100 * self.attended / counted, 1) if counted else None

    @property
    def at_risk(self) -> bool:
        return self.missed_in_a_row or self.cannot_reach


@dataclass
class SessionRow:
    id: int
    starts_at: datetime
    ends_at: datetime
    room: str
    attended: int = 0
    recorded: int = 0  # present, late or absent (excused ones left out)

    @property
    def rate_pct(self) -> float | None:
        return round(100 * self.attended / self.recorded, 1) if self.recorded else None


@dataclass
class QuestionRow:
    id: int
    position: int
    text: str
    answered: int
    correct: int

    @property
    def correct_pct(self) -> float | None:
        return round(100 * self.correct / self.answered, 1) if self.answered else None


@dataclass
class EditionDashboard:
    edition: Edition
    course: Course
    sessions: list[SessionRow]
    learners: list[LearnerRow]
    waitlisted: int
    modules_total: int
    has_quiz: bool
    quiz_attempts: int
    quiz_passed_attempts: int
    quiz_mean_score: float | None
    histogram: list[int]
    questions: list[QuestionRow]
    certificates: dict[str, int]

    @property
    def enrolled(self) -> int:
        return len(self.learners)

    @property
    def upcoming_sessions(self) -> list[SessionRow]:
        now = timeutil.now()
        return [s for s in self.sessions if s.ends_at >= now]

    @property
    def attendance_rate(self) -> float | None:
        attended = sum(s.attended for s in self.sessions)
        recorded = sum(s.recorded for s in self.sessions)
        return round(100 * attended / recorded, 1) if recorded else None

    @property
    def quiz_pass_rate(self) -> float | None:
        if not self.quiz_attempts:
            return None
        return round(100 * self.quiz_passed_attempts / self.quiz_attempts, 1)

    @property
    def learners_by_risk(self) -> list[LearnerRow]:
        return sorted(self.learners, key=lambda row: (not row.at_risk, row.name.lower()))

    @property
    def funnel(self) -> list[tuple[str, int]]:
        """Learners at each step (`definitions.EDITION_FUNNEL`), each a part of the one before.

        Attended enough, modules done and quiz passed are the completion rule's own answers.
        """
        steps = {
            "enrolled": lambda row: True,
            "attended_enough": lambda row: row.check is not None and row.check.attendance_met,
            "modules_done": lambda row: row.check is not None and row.check.modules_met,
            "quiz_passed": lambda row: row.check is not None and row.check.quiz_met,
            "completed": lambda row: row.status == EnrolmentStatus.COMPLETED,
            "certified": lambda row: row.certificate_status == CertificateStatus.ISSUED,
        }
        stage, counts = self.learners, []
        for key in EDITION_FUNNEL:
            stage = [row for row in stage if steps[key](row)]
            counts.append((key, len(stage)))
        return counts

    @property
    def certificates_issued(self) -> int:
        return self.certificates.get(CertificateStatus.ISSUED.value, 0)

    @property
    def completed(self) -> int:
        return sum(1 for row in self.learners if row.status == EnrolmentStatus.COMPLETED)


@cache
def _edition_statements() -> SimpleNamespace:
    """The trainer dashboard's statements, built once with bound parameters.

    Building SQLAlchemy constructs costs more than running these small queries; a page then
    only binds `edition_id` and `course_id`.
    """
    edition_id, course_id = bindparam("edition_id"), bindparam("course_id")
    seated = select(Enrolment.learner_id).where(
        Enrolment.edition_id == edition_id, Enrolment.status.in_(SEATED_STATUSES)
    )
    quiz_ids = select(Quiz.id).where(Quiz.course_id == course_id).scalar_subquery()
    submitted = and_(
        Attempt.quiz_id.in_(quiz_ids),
        Attempt.status == AttemptStatus.SUBMITTED,
        Attempt.learner_id.in_(seated),
    )
    # Buckets 0-9, 10-19, ..., 90-100 by a CASE ladder: portable, unlike floor()/least().
    bucket = case(
        *((Attempt.score_pct < 10 * (i + 1), i) for i in range(HISTOGRAM_BUCKETS - 1)),
        else_=HISTOGRAM_BUCKETS - 1,
    )
    return SimpleNamespace(
        edition=select(Edition, Course)
        .join(Course, Course.id == Edition.course_id)
        .where(Edition.id == edition_id),
        learners=select(Enrolment.id, Enrolment.learner_id, User.name, Enrolment.status)
        .join(User, User.id == Enrolment.learner_id)
        .where(Enrolment.edition_id == edition_id, Enrolment.status.in_(SEATED_STATUSES))
        .order_by(User.name),
        waitlisted=select(func.count()).where(
            Enrolment.edition_id == edition_id, Enrolment.status == EnrolmentStatus.WAITLISTED
        ),
        sessions=select(TrainingSession.id, TrainingSession.starts_at, TrainingSession.ends_at,
                        TrainingSession.room)
        .where(TrainingSession.edition_id == edition_id)
        .order_by(TrainingSession.starts_at),
        marks=select(Attendance.session_id, Attendance.learner_id, Attendance.status)
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.edition_id == edition_id),
        modules_total=select(func.count()).where(
            Module.course_id == course_id, Module.published.is_(True)
        ),
        modules_done=select(ModuleCompletion.learner_id, func.count())
        .join(Module, Module.id == ModuleCompletion.module_id)
        .where(Module.course_id == course_id, Module.published.is_(True),
               ModuleCompletion.learner_id.in_(seated))
        .group_by(ModuleCompletion.learner_id),
        best_attempts=select(Attempt.learner_id, func.count(), func.max(Attempt.score_pct),
                             func.max(case((Attempt.passed.is_(True), 1), else_=0)))
        .where(submitted)
        .group_by(Attempt.learner_id),
        histogram=select(bucket, func.count(),
                         func.sum(case((Attempt.passed.is_(True), 1), else_=0)),
                         func.sum(Attempt.score_pct))
        .where(submitted)
        .group_by(bucket),
        has_quiz=select(func.count()).where(
            Quiz.course_id == course_id, Quiz.is_current.is_(True)
        ),
        questions=_question_results_statement(course_id, seated),
        certificates=select(Certificate.learner_id, Certificate.status).where(
            Certificate.edition_id == edition_id, Certificate.status != CertificateStatus.REVOKED
        ),
    )


def edition_dashboard(edition_id: int, viewer: User) -> EditionDashboard:
    """What the trainer's dashboard shows of one edition, for its trainers and coordinators.

    Refuses others (NotAllowed) before reading anything about the learners, and writes the
    learners' access log in the caller's unit of work. A fixed number of queries.
    """
    q = _edition_statements()
    found = db.session.execute(q.edition, {"edition_id": edition_id}).first()
    if found is None:
        raise NotFound(_("This edition does not exist."))
    edition, course = found
    if not policy.can_teach_edition(viewer, edition.id, course):
        raise NotAllowed(_("Only the edition's trainers and the organiser's coordinators can "
                           "see its dashboard."))
    params = {"edition_id": edition_id, "course_id": course.id}

    learners = {
        row.learner_id: LearnerRow(row.id, row.learner_id, row.name, row.status)
        for row in db.session.execute(q.learners, params)
    }
    waitlisted = db.session.scalar(q.waitlisted, params)

    sessions = [
        SessionRow(s.id, s.starts_at, s.ends_at, s.room)
        for s in db.session.execute(q.sessions, params)
    ]
    by_session = {s.id: s for s in sessions}
    for session_id, learner_id, status in db.session.execute(q.marks, params):
        row = learners.get(learner_id)
        if row is None:  # a mark of someone who has since cancelled
            continue
        row.marks[session_id] = status
        session_row = by_session[session_id]
        if status in ATTENDED:
            row.attended += 1
            session_row.attended += 1
            session_row.recorded += 1
        elif status == AttendanceStatus.EXCUSED:
            row.excused += 1
        else:
            row.absent += 1
            session_row.recorded += 1
    _flag_missed_in_a_row(learners.values(), sessions)
    for learner_id, check in completion_checks(edition_id).items():
        if learner_id in learners:
            learners[learner_id].check = check

    modules_total = db.session.scalar(q.modules_total, params)
    for learner_id, done in db.session.execute(q.modules_done, params):
        learners[learner_id].modules_done = done

    for learner_id, count, best, passed in db.session.execute(q.best_attempts, params):
        row = learners[learner_id]
        row.attempts, row.best_score, row.passed = count, best, bool(passed)
    histogram = [0] * HISTOGRAM_BUCKETS
    attempts = passed_attempts = 0
    score_sum = 0.0
    for index, count, passed, total in db.session.execute(q.histogram, params):
        histogram[int(index)] += count
        attempts += count
        passed_attempts += passed or 0
        score_sum += total or 0
    has_quiz = db.session.scalar(q.has_quiz, params) > 0
    questions = [QuestionRow(*row) for row in db.session.execute(q.questions, params)]

    certificates: dict[str, int] = {}
    for learner_id, status in db.session.execute(q.certificates, params):
        certificates[status.value] = certificates.get(status.value, 0) + 1
        if learner_id in learners:
            learners[learner_id].certificate_status = status

    record_access(viewer, list(learners), "dashboard")
    return EditionDashboard(
        edition=edition,
        course=course,
        sessions=sessions,
        learners=list(learners.values()),
        waitlisted=waitlisted,
        modules_total=modules_total,
        has_quiz=has_quiz,
        quiz_attempts=attempts,
        quiz_passed_attempts=passed_attempts,
        quiz_mean_score=round(score_sum / attempts, 1) if attempts else None,
        histogram=histogram,
        questions=questions,
        certificates=certificates,
    )


def _question_results_statement(course_id, seated):
    """Per question of the course's current quiz: submitted attempts and exactly-right ones."""
    current_quiz = select(Quiz.id).where(Quiz.course_id == course_id, Quiz.is_current.is_(True))
    attempts = (
        select(Attempt.id)
        .where(
            Attempt.quiz_id.in_(current_quiz.scalar_subquery()),
            Attempt.status == AttemptStatus.SUBMITTED,
            Attempt.learner_id.in_(seated),
        )
        .subquery()
    )
    needed = (
        select(Choice.question_id, func.count().label("needed"))
        .where(Choice.correct.is_(True))
        .group_by(Choice.question_id)
        .subquery()
    )
    picked = (
        select(
            Answer.attempt_id,
            Answer.question_id,
            func.sum(case((Choice.correct.is_(True), 1), else_=0)).label("right"),
            func.sum(case((Choice.correct.is_(True), 0), else_=1)).label("wrong"),
        )
        .join(Choice, Choice.id == Answer.choice_id)
        .where(Answer.attempt_id.in_(select(attempts.c.id)))
        .group_by(Answer.attempt_id, Answer.question_id)
        .subquery()
    )
    exactly_right = (
        select(picked.c.question_id, func.count().label("correct"))
        .join(needed, needed.c.question_id == picked.c.question_id)
        .where(picked.c.right == needed.c.needed, picked.c.wrong == 0)
        .group_by(picked.c.question_id)
        .subquery()
    )
    answered = select(func.count()).select_from(attempts).scalar_subquery()
    return (
        select(Question.id, Question.position, Question.text, answered,
               func.coalesce(exactly_right.c.correct, 0))
        .outerjoin(exactly_right, exactly_right.c.question_id == Question.id)
        .where(Question.quiz_id.in_(current_quiz.scalar_subquery()))
        .order_by(Question.position, Question.id)
    )


def _flag_missed_in_a_row(learners, sessions: list[SessionRow]) -> None:
    """Flag learners marked absent in two sessions that follow each other (a dashboard signal)."""
    order = [s.id for s in sessions]
    for row in learners:
        run = 0
        for session_id in order:
            if row.marks.get(session_id) == AttendanceStatus.ABSENT:
                run += 1
                if run >= 2:
                    row.missed_in_a_row = True
            elif session_id in row.marks:
                run = 0
