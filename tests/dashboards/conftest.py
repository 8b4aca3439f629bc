"""A small organiser's worth of activity, built straight into the tables, at any scale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from college import timeutil
from college.accounts.models import Kind
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import TrainingSession
from college.certificates.models import Certificate, CertificateStatus
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from college.learning.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Choice,
    Module,
    ModuleCompletion,
    Question,
    QuestionKind,
    Quiz,
)

STATUSES = [AttendanceStatus.PRESENT, AttendanceStatus.PRESENT, AttendanceStatus.LATE,
            AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED]


class Activity:
    """Handles on what build() made, for the assertions."""


@pytest.fixture()
def build(make):
    def build(scale: int = 1) -> Activity:
        a = Activity()
        a.organiser = make.organiser(name="Mantelzorghub Leiestreek")
        a.coordinator = make.coordinator(a.organiser)
        a.trainer = make.trainer(a.organiser, name="Trainer Tine")
        a.course = make.course(a.organiser, title="Signalen van overbelasting",
                               open_to_caregivers=True, open_to_professionals=True,
                               min_attendance_pct=75)
        start = timeutil.today() - timedelta(days=40)
        a.edition = make.edition(a.course, trainers=[a.trainer], starts_on=start, sessions=4,
                                 capacity=10 * scale)
        a.sessions = list(db.session.scalars(
            select(TrainingSession).where(TrainingSession.edition_id == a.edition.id)
            .order_by(TrainingSession.starts_at)))
        a.learners = []
        for i in range(5 * scale):
            kind = Kind.CAREGIVER if i % 2 == 0 else Kind.PROFESSIONAL
            learner = make.learner(kind=kind, name=f"Leerling {i:04d}")
            status = EnrolmentStatus.COMPLETED if i % 5 == 0 else EnrolmentStatus.ENROLLED
            make.enrolment(learner, a.edition, status=status,
                           completed_at=timeutil.now() if status == EnrolmentStatus.COMPLETED else None)
            a.learners.append(learner)
        a.waiting = make.learner(name="Wachtende Wim")
        make.enrolment(a.waiting, a.edition, status=EnrolmentStatus.WAITLISTED)

        modules = [Module(course_id=a.course.id, position=p, title=f"Module {p}") for p in (1, 2)]
        db.session.add_all(modules)
        quiz = Quiz(course_id=a.course.id)
        q1 = Question(quiz=quiz, position=1, kind=QuestionKind.SINGLE, text="Wat is respijtzorg?")
        q2 = Question(quiz=quiz, position=2, kind=QuestionKind.MULTIPLE, text="Welke signalen?")
        c11 = Choice(question=q1, position=1, text="Tijdelijke overname van zorg", correct=True)
        c12 = Choice(question=q1, position=2, text="Een ziekenhuis", correct=False)
        c21 = Choice(question=q2, position=1, text="Slecht slapen", correct=True)
        c22 = Choice(question=q2, position=2, text="Prikkelbaar", correct=True)
        c23 = Choice(question=q2, position=3, text="Veel sporten", correct=False)
        db.session.add_all([quiz, q1, q2, c11, c12, c21, c22, c23])
        db.session.flush()
        for i, learner in enumerate(a.learners):
            # Learner 1 (mod 5) misses the first two sessions: at risk.
            for n, session in enumerate(a.sessions):
                status = AttendanceStatus.ABSENT if (i % 5 == 1 and n < 2) else STATUSES[(i + n) % 5]
                if i % 5 == 0:
                    status = AttendanceStatus.PRESENT
                db.session.add(Attendance(session_id=session.id, learner_id=learner.id, status=status))
            for module in modules[: 2 if i % 5 == 0 else i % 3]:
                db.session.add(ModuleCompletion(module_id=module.id, learner_id=learner.id))
            if i % 5 != 4:
                first_right = i % 2 == 0
                attempt = Attempt(quiz_id=quiz.id, learner_id=learner.id, number=1,
                                  status=AttemptStatus.SUBMITTED, submitted_at=timeutil.now(),
                                  score_pct=100.0 if first_right else 25.0, passed=first_right)
                db.session.add(attempt)
                db.session.flush()
                picks = [(q1, c11), (q2, c21), (q2, c22)] if first_right else [(q1, c12), (q2, c21), (q2, c23)]
                for question, choice in picks:
                    db.session.add(Answer(attempt_id=attempt.id, question_id=question.id,
                                          choice_id=choice.id))
        db.session.commit()
        for enrolment in db.session.scalars(
            select(Enrolment).where(Enrolment.edition_id == a.edition.id,
                                    Enrolment.status == EnrolmentStatus.COMPLETED)
        ):
            db.session.add(Certificate(enrolment_id=enrolment.id, learner_id=enrolment.learner_id,
                                       edition_id=a.edition.id, status=CertificateStatus.ISSUED,
                                       verification_code=f"CODE{enrolment.id:08d}",
                                       issued_at=timeutil.now()))
        db.session.commit()
        return a

    return build
