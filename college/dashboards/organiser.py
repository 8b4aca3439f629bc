"""The coordinator's figures: everything about one cohort of editions, in two queries.

The cohort of a period is the organiser's editions whose first day falls in it. Every figure
counts the cohort's enrolments, marks and certificates, whatever the date those were made on,
so the figures of one period can never contradict each other: enrolled >= took part >=
completed >= certificate issued, for the total and for every course, track and month.
What each figure means is written once, in `college.dashboards.definitions`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date

from sqlalchemy import and_, case, func, or_, select, text

from college.accounts.models import Kind, User
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession
from college.certificates.models import Certificate, CertificateStatus
from college.dashboards.definitions import FUNNEL
from college.enrolment.models import SEATED_STATUSES, Enrolment, EnrolmentStatus
from college.extensions import db

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
RECORDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT)
KINDS = ("caregiver", "professional")
TRACKS = (("caregivers", "open_to_caregivers"), ("professionals", "open_to_professionals"))


@dataclass
class Period:
    """The days from `start` to `end`, both included."""

    start: date
    end: date


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """The counted figures of a cohort (or of its part: a course, a track, a month)."""

    editions: int = 0
    capacity: int = 0
    seats_taken: int = 0
    waitlisted: int = 0
    enrolled: int = 0
    took_part: int = 0
    completed: int = 0
    certified: int = 0
    attended_marks: int = 0
    recorded_marks: int = 0

    def add(self, other: Figures) -> None:
        """Count another part of the cohort in these figures."""
        for name in FIGURE_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def fill_rate(self) -> float | None:
        """Seats taken out of the seats offered, in percent."""
        return _percent(self.seats_taken, self.capacity)

    @property
    def attendance_rate(self) -> float | None:
        """Present or late marks out of present, late or absent ones, in percent."""
        return _percent(self.attended_marks, self.recorded_marks)

    @property
    def completion_rate(self) -> float | None:
        """Completed out of enrolled, in percent."""
        return _percent(self.completed, self.enrolled)

    @property
    def funnel(self) -> list[tuple[str, int]]:
        """The stages enrolled, took part, completed, certificate issued, with their counts."""
        return [(stage, getattr(self, stage)) for stage in FUNNEL]


FIGURE_NAMES = tuple(f.name for f in fields(Figures))


@dataclass
class CourseRow:
    id: int
    title: str
    open_to_caregivers: bool
    open_to_professionals: bool
    figures: Figures = field(default_factory=Figures)


@dataclass
class OrganiserDashboard:
    period: Period
    total: Figures
    courses: list[CourseRow]
    #: ("caregivers" | "professionals", figures); a course open to both counts in both.
    tracks: list[tuple[str, Figures]]
    #: ("YYYY-MM" of the editions' first day, figures), in order.
    months: list[tuple[str, Figures]]
    #: Distinct people per stage (enrolled, took_part, completed, certified) and kind.
    reach: dict[str, dict[str, int]]
    new_learners: int
    returning_learners: int


def _cohort(organiser_id: int, period: Period):
    """The ids of the cohort: the editions of the courses the organiser organises (alone or
    with others) whose first day is in the period."""
    return (
        select(Edition.id)
        .join(Course, Course.id == Edition.course_id)
        .where(Course.organised_by(organiser_id),
               Edition.starts_on >= period.start, Edition.starts_on <= period.end)
    )


@contextmanager
def hash_joins() -> Iterator[None]:
    """Statements of a whole period's figures, planned without nested loops on PostgreSQL.

    Its estimates for these grouped subqueries are often one row (a region of few members,
    an organiser owning every course), and a nested loop over a grouped subquery that really
    has 20,000 rows took a minute at ten times the history, where hash joins take half a
    second. Only for the statements in the block (the transaction's setting is put back).
    """
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        db.session.execute(text("SET LOCAL enable_nestloop = off"))
    try:
        yield
    finally:
        if postgres:
            db.session.execute(text("SET LOCAL enable_nestloop = on"))


def enrolment_facts(cohort):
    """Per live enrolment of the cohort: seated, waiting, took part, completed, certified (0/1),
    and its learner's marks in the edition (present or late, and recorded)."""
    # Joins to small grouped sets, not EXISTS per enrolment: PostgreSQL's estimate for the
    # latter was a hundred times too high, enough to switch its JIT compiler on (100 ms).
    marks = (
        select(
            TrainingSession.edition_id.label("edition_id"),
            Attendance.learner_id.label("learner_id"),
            func.sum(case((Attendance.status.in_(ATTENDED), 1), else_=0)).label("attended"),
            func.sum(case((Attendance.status.in_(RECORDED), 1), else_=0)).label("recorded"),
        )
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.edition_id.in_(cohort))
        .group_by(TrainingSession.edition_id, Attendance.learner_id)
        .subquery()
    )
    issued = (
        select(Certificate.enrolment_id.label("enrolment_id"))
        .where(Certificate.edition_id.in_(cohort), Certificate.status == CertificateStatus.ISSUED)
        .group_by(Certificate.enrolment_id)
        .subquery()
    )
    seated = Enrolment.status.in_(SEATED_STATUSES)
    completed = Enrolment.status == EnrolmentStatus.COMPLETED
    flag = lambda condition: case((condition, 1), else_=0)  # noqa: E731
    # Only seated learners' marks count (one live enrolment per learner and edition).
    seated_marks = lambda column: case((seated, func.coalesce(column, 0)), else_=0)  # noqa: E731
    return (
        select(
            Enrolment.edition_id.label("edition_id"),
            Enrolment.learner_id.label("learner_id"),
            flag(seated).label("seated"),
            # A companion seat counts: seats taken are the edition's counter, not people.
            case((seated, Enrolment.seats), else_=0).label("seats"),
            flag(Enrolment.status == EnrolmentStatus.WAITLISTED).label("waiting"),
            # Each stage is a part of the one before: the funnel holds by construction.
            flag(and_(seated, or_(completed, marks.c.attended > 0))).label("took_part"),
            flag(completed).label("completed"),
            flag(and_(completed, issued.c.enrolment_id.is_not(None))).label("certified"),
            seated_marks(marks.c.attended).label("attended_marks"),
            seated_marks(marks.c.recorded).label("recorded_marks"),
        )
        .outerjoin(marks, and_(marks.c.edition_id == Enrolment.edition_id,
                               marks.c.learner_id == Enrolment.learner_id))
        .outerjoin(issued, issued.c.enrolment_id == Enrolment.id)
        .where(Enrolment.edition_id.in_(cohort),
               Enrolment.status.in_((*SEATED_STATUSES, EnrolmentStatus.WAITLISTED)))
        .subquery()
    )


