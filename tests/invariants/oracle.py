"""The College's rules and figures recomputed from the rows, in plain Python.

The invariant tests compare what the services wrote and what the dashboards report with
these: a second, deliberately naive reading of the same rules (no SQL aggregates, no shared
code with the completion engine or the dashboards), so a slip in either shows as a mismatch.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from college.accounts.models import User
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession
from college.certificates.models import Certificate, CertificateStatus
from college.enrolment.models import Enrolment, EnrolmentStatus, OfferOutcome, WaitlistOffer
from college.extensions import db
from college.learning.models import Attempt, AttemptStatus, Module, ModuleCompletion, Quiz

SEATED = {EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED}
ATTENDED = {AttendanceStatus.PRESENT, AttendanceStatus.LATE}
RECORDED = ATTENDED | {AttendanceStatus.ABSENT}


@dataclass
class Rows:
    """Every row the rules read, loaded once per check."""

    courses: dict[int, Course]
    editions: dict[int, Edition]
    sessions: dict[int, TrainingSession]
    enrolments: list[Enrolment]
    marks: list[Attendance]
    certificates: list[Certificate]
    modules: list[Module]
    module_done: set[tuple[int, int]]
    quizzes: list[Quiz]
    attempts: list[Attempt]
    kinds: dict[int, str | None]
    offers: list[WaitlistOffer]

    @classmethod
    def load(cls) -> Rows:
        rows = lambda model: list(db.session.scalars(select(model)))  # noqa: E731
        return cls(
            courses={c.id: c for c in rows(Course)},
            editions={e.id: e for e in rows(Edition)},
            sessions={s.id: s for s in rows(TrainingSession)},
            enrolments=rows(Enrolment),
            marks=rows(Attendance),
            certificates=rows(Certificate),
            modules=rows(Module),
            module_done={(m.module_id, m.learner_id) for m in rows(ModuleCompletion)},
            quizzes=rows(Quiz),
            attempts=rows(Attempt),
            kinds={u.id: (u.kind.value if u.kind else None) for u in rows(User)},
            offers=rows(WaitlistOffer),
        )

    def held_seats(self, edition_id: int) -> list[WaitlistOffer]:
        """Open waiting-list offers: each holds a seat, which is taken though nobody sits in it."""
        return [o for o in self.offers
                if o.edition_id == edition_id and o.outcome == OfferOutcome.OPEN]

    def sessions_of(self, edition_id: int) -> list[TrainingSession]:
        return [s for s in self.sessions.values() if s.edition_id == edition_id]

    def marks_of(self, edition_id: int, learner_id: int) -> list[AttendanceStatus]:
        return [m.status for m in self.marks if m.learner_id == learner_id
                and self.sessions[m.session_id].edition_id == edition_id]

    def live_certificates(self, enrolment_id: int) -> list[Certificate]:
        return [c for c in self.certificates
                if c.enrolment_id == enrolment_id and c.status != CertificateStatus.REVOKED]

    def issued(self, enrolment_id: int) -> bool:
        return any(c.status == CertificateStatus.ISSUED for c in self.live_certificates(enrolment_id))


@dataclass
class Verdict:
    """The completion rule for one seated enrolment, worked out by hand."""

    attendance_met: bool
    modules_met: bool
    quiz_met: bool
    asks_something: bool
    training_over: bool

    @property
    def complete(self) -> bool:
        return (self.asks_something and self.attendance_met and self.modules_met
                and self.quiz_met and self.training_over)


def verdict(rows: Rows, enrolment: Enrolment, now: datetime) -> Verdict:
    """The course's rule applied to an enrolment, as DOMAIN and the README state it."""
    edition = rows.editions[enrolment.edition_id]
    course = rows.courses[edition.course_id]
    sessions = rows.sessions_of(edition.id)
    marks = rows.marks_of(edition.id, enrolment.learner_id)
    attended = sum(1 for m in marks if m in ATTENDED)
    counted = len(sessions) - sum(1 for m in marks if m == AttendanceStatus.EXCUSED)
    pct = course.min_attendance_pct
    attendance_met = (not sessions or pct == 0
                      or (counted > 0 and attended * 100 >= pct * counted))
    published = [m.id for m in rows.modules if m.course_id == course.id and m.published]
    done = sum(1 for module_id in published if (module_id, enrolment.learner_id) in rows.module_done)
    modules_met = not course.modules_required or done >= len(published)
    quiz_ids = {q.id for q in rows.quizzes if q.course_id == course.id}
    has_quiz = any(q.is_current for q in rows.quizzes if q.course_id == course.id)
    passed = any(a.quiz_id in quiz_ids and a.learner_id == enrolment.learner_id
                 and a.status == AttemptStatus.SUBMITTED and a.passed for a in rows.attempts)
    return Verdict(
        attendance_met=attendance_met,
        modules_met=modules_met,
        quiz_met=not has_quiz or passed,
        asks_something=(bool(sessions) and pct > 0) or (course.modules_required and bool(published))
        or has_quiz,
        training_over=all(s.ends_at <= now for s in sessions),
    )


