"""The dashboards' figures, each computed by a fixed number of SQL queries.

Aggregates are grouped in the database; only per-edition rows that a page shows one by one
(the learners x sessions grid) come back as rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from types import SimpleNamespace

from sqlalchemy import and_, bindparam, case, func, literal, or_, select, union_all

from college import timeutil
from college.accounts.models import Kind, User
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession
from college.certificates.models import Certificate, CertificateStatus
from college.dashboards.sqlfuncs import year_month
from college.enrolment.models import SEATED_STATUSES, Enrolment, EnrolmentStatus
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

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
HISTOGRAM_BUCKETS = 10  # 0-9, 10-19, ... 90-100


# --------------------------------------------------------------------------- edition


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
    missed_in_a_row: bool = False
    cannot_reach: bool = False

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

    def attended_enough(self, row: LearnerRow) -> bool:
        """Has the learner met the attendance threshold over all sessions (excused left out)?"""
        counted = len(self.sessions) - row.excused
        if counted <= 0:
            return True
        return 100 * row.attended >= self.course.min_attendance_pct * counted

    @property
    def funnel(self) -> list[tuple[str, int]]:
        """Learners at each stage: enrolled, attended enough, modules done, quiz passed, certified."""
        stage = [row for row in self.learners]
        steps = [("enrolled", len(stage))]
        stage = [row for row in stage if self.attended_enough(row)]
        steps.append(("attended", len(stage)))
        stage = [row for row in stage if row.modules_done >= self.modules_total]
        steps.append(("modules", len(stage)))
        stage = [row for row in stage if row.passed or not self.has_quiz]
        steps.append(("quiz", len(stage)))
        stage = [row for row in stage if row.certificate_status == CertificateStatus.ISSUED]
        steps.append(("certificate", len(stage)))
        return steps

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


def edition_dashboard(edition_id: int) -> EditionDashboard | None:
    """Everything the trainer's dashboard shows for one edition, in twelve queries."""
    q = _edition_statements()
    found = db.session.execute(q.edition, {"edition_id": edition_id}).first()
    if found is None:
        return None
    edition, course = found
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
    _flag_risks(learners.values(), sessions, course.min_attendance_pct)

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


def _flag_risks(learners, sessions: list[SessionRow], min_pct: int) -> None:
    """At risk: missed two sessions in a row, or can no longer reach the threshold."""
    order = [s.id for s in sessions]
    total = len(order)
    for row in learners:
        run = 0
        for session_id in order:
            if row.marks.get(session_id) == AttendanceStatus.ABSENT:
                run += 1
                if run >= 2:
                    row.missed_in_a_row = True
            elif session_id in row.marks:
                run = 0
        counted = total - row.excused
        unrecorded = total - len(row.marks)
        if counted > 0:
            row.cannot_reach = 100 * (row.attended + unrecorded) < min_pct * counted


# ------------------------------------------------------------------------- organiser


@dataclass
class Period:
    start: date
    end: date

    @property
    def since(self) -> datetime:
        return timeutil.brussels(self.start, time.min)

    @property
    def until(self) -> datetime:
        return timeutil.brussels(self.end + timedelta(days=1), time.min)

    def contains(self, column):
        return and_(column >= self.since, column < self.until)


@dataclass
class CourseRow:
    id: int
    title: str
    open_to_caregivers: bool
    open_to_professionals: bool
    editions: int
    capacity: int
    seats_taken: int
    waitlisted: int
    enrolments: int
    completed: int
    attended: int
    recorded: int
    certificates: int

    @property
    def fill_pct(self) -> float | None:
        return round(100 * self.seats_taken / self.capacity, 1) if self.capacity else None

    @property
    def attendance_pct(self) -> float | None:
        return round(100 * self.attended / self.recorded, 1) if self.recorded else None

    @property
    def completion_pct(self) -> float | None:
        return round(100 * self.completed / self.enrolments, 1) if self.enrolments else None