def organiser_dashboard(organiser_id: int, period: Period) -> OrganiserDashboard:
    """The coordinator's figures of one organiser's cohort for a period, in two queries."""
    cohort = _cohort(organiser_id, period)
    facts = enrolment_facts(cohort)

    # 1. Per edition of the cohort, its counted figures; courses, tracks, months and the total
    # are sums of these.
    per_edition = (
        select(
            facts.c.edition_id,
            *(func.sum(facts.c[name]).label(name) for name in (
                "seated", "seats", "waiting", "took_part", "completed", "certified",
                "attended_marks", "recorded_marks")),
        )
        .group_by(facts.c.edition_id)
        .subquery()
    )
    zero = lambda column: func.coalesce(column, 0)  # noqa: E731
    rows = db.session.execute(
        select(
            Course.id, Course.title, Course.open_to_caregivers, Course.open_to_professionals,
            Edition.starts_on, Edition.capacity,
            *(zero(per_edition.c[name]) for name in (
                "seated", "seats", "waiting", "took_part", "completed", "certified",
                "attended_marks", "recorded_marks")),
        )
        .join(Course, Course.id == Edition.course_id)
        .outerjoin(per_edition, per_edition.c.edition_id == Edition.id)
        .where(Edition.id.in_(cohort))
        .order_by(Course.title, Course.id, Edition.starts_on, Edition.id)
    ).all()

    total = Figures()
    courses: dict[int, CourseRow] = {}
    months: dict[str, Figures] = {}
    for (course_id, title, caregivers, professionals, starts_on, capacity, seated, seats, waiting,
         took_part, completed, certified, attended, recorded) in rows:
        edition = Figures(
            editions=1, capacity=int(capacity), seats_taken=int(seats), waitlisted=int(waiting),
            enrolled=int(seated), took_part=int(took_part), completed=int(completed),
            certified=int(certified), attended_marks=int(attended), recorded_marks=int(recorded),
        )
        total.add(edition)
        row = courses.setdefault(course_id, CourseRow(course_id, title, caregivers, professionals))
        row.figures.add(edition)
        months.setdefault(starts_on.strftime("%Y-%m"), Figures()).add(edition)

    tracks = []
    for track, flag in TRACKS:
        figures = Figures()
        for row in courses.values():
            if getattr(row, flag):
                figures.add(row.figures)
        tracks.append((track, figures))

    reach, new, returning = _reach(organiser_id, period, facts)
    return OrganiserDashboard(
        period=period,
        total=total,
        courses=list(courses.values()),
        tracks=tracks,
        months=sorted(months.items()),
        reach=reach,
        new_learners=new,
        returning_learners=returning,
    )


def _reach(organiser_id: int, period: Period, facts) -> tuple[dict[str, dict[str, int]], int, int]:
    """2. Distinct people per stage and kind, and who held a seat here before (one query)."""
    people = (
        select(
            facts.c.learner_id.label("learner_id"),
            func.max(facts.c.took_part).label("took_part"),
            func.max(facts.c.completed).label("completed"),
            func.max(facts.c.certified).label("certified"),
        )
        .where(facts.c.seated == 1)
        .group_by(facts.c.learner_id)
        .subquery()
    )
    seated_before = (
        select(Enrolment.learner_id.label("learner_id"))
        .join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Enrolment.status.in_(SEATED_STATUSES),
               Course.organised_by(organiser_id),
               Edition.starts_on < period.start)
        .group_by(Enrolment.learner_id)
        .subquery()
    )
    reach = {stage: dict.fromkeys(KINDS, 0) for stage in FUNNEL}
    new = returning = 0
    for kind, enrolled, took_part, completed, certified, before in db.session.execute(
        select(
            User.kind, func.count(), func.sum(people.c.took_part), func.sum(people.c.completed),
            func.sum(people.c.certified),
            func.sum(case((seated_before.c.learner_id.is_not(None), 1), else_=0)),
        )
        .select_from(people)
        .join(User, User.id == people.c.learner_id)
        .outerjoin(seated_before, seated_before.c.learner_id == people.c.learner_id)
        .group_by(User.kind)
    ):
        returning += int(before or 0)
        new += int(enrolled) - int(before or 0)
        if kind is None:  # not a learner's account: a person, but of neither kind
            continue
        kind = kind.value if isinstance(kind, Kind) else kind
        for stage, count in zip(FUNNEL, (enrolled, took_part, completed, certified), strict=True):
            reach[stage][kind] = int(count or 0)
    return reach, new, returning