FIGURES = ("editions", "capacity", "seats_taken", "waitlisted", "enrolled", "took_part",
           "completed", "certified", "attended_marks", "recorded_marks")


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, int]:
        return {name: self.counts[name] for name in FIGURES}


def organiser_figures(rows: Rows, organiser_id: int, start: date, end: date) -> dict:
    """The coordinator's figures of the cohort of [start, end], counted row by row."""
    cohort = {e.id: e for e in rows.editions.values()
              if rows.courses[e.course_id].organiser_id == organiser_id
              and start <= e.starts_on <= end}
    total, courses, months = Tally(), defaultdict(Tally), defaultdict(Tally)
    tracks = {"caregivers": Tally(), "professionals": Tally()}
    people: dict[int, dict[str, int]] = {}
    for edition in cohort.values():
        course = rows.courses[edition.course_id]
        counts = Counter(editions=1, capacity=edition.capacity)
        for enrolment in rows.enrolments:
            if enrolment.edition_id != edition.id:
                continue
            seated = enrolment.status in SEATED
            counts["waitlisted"] += enrolment.status == EnrolmentStatus.WAITLISTED
            if not seated:
                continue
            marks = rows.marks_of(edition.id, enrolment.learner_id)
            completed = enrolment.status == EnrolmentStatus.COMPLETED
            stages = {
                "enrolled": 1,
                "took_part": int(completed or any(m in ATTENDED for m in marks)),
                "completed": int(completed),
                "certified": int(completed and rows.issued(enrolment.id)),
            }
            counts.update(stages)
            counts["seats_taken"] += enrolment.seats  # 2 with a companion
            counts["attended_marks"] += sum(1 for m in marks if m in ATTENDED)
            counts["recorded_marks"] += sum(1 for m in marks if m in RECORDED)
            person = people.setdefault(enrolment.learner_id, dict.fromkeys(stages, 0))
            for stage, value in stages.items():
                person[stage] = max(person[stage], value)
        for tally in (total, courses[course.id], months[edition.starts_on.strftime("%Y-%m")]):
            tally.counts.update(counts)
        if course.open_to_caregivers:
            tracks["caregivers"].counts.update(counts)
        if course.open_to_professionals:
            tracks["professionals"].counts.update(counts)

    reach = {stage: {"caregiver": 0, "professional": 0}
             for stage in ("enrolled", "took_part", "completed", "certified")}
    for learner_id, stages in people.items():
        kind = rows.kinds[learner_id]
        for stage, value in stages.items():
            if kind in ("caregiver", "professional"):
                reach[stage][kind] += value
    seated_before = {
        enrolment.learner_id for enrolment in rows.enrolments
        if enrolment.status in SEATED
        and rows.courses[rows.editions[enrolment.edition_id].course_id].organiser_id == organiser_id
        and rows.editions[enrolment.edition_id].starts_on < start
    }
    returning = sum(1 for learner_id in people if learner_id in seated_before)
    return {
        "total": total.as_dict(),
        "courses": {course_id: tally.as_dict() for course_id, tally in courses.items()},
        "months": {month: tally.as_dict() for month, tally in sorted(months.items())},
        "tracks": {track: tally.as_dict() for track, tally in tracks.items()},
        "reach": reach,
        "new_learners": len(people) - returning,
        "returning_learners": returning,
    }