@dataclass
class OrganiserDashboard:
    period: Period
    reach: dict[str, dict[str, int]]
    new_learners: int
    returning_learners: int
    courses: list[CourseRow]
    months: list[tuple[str, int, int, int]]  # month, enrolments, attended, recorded

    @property
    def tracks(self) -> list[tuple[str, CourseRow]]:
        """Per track totals (a course open to both tracks counts in both)."""
        totals = []
        for track, flag in (("caregivers", "open_to_caregivers"),
                            ("professionals", "open_to_professionals")):
            rows = [row for row in self.courses if getattr(row, flag)]
            summed = CourseRow(
                0, track, track == "caregivers", track == "professionals",
                *(sum(getattr(row, name) for row in rows) for name in (
                    "editions", "capacity", "seats_taken", "waitlisted", "enrolments",
                    "completed", "attended", "recorded", "certificates")),
            )
            totals.append((track, summed))
        return totals


def organiser_dashboard(organiser_id: int, period: Period) -> OrganiserDashboard:
    """The coordinator's figures for one organiser and period, in five queries."""
    of_organiser = Course.organiser_id == organiser_id
    editions_of_organiser = (
        select(Edition.id).join(Course, Course.id == Edition.course_id).where(of_organiser)
    )

    # 1. reach: distinct learners per kind who enrolled, attended at least once, completed.
    # Each stage first finds the learners' ids (a semi-join), then counts users per kind:
    # far cheaper than COUNT(DISTINCT) over every attendance row.
    enrolled_ids = select(Enrolment.learner_id).where(
        Enrolment.edition_id.in_(editions_of_organiser),
        Enrolment.status != EnrolmentStatus.CANCELLED,
        period.contains(Enrolment.created_at),
    )
    attended_ids = (
        select(Attendance.learner_id)
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.edition_id.in_(editions_of_organiser),
               Attendance.status.in_(ATTENDED),
               period.contains(TrainingSession.starts_at))
    )
    completed_ids = select(Enrolment.learner_id).where(
        Enrolment.edition_id.in_(editions_of_organiser),
        Enrolment.status == EnrolmentStatus.COMPLETED,
        period.contains(Enrolment.completed_at),
    )
    stages = [
        select(literal(stage).label("stage"), User.kind.label("kind"), func.count().label("n"))
        .where(User.id.in_(ids))
        .group_by(User.kind)
        for stage, ids in (("enrolled", enrolled_ids), ("attended", attended_ids),
                           ("completed", completed_ids))
    ]
    reach = {stage: {"caregiver": 0, "professional": 0} for stage in
             ("enrolled", "attended", "completed")}
    for stage, kind, count in db.session.execute(union_all(*stages)):
        if kind is not None:
            reach[stage][kind.value if isinstance(kind, Kind) else kind] = count

    # 2. new versus returning: is the learner's first enrolment here inside the period?
    first = (
        select(Enrolment.learner_id, func.min(Enrolment.created_at).label("first_at"))
        .where(Enrolment.edition_id.in_(editions_of_organiser),
               Enrolment.status != EnrolmentStatus.CANCELLED)
        .group_by(Enrolment.learner_id)
        .subquery()
    )
    active = select(Enrolment.learner_id).where(
        Enrolment.edition_id.in_(editions_of_organiser),
        Enrolment.status != EnrolmentStatus.CANCELLED,
        period.contains(Enrolment.created_at),
    )
    new, returning = db.session.execute(
        select(
            func.coalesce(func.sum(case((first.c.first_at >= period.since, 1), else_=0)), 0),
            func.coalesce(func.sum(case((first.c.first_at < period.since, 1), else_=0)), 0),
        ).where(first.c.learner_id.in_(active))
    ).one()

    # 3. per course
    courses = _course_rows(organiser_id, period)

    # 4. per month: enrolments, 5. attendance
    months: dict[str, list[int]] = {}
    month = year_month(Enrolment.created_at)
    for key, count in db.session.execute(
        select(month, func.count())
        .where(Enrolment.edition_id.in_(editions_of_organiser),
               Enrolment.status != EnrolmentStatus.CANCELLED,
               period.contains(Enrolment.created_at))
        .group_by(month)
    ):
        months.setdefault(key, [0, 0, 0])[0] = count
    # Attendance per session first (thousands of sessions, not tens of thousands of rows),
    # then the month of each session.
    per_session = (
        select(
            Attendance.session_id.label("session_id"),
            func.sum(case((Attendance.status.in_(ATTENDED), 1), else_=0)).label("attended"),
            func.sum(case((Attendance.status != AttendanceStatus.EXCUSED, 1), else_=0)).label(
                "recorded"),
        )
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.edition_id.in_(editions_of_organiser),
               period.contains(TrainingSession.starts_at))
        .group_by(Attendance.session_id)
        .subquery()
    )
    month = year_month(TrainingSession.starts_at)
    for key, attended_count, recorded in db.session.execute(
        select(month, func.sum(per_session.c.attended), func.sum(per_session.c.recorded))
        .join(per_session, per_session.c.session_id == TrainingSession.id)
        .group_by(month)
    ):
        entry = months.setdefault(key, [0, 0, 0])
        entry[1], entry[2] = attended_count or 0, recorded or 0

    return OrganiserDashboard(
        period=period,
        reach=reach,
        new_learners=int(new),
        returning_learners=int(returning),
        courses=courses,
        months=[(key, *values) for key, values in sorted(months.items())],
    )


