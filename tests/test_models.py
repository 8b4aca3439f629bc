"""The database itself refuses rows that break the rules, and deletes follow a deliberate plan.

Rows are written directly (ORM objects or SQL), without services, so these tests show what the
schema enforces on its own, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError

from college import timeutil
from college.accounts.models import Kind, Membership, Organiser, User
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession, edition_trainer
from college.certificates.models import Certificate, CertificateStatus
from college.enrolment.models import Enrolment, EnrolmentStatus, Notification
from college.extensions import db
from college.learning.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Choice,
    Module,
    Question,
    QuestionKind,
    Quiz,
)


def assert_refused(*rows, sql: str | None = None, **params) -> None:
    """The database refuses the rows (or the SQL statement), and keeps nothing of them."""
    with pytest.raises(IntegrityError):
        if sql is not None:
            db.session.execute(text(sql), params)
        db.session.add_all(rows)
        db.session.commit()
    db.session.rollback()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- users and organisers ------------------------------------------------------------------


def test_email_is_stored_lower_case(make):
    assert_refused(User(email="Maria@Example.be", name="Maria", kind=Kind.CAREGIVER))
    assert count(User) == 0


def test_email_is_unique(make):
    make.learner(email="maria@example.be")
    assert_refused(User(email="maria@example.be", name="Maria bis", kind=Kind.CAREGIVER))
    assert count(User) == 1


def test_managed_accounts_without_email_are_allowed(make):
    """Email is optional (managed accounts); several accounts may have none."""
    make.learner(email=None, password=None)
    make.learner(email=None, password=None)
    assert count(User) == 2


def test_a_learner_has_a_kind(make):
    assert_refused(User(email="jan@example.be", name="Jan", kind=None, is_learner=True))
    # Staff who are not learners need no kind.
    db.session.add(User(email="staff@example.be", name="Staf", kind=None, is_learner=False))
    db.session.commit()


def test_unknown_kind_is_refused(make):
    user = make.learner()
    assert_refused(sql="UPDATE \"user\" SET kind = 'doctor' WHERE id = :id", id=user.id)


def test_membership_is_a_staff_role(make):
    organiser, user = make.organiser(), make.learner()
    assert_refused(
        sql="INSERT INTO membership (user_id, organiser_id, role, created_at) "
        "VALUES (:user, :organiser, 'learner', :now)",
        user=user.id, organiser=organiser.id, now=timeutil.now().replace(tzinfo=None),
    )
    assert count(Membership) == 0


def test_organiser_slug_is_unique(make):
    db.session.add(Organiser(name="Mantelzorghub Gent", slug="mantelzorghub-gent"))
    db.session.commit()
    assert_refused(Organiser(name="Mantelzorghub Gent", slug="mantelzorghub-gent"))


# --- courses, editions, sessions -----------------------------------------------------------


def test_a_course_is_open_to_at_least_one_track(make):
    organiser = make.organiser()
    assert_refused(Course(organiser_id=organiser.id, title="Niemand", open_to_caregivers=False,
                          open_to_professionals=False))


@pytest.mark.parametrize("column", ["quiz_pass_pct", "min_attendance_pct"])
@pytest.mark.parametrize("value", [-1, 101])
def test_pass_marks_are_between_0_and_100(make, column, value):
    organiser = make.organiser()
    assert_refused(Course(organiser_id=organiser.id, title="Grenzen", **{column: value}))
    assert count(Course) == 0


@pytest.mark.parametrize("value", [0, 100])
def test_pass_marks_of_0_and_100_are_allowed(make, value):
    make.course(quiz_pass_pct=value, min_attendance_pct=value)
    assert count(Course) == 1


def test_hours_are_not_negative(make):
    organiser = make.organiser()
    assert_refused(Course(organiser_id=organiser.id, title="Negatief", hours=-1))


@pytest.mark.parametrize("field", ["capacity", "seats_taken", "waitlist_length"])
def test_edition_counters_are_not_negative(make, field):
    course = make.course()
    day = timeutil.today()
    assert_refused(Edition(course_id=course.id, starts_on=day, ends_on=day, **{field: -1}))
    assert count(Edition) == 0


def test_capacity_zero_is_allowed(make):
    make.edition(capacity=0)
    assert count(Edition) == 1


def test_an_edition_ends_after_it_starts(make):
    course = make.course()
    day = timeutil.today()
    assert_refused(Edition(course_id=course.id, starts_on=day, ends_on=day - timedelta(days=1)))


def test_a_session_ends_after_it_starts(make):
    edition = make.edition()
    start = timeutil.now()
    assert_refused(TrainingSession(edition_id=edition.id, starts_at=start, ends_at=start))


# --- enrolments ------------------------------------------------------------------------------


def _enrolment(learner, edition, status=EnrolmentStatus.ENROLLED, position=None):
    return Enrolment(learner_id=learner.id, edition_id=edition.id, status=status,
                     waitlist_position=position)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (EnrolmentStatus.ENROLLED, EnrolmentStatus.ENROLLED),
        (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED),
        (EnrolmentStatus.COMPLETED, EnrolmentStatus.ENROLLED),
    ],
)
def test_one_live_enrolment_per_learner_and_edition(make, first, second):
    learner, edition = make.learner(), make.edition()
    db.session.add(_enrolment(learner, edition, first))
    db.session.commit()
    position = 1 if second == EnrolmentStatus.WAITLISTED else None
    assert_refused(_enrolment(learner, edition, second, position))
    assert count(Enrolment) == 1


def test_cancelled_enrolments_stay_as_history_beside_a_live_one(make):
    learner, edition = make.learner(), make.edition()
    db.session.add_all([_enrolment(learner, edition, EnrolmentStatus.CANCELLED),
                        _enrolment(learner, edition, EnrolmentStatus.CANCELLED)])
    db.session.commit()
    db.session.add(_enrolment(learner, edition, EnrolmentStatus.ENROLLED))
    db.session.commit()
    assert count(Enrolment) == 3


@pytest.mark.parametrize(
    ("status", "position"),
    [
        (EnrolmentStatus.WAITLISTED, None),
        (EnrolmentStatus.ENROLLED, 1),
        (EnrolmentStatus.WAITLISTED, 0),
    ],
)
def test_waitlist_position_only_and_always_when_waitlisted(make, status, position):
    learner, edition = make.learner(), make.edition()
    assert_refused(_enrolment(learner, edition, status, position))


def test_unknown_enrolment_status_is_refused(make):
    learner, edition = make.learner(), make.edition()
    enrolment = make.enrolment(learner, edition)
    assert_refused(sql="UPDATE enrolment SET status = 'lost' WHERE id = :id", id=enrolment.id)


def test_notification_dedupe_key_is_unique(make):
    learner = make.learner()
    row = dict(user_id=learner.id, kind="enrolled", dedupe_key="enrolled:1", subject="s", body="b")
    db.session.add(Notification(**row))
    db.session.commit()
    assert_refused(Notification(**row))


# --- attendance --------------------------------------------------------------------------------


def test_one_attendance_row_per_session_and_learner(make):
    learner, edition = make.learner(), make.edition(sessions=1)
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.edition_id == edition.id))
    db.session.add(Attendance(session_id=session.id, learner_id=learner.id,
                              status=AttendanceStatus.PRESENT))
    db.session.commit()
    assert_refused(Attendance(session_id=session.id, learner_id=learner.id,
                              status=AttendanceStatus.ABSENT))
    assert db.session.scalar(select(Attendance.status)) == AttendanceStatus.PRESENT


# --- modules and quizzes ---------------------------------------------------------------------


def _quiz(course, **fields) -> Quiz:
    quiz = Quiz(course_id=course.id, **fields)
    db.session.add(quiz)
    db.session.commit()
    return quiz


def test_module_minutes_are_not_negative(make):
    course = make.course()
    assert_refused(Module(course_id=course.id, title="Negatief", minutes=-5))


def test_one_current_quiz_per_course_and_unique_versions(make):
    course = make.course()
    _quiz(course, version=1, is_current=True)
    assert_refused(Quiz(course_id=course.id, version=2, is_current=True))
    assert_refused(Quiz(course_id=course.id, version=1, is_current=False))
    _quiz(course, version=2, is_current=False)
    assert count(Quiz) == 2


@pytest.mark.parametrize("field", ["max_attempts", "time_limit_minutes"])
def test_quiz_limits_are_positive(make, field):
    course = make.course()
    assert_refused(Quiz(course_id=course.id, **{field: 0}))


def test_one_open_attempt_and_unique_attempt_numbers(make):
    course, learner = make.course(), make.learner()
    quiz = _quiz(course)
    db.session.add(Attempt(quiz_id=quiz.id, learner_id=learner.id, number=1))
    db.session.commit()
    assert_refused(Attempt(quiz_id=quiz.id, learner_id=learner.id, number=2))
    assert_refused(Attempt(quiz_id=quiz.id, learner_id=learner.id, number=1,
                           status=AttemptStatus.SUBMITTED))
    db.session.add(Attempt(quiz_id=quiz.id, learner_id=learner.id, number=2,
                           status=AttemptStatus.SUBMITTED, score_pct=50))
    db.session.commit()
    assert count(Attempt) == 2


@pytest.mark.parametrize("score", [-0.5, 100.5])
def test_attempt_scores_are_between_0_and_100(make, score):
    course, learner = make.course(), make.learner()
    quiz = _quiz(course)
    assert_refused(Attempt(quiz_id=quiz.id, learner_id=learner.id, number=1, score_pct=score))


def test_a_choice_is_answered_once_per_attempt(make):
    course, learner = make.course(), make.learner()
    quiz = _quiz(course)
    question = Question(quiz_id=quiz.id, kind=QuestionKind.SINGLE, text="?")
    choice = Choice(text="Ja", correct=True)
    question.choices = [choice]
    attempt = Attempt(quiz_id=quiz.id, learner_id=learner.id, number=1)
    db.session.add_all([question, attempt])
    db.session.commit()
    row = dict(attempt_id=attempt.id, question_id=question.id, choice_id=choice.id)
    db.session.add(Answer(**row))
    db.session.commit()
    assert_refused(Answer(**row))


# --- certificates ------------------------------------------------------------------------------


def _certificate(enrolment, code, status=CertificateStatus.QUEUED) -> Certificate:
    return Certificate(enrolment_id=enrolment.id, learner_id=enrolment.learner_id,
                       edition_id=enrolment.edition_id, verification_code=code, status=status)


def test_one_live_certificate_per_enrolment(make):
    enrolment = make.enrolment(make.learner(), make.edition(), EnrolmentStatus.COMPLETED)
    db.session.add(_certificate(enrolment, "code-1", CertificateStatus.REVOKED))
    db.session.add(_certificate(enrolment, "code-2", CertificateStatus.ISSUED))
    db.session.commit()
    assert_refused(_certificate(enrolment, "code-3"))


def test_verification_codes_are_unique(make):
    edition = make.edition()
    first = make.enrolment(make.learner(), edition, EnrolmentStatus.COMPLETED)
    second = make.enrolment(make.learner(), edition, EnrolmentStatus.COMPLETED)
    db.session.add(_certificate(first, "same-code"))
    db.session.commit()
    assert_refused(_certificate(second, "same-code"))


# --- foreign keys and ON DELETE ----------------------------------------------------------------


def test_foreign_keys_are_enforced(make):
    assert_refused(Course(organiser_id=999_999, title="Zonder organisator"))


def test_an_organiser_with_courses_cannot_be_deleted(make):
    course = make.course()
    assert_refused(sql="DELETE FROM organiser WHERE id = :id", id=course.organiser_id)
    assert count(Course) == 1


def test_deleting_an_organiser_removes_memberships_and_releases_managed_accounts(make):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    managed = make.learner(email=None, password=None, managed_by_organiser_id=organiser.id)
    db.session.execute(delete(Organiser).where(Organiser.id == organiser.id))
    db.session.commit()
    db.session.expire_all()
    assert count(Membership) == 0
    assert db.session.get(User, coordinator.id) is not None
    assert db.session.get(User, managed.id).managed_by_organiser_id is None


def test_deleting_a_course_removes_its_editions_and_everything_below(make):
    trainer_org = make.organiser()
    trainer = make.trainer(trainer_org)
    course = make.course()
    edition = make.edition(course, trainers=[trainer], sessions=2)
    learner = make.learner()
    make.enrolment(learner, edition)
    session_id = db.session.scalar(select(TrainingSession.id).where(TrainingSession.edition_id == edition.id).limit(1))
    db.session.add(Attendance(session_id=session_id, learner_id=learner.id,
                              status=AttendanceStatus.PRESENT, recorded_by_id=trainer.id))
    db.session.add(Module(course_id=course.id, title="Module 1"))
    db.session.commit()
    _quiz(course)

    db.session.execute(delete(Course).where(Course.id == course.id))
    db.session.commit()
    for model in (Edition, TrainingSession, Enrolment, Attendance, Module, Quiz):
        assert count(model) == 0, model
    assert db.session.scalar(select(func.count()).select_from(edition_trainer)) == 0
    assert count(User) == 2  # people stay


def test_deleting_a_learner_removes_their_records(make):
    edition = make.edition(sessions=1)
    learner = make.learner()
    make.enrolment(learner, edition)
    session_id = db.session.scalar(select(TrainingSession.id))
    db.session.add(Attendance(session_id=session_id, learner_id=learner.id,
                              status=AttendanceStatus.LATE))
    quiz = _quiz(edition_course := db.session.get(Course, edition.course_id))
    assert edition_course is not None
    db.session.add(Attempt(quiz_id=quiz.id, learner_id=learner.id, number=1))
    db.session.commit()

    db.session.execute(delete(User).where(User.id == learner.id))
    db.session.commit()
    for model in (Enrolment, Attendance, Attempt):
        assert count(model) == 0, model
    assert count(Edition) == 1


def test_deleting_staff_keeps_what_they_recorded(make):
    organiser = make.organiser()
    trainer, coordinator = make.trainer(organiser), make.coordinator(organiser)
    edition = make.edition(sessions=1, trainers=[trainer])
    learner = make.learner()
    enrolment = make.enrolment(learner, edition, enrolled_by_id=coordinator.id)
    session_id = db.session.scalar(select(TrainingSession.id))
    db.session.add(Attendance(session_id=session_id, learner_id=learner.id,
                              status=AttendanceStatus.PRESENT, recorded_by_id=trainer.id))
    db.session.commit()

    db.session.execute(delete(User).where(User.id.in_([trainer.id, coordinator.id])))
    db.session.commit()
    db.session.expire_all()
    attendance = db.session.scalar(select(Attendance))
    assert attendance.recorded_by_id is None and attendance.status == AttendanceStatus.PRESENT
    assert db.session.get(Enrolment, enrolment.id).enrolled_by_id is None
    assert db.session.scalar(select(func.count()).select_from(edition_trainer)) == 0


def test_a_learner_or_edition_with_a_certificate_cannot_be_deleted(make):
    learner = make.learner()
    edition = make.edition()
    enrolment = make.enrolment(learner, edition, EnrolmentStatus.COMPLETED)
    db.session.add(_certificate(enrolment, "proof"))
    db.session.commit()
    assert_refused(sql='DELETE FROM "user" WHERE id = :id', id=learner.id)
    assert_refused(sql="DELETE FROM edition WHERE id = :id", id=edition.id)
    assert_refused(sql="DELETE FROM enrolment WHERE id = :id", id=enrolment.id)
    assert count(Certificate) == 1 and count(Enrolment) == 1
