"""The completion rule: one place decides whether an enrolment is complete.

The rule comes from the course: an attendance percentage (present and late count, excused
sessions leave the denominator), every published module done when `modules_required`, and a
passed quiz when the course has a current quiz. `college.completion.services` applies it
whenever an input changes; dashboards and pages read it from here, never from a copy.

Edge cases, decided here once:
- an edition without sessions meets any attendance threshold (there is nothing to attend);
- but an enrolment is only complete when the rule asks for something (sessions with a threshold
  above 0, published modules to do, or a quiz): an edition whose sessions are not planned yet
  must not complete everyone and hand out certificates for nothing;
- a learner excused for every session attended nothing, so only a threshold of 0 is met;
- sessions not recorded yet (future, or not entered) count as not attended;
- the threshold is met when attended / (sessions - excused) >= threshold, compared in integers,
  so "exactly met" is met;
- nothing is complete before the training has happened: every session of the edition must
  have ended (attendance can be recorded from 30 minutes before a session, and a trainer may
  tap "everyone present" early, but no certificate exists for a session still to come). The
  engine completes such enrolments when the last session ends (`complete_finished_editions`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, select

from college import timeutil
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment.models import SEATED_STATUSES, Enrolment, EnrolmentStatus
from college.extensions import db
from college.learning.models import Attempt, AttemptStatus, Module, ModuleCompletion, Quiz


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


@dataclass(frozen=True)
class CompletionCheck:
    """What the rule says about one enrolment, and what is still missing."""

    enrolment_id: int
    learner_id: int
    status: EnrolmentStatus
    sessions: int
    attended: int
    excused: int
    unrecorded: int
    min_attendance_pct: int
    modules_required: bool = False
    modules_total: int = 0
    modules_done: int = 0
    quiz_required: bool = False
    quiz_passed: bool = False
    #: Sessions of the edition that have not ended yet.
    sessions_to_come: int = 0
    #: When the edition's last session ends (None without sessions).
    last_session_ends_at: datetime | None = None

    @property
    def training_over(self) -> bool:
        """Has every session of the edition ended?"""
        return self.sessions_to_come == 0

    @property
    def counted_sessions(self) -> int:
        """The denominator: sessions that were not excused."""
        return self.sessions - self.excused

    @property
    def attendance_pct(self) -> int | None:
        """Attendance rounded down to a whole percent; None when nothing counts."""
        if self.counted_sessions <= 0:
            return None
        return self.attended * 100 // self.counted_sessions

    @property
    def attendance_met(self) -> bool:
        """Attended / (sessions - excused) reaches the threshold (see the module's edge cases)."""
        if self.sessions == 0 or self.min_attendance_pct == 0:
            return True
        if self.counted_sessions <= 0:
            return False
        return self.attended * 100 >= self.min_attendance_pct * self.counted_sessions

    @property
    def sessions_needed(self) -> int:
        """How many sessions must be attended (of those not excused) to meet the threshold."""
        if self.sessions == 0:
            return 0
        needed = _ceil_div(self.min_attendance_pct * self.counted_sessions, 100)
        # Excused for everything still needs one attended session, unless the threshold is 0.
        return max(needed, 1 if self.min_attendance_pct > 0 else 0)

    @property
    def may_still_miss(self) -> int:
        """Sessions not recorded yet that the learner may still miss and meet the threshold."""
        return max(min(self.attended + self.unrecorded - self.sessions_needed, self.unrecorded), 0)

    @property
    def cannot_reach_attendance(self) -> bool:
        """Even attending every session not recorded yet would not meet the threshold."""
        return self.attended + self.unrecorded < self.sessions_needed

    @property
    def modules_met(self) -> bool:
        """Every published module done, when the course requires modules."""
        return not self.modules_required or self.modules_done >= self.modules_total

    @property
    def quiz_met(self) -> bool:
        """A passed attempt at any version of the quiz, when the course has a current quiz."""
        return not self.quiz_required or self.quiz_passed

    @property
    def asks_something(self) -> bool:
        """Does the rule ask for anything: sessions to attend, modules to do, a quiz?"""
        return (
            (self.sessions > 0 and self.min_attendance_pct > 0)
            or (self.modules_required and self.modules_total > 0)
            or self.quiz_required
        )

    @property
    def requirements_met(self) -> bool:
        """The rule asks something and every part of it is met (the training may still run)."""
        return self.asks_something and self.attendance_met and self.modules_met and self.quiz_met

    @property
    def complete(self) -> bool:
        """Every part of the rule is met and every session has ended."""
        return self.requirements_met and self.training_over

    @property
    def missing_items(self) -> list[str]:
        """Plain sentences naming what is still missing (empty when complete)."""
        items = []
        if not self.asks_something:
            items.append(_l("nothing to complete yet: no sessions, modules or quiz"))
        if not self.attendance_met:
            items.append(
                _l(
                    "attendance: %(attended)d of %(needed)d sessions attended",
                    attended=self.attended,
                    needed=self.sessions_needed,
                )
            )
        if not self.modules_met:
            items.append(
                _l(
                    "modules: %(done)d of %(total)d done",
                    done=self.modules_done,
                    total=self.modules_total,
                )
            )
        if not self.quiz_met:
            items.append(_l("quiz: not passed yet"))
        if not self.training_over and self.last_session_ends_at is not None:
            items.append(
                _l("the training is not over yet: its last session ends on %(day)s",
                   day=format_date(timeutil.local(self.last_session_ends_at).date(), "d MMMM y"))
            )
        return items


def completion_checks(
    edition_id: int, learner_ids: Iterable[int] | None = None, moment: datetime | None = None
) -> dict[int, CompletionCheck]:
    """The rule applied to the seated enrolments of an edition, by learner id (fixed queries)."""
    moment = moment or timeutil.now()
    # The course's rule and the edition's sessions and quiz in one round trip.
    of_edition = TrainingSession.edition_id == Edition.id
    row = db.session.execute(
        select(
            Course.id, Course.min_attendance_pct, Course.modules_required,
            select(func.count(TrainingSession.id)).where(of_edition).scalar_subquery(),
            select(func.coalesce(func.sum(case((TrainingSession.ends_at > moment, 1), else_=0)), 0))
            .where(of_edition).scalar_subquery(),
            select(func.max(TrainingSession.ends_at)).where(of_edition).scalar_subquery(),
            exists().where(Quiz.course_id == Course.id, Quiz.is_current.is_(True)),
        )
        .select_from(Edition)
        .join(Course, Course.id == Edition.course_id)
        .where(Edition.id == edition_id)
    ).one_or_none()
    if row is None:
        return {}
    course_id, min_pct, modules_required, sessions, to_come, last_end, quiz_required = row

    enrolment_query = select(Enrolment.id, Enrolment.learner_id, Enrolment.status).where(
        Enrolment.edition_id == edition_id, Enrolment.status.in_(SEATED_STATUSES)
    )
    if learner_ids is not None:
        learner_ids = list(learner_ids)
        enrolment_query = enrolment_query.where(Enrolment.learner_id.in_(learner_ids))
    enrolments = db.session.execute(enrolment_query).all()
    if not enrolments:
        return {}
    seated = [learner_id for _, learner_id, _ in enrolments]

    counts: dict[int, dict[AttendanceStatus, int]] = {}
    for learner_id, status, number in db.session.execute(
        select(Attendance.learner_id, Attendance.status, func.count(Attendance.id))
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .where(TrainingSession.edition_id == edition_id, Attendance.learner_id.in_(seated))
        .group_by(Attendance.learner_id, Attendance.status)
    ):
        counts.setdefault(learner_id, {})[status] = number

    modules_total = 0
    modules_done: dict[int, int] = {}
    if modules_required:
        published = select(Module.id).where(
            Module.course_id == course_id, Module.published.is_(True)
        )
        modules_total = db.session.scalar(select(func.count()).select_from(published.subquery()))
        modules_done = dict(
            db.session.execute(
                select(ModuleCompletion.learner_id, func.count(ModuleCompletion.module_id))
                .where(
                    ModuleCompletion.module_id.in_(published),
                    ModuleCompletion.learner_id.in_(seated),
                )
                .group_by(ModuleCompletion.learner_id)
            ).all()
        )

    passed: set[int] = set()
    if quiz_required:
        passed = set(
            db.session.scalars(
                select(Attempt.learner_id)
                .join(Quiz, and_(Quiz.id == Attempt.quiz_id, Quiz.course_id == course_id))
                .where(
                    Attempt.learner_id.in_(seated),
                    Attempt.status == AttemptStatus.SUBMITTED,
                    Attempt.passed.is_(True),
                )
                .distinct()
            )
        )

    checks = {}
    for enrolment_id, learner_id, status in enrolments:
        by_status = counts.get(learner_id, {})
        recorded = sum(by_status.values())
        checks[learner_id] = CompletionCheck(
            enrolment_id=enrolment_id,
            learner_id=learner_id,
            status=status,
            sessions=sessions,
            attended=by_status.get(AttendanceStatus.PRESENT, 0)
            + by_status.get(AttendanceStatus.LATE, 0),
            excused=by_status.get(AttendanceStatus.EXCUSED, 0),
            unrecorded=max(sessions - recorded, 0),
            min_attendance_pct=min_pct,
            modules_required=modules_required,
            modules_total=modules_total,
            modules_done=modules_done.get(learner_id, 0),
            quiz_required=quiz_required,
            quiz_passed=learner_id in passed,
            sessions_to_come=int(to_come),
            last_session_ends_at=last_end,
        )
    return checks


def check_enrolment(enrolment_id: int) -> CompletionCheck | None:
    """The rule applied to one enrolment; None when it holds no seat."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.status not in SEATED_STATUSES:
        return None
    return completion_checks(enrolment.edition_id, [enrolment.learner_id]).get(enrolment.learner_id)