def _course_rows(organiser_id: int, period: Period) -> list[CourseRow]:
    in_period = and_(Edition.starts_on <= period.end, Edition.ends_on >= period.start)
    editions = (
        select(
            Edition.course_id,
            func.count(Edition.id).label("editions"),
            func.sum(Edition.capacity).label("capacity"),
            func.sum(Edition.seats_taken).label("seats_taken"),
            func.sum(Edition.waitlist_length).label("waitlisted"),
        )
        .where(in_period)
        .group_by(Edition.course_id)
        .subquery()
    )
    enrolments = (
        select(
            Edition.course_id,
            func.count(Enrolment.id).label("enrolments"),
            func.sum(case((Enrolment.status == EnrolmentStatus.COMPLETED, 1), else_=0)).label(
                "completed"
            ),
        )
        .join(Edition, Edition.id == Enrolment.edition_id)
        .where(in_period, Enrolment.status.in_(SEATED_STATUSES))
        .group_by(Edition.course_id)
        .subquery()
    )
    attendance = (
        select(
            Edition.course_id,
            func.sum(case((Attendance.status.in_(ATTENDED), 1), else_=0)).label("attended"),
            func.sum(case((Attendance.status != AttendanceStatus.EXCUSED, 1), else_=0)).label(
                "recorded"
            ),
        )
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .join(Edition, Edition.id == TrainingSession.edition_id)
        .where(period.contains(TrainingSession.starts_at))
        .group_by(Edition.course_id)
        .subquery()
    )
    certificates = (
        select(Edition.course_id, func.count(Certificate.id).label("certificates"))
        .join(Edition, Edition.id == Certificate.edition_id)
        .where(Certificate.status == CertificateStatus.ISSUED,
               period.contains(Certificate.issued_at))
        .group_by(Edition.course_id)
        .subquery()
    )
    zero = lambda column: func.coalesce(column, 0)  # noqa: E731
    rows = db.session.execute(
        select(
            Course.id, Course.title, Course.open_to_caregivers, Course.open_to_professionals,
            zero(editions.c.editions), zero(editions.c.capacity), zero(editions.c.seats_taken),
            zero(editions.c.waitlisted), zero(enrolments.c.enrolments),
            zero(enrolments.c.completed), zero(attendance.c.attended),
            zero(attendance.c.recorded), zero(certificates.c.certificates),
        )
        .outerjoin(editions, editions.c.course_id == Course.id)
        .outerjoin(enrolments, enrolments.c.course_id == Course.id)
        .outerjoin(attendance, attendance.c.course_id == Course.id)
        .outerjoin(certificates, certificates.c.course_id == Course.id)
        .where(Course.organiser_id == organiser_id,
               or_(editions.c.editions > 0, attendance.c.recorded > 0,
                   certificates.c.certificates > 0))
        .order_by(Course.title)
    )
    return [CourseRow(*(int(v) if isinstance(v, (int, float)) and i > 3 else v
                        for i, v in enumerate(row))) for row in rows]
