"""The completion engine: the rule over its edge cases, its triggers, and its signals."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask_babel import force_locale

from college import timeutil
from college.attendance.models import Attendance, AttendanceStatus
from college.attendance.recording import record_attendance
from college.completion.rules import check_enrolment
from college.completion.services import refresh_completion
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from college.learning.models import Attempt, AttemptStatus, Module, ModuleCompletion, Quiz
from college.signals import (
    completion_rule_changed,
    enrolment_completed,
    enrolment_reopened,
    learning_progressed,
)

P, L, E, A = "present", "late", "excused", "absent"


@contextmanager
def captured(signal):
    """Collect the enrolment ids a signal is sent with."""
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs["enrolment_id"])

    with signal.connected_to(receiver):
        yield received


def enrolment_of(learner, edition) -> Enrolment:
    db.session.expire_all()
    return db.session.scalar(
        db.select(Enrolment).where(Enrolment.learner_id == learner.id,
                                   Enrolment.edition_id == edition.id)
    )


def setup_edition(make, sessions: int, threshold: int):
    organiser = make.organiser()
    trainer = make.trainer(organiser)
    course = make.course(organiser, min_attendance_pct=threshold)
    edition = make.edition(course)
    from tests.attendance.conftest import add_trainer

    add_trainer(edition, trainer)
    start = timeutil.now() - timedelta(days=30)
    made = [make.session(edition, starts_at=start + timedelta(days=i)) for i in range(sessions)]
    learner = make.learner()
    make.enrolment(learner, edition)
    return trainer, course, edition, made, learner


@pytest.mark.parametrize(
    ("statuses", "sessions", "threshold", "complete"),
    [
        ([], 0, 80, False),  # no sessions and nothing else asked: never complete for nothing
        ([P, P, P, A], 4, 75, True),  # threshold exactly met
        ([P, P, A, A], 4, 75, False),  # just below
        ([P, L, L, A], 4, 75, True),  # late counts as attended
        ([P, P, P, E], 4, 100, True),  # excused leaves the denominator
        ([P, P, E, A], 4, 67, False),  # 2 of 3 is 66.67%: below 67, no rounding up
        ([E, E, E, E], 4, 80, False),  # excused for everything attended nothing
        ([E, E, E, E], 4, 0, False),  # a threshold of 0 asks nothing
        ([P, P, P], 4, 75, True),  # 3 of 4 with one session not recorded yet
        ([P, P], 4, 75, False),
        ([A, A, A, A], 4, 0, False),
    ],
)
def test_attendance_rule(make, statuses, sessions, threshold, complete):
    trainer, _course, edition, made, learner = setup_edition(make, sessions, threshold)
    for session, status in zip(made, statuses, strict=False):
        record_attendance(session_id=session.id, records={learner.id: status}, actor=trainer)
    refresh_completion(edition.id)
    db.session.commit()
    expected = EnrolmentStatus.COMPLETED if complete else EnrolmentStatus.ENROLLED
    enrolment = enrolment_of(learner, edition)
    assert enrolment.status == expected
    assert (enrolment.completed_at is not None) == (expected == EnrolmentStatus.COMPLETED)


def test_exactly_two_thirds_meets_a_threshold_of_66(make):
    trainer, _course, edition, made, learner = setup_edition(make, 3, 66)
    record_attendance(session_id=made[0].id, records={learner.id: P}, actor=trainer)
    assert enrolment_of(learner, edition).status == EnrolmentStatus.ENROLLED
    record_attendance(session_id=made[1].id, records={learner.id: P}, actor=trainer)
    assert enrolment_of(learner, edition).status == EnrolmentStatus.COMPLETED


def test_recording_completes_once_and_a_correction_reopens(make):
    trainer, _course, edition, made, learner = setup_edition(make, 2, 100)
    with captured(enrolment_completed) as completed, captured(enrolment_reopened) as reopened:
        record_attendance(session_id=made[0].id, records={learner.id: P}, actor=trainer)
        record_attendance(session_id=made[1].id, records={learner.id: L}, actor=trainer)
        enrolment = enrolment_of(learner, edition)
        assert enrolment.status == EnrolmentStatus.COMPLETED
        # Idempotent: running again (or saving the same status) changes and sends nothing.
        assert refresh_completion(edition.id) == []
        record_attendance(session_id=made[1].id, records={learner.id: L}, actor=trainer)
        assert completed == [enrolment.id] and reopened == []
        # A correction: the learner was absent after all.
        record_attendance(session_id=made[1].id, records={learner.id: A}, actor=trainer)
        assert reopened == [enrolment.id]
    enrolment = enrolment_of(learner, edition)
    assert enrolment.status == EnrolmentStatus.ENROLLED and enrolment.completed_at is None


def test_waitlisted_and_cancelled_enrolments_are_left_alone(make):
    _trainer, _course, edition, _made, _learner = setup_edition(make, 0, 80)
    waiting = make.learner()
    make.enrolment(waiting, edition, status=EnrolmentStatus.WAITLISTED)
    cancelled = make.learner()
    make.enrolment(cancelled, edition, status=EnrolmentStatus.CANCELLED)
    refresh_completion(edition.id)
    db.session.commit()
    assert enrolment_of(waiting, edition).status == EnrolmentStatus.WAITLISTED
    assert enrolment_of(cancelled, edition).status == EnrolmentStatus.CANCELLED


def add_module(course, published=True) -> Module:
    module = Module(course_id=course.id, title="Signalen van overbelasting", published=published)
    db.session.add(module)
    db.session.commit()
    return module


def test_modules_required_waits_for_every_published_module(make):
    _trainer, course, edition, _made, learner = setup_edition(make, 0, 80)
    course.modules_required = True
    first, second = add_module(course), add_module(course)
    add_module(course, published=False)  # a draft is not required
    with captured(enrolment_completed) as completed:
        completion_rule_changed.send(None, course_id=course.id)
        db.session.commit()
        check = check_enrolment(enrolment_of(learner, edition).id)
        assert (check.modules_done, check.modules_total, check.complete) == (0, 2, False)
        with force_locale("en"):
            assert [str(item) for item in check.missing_items] == ["modules: 0 of 2 done"]
        for module in (first, second):
            db.session.add(ModuleCompletion(module_id=module.id, learner_id=learner.id))
            learning_progressed.send(None, course_id=course.id, learner_id=learner.id)
            db.session.commit()
    assert enrolment_of(learner, edition).status == EnrolmentStatus.COMPLETED
    assert len(completed) == 1


def add_quiz(course, version=1, current=True) -> Quiz:
    quiz = Quiz(course_id=course.id, version=version, is_current=current)
    db.session.add(quiz)
    db.session.commit()
    return quiz


def add_attempt(quiz, learner, passed, number=1, status=AttemptStatus.SUBMITTED) -> None:
    db.session.add(Attempt(quiz_id=quiz.id, learner_id=learner.id, number=number, status=status,
                           passed=passed, score_pct=80 if passed else 20))


def test_quiz_must_be_passed_in_any_version(make):
    _trainer, course, edition, _made, learner = setup_edition(make, 0, 80)
    old = add_quiz(course, version=1, current=False)
    add_quiz(course, version=2)
    completion_rule_changed.send(None, course_id=course.id)
    db.session.commit()
    assert enrolment_of(learner, edition).status == EnrolmentStatus.ENROLLED
    add_attempt(old, learner, passed=False)
    add_attempt(old, learner, passed=True, number=2, status=AttemptStatus.OPEN)
    learning_progressed.send(None, course_id=course.id, learner_id=learner.id)
    db.session.commit()
    assert enrolment_of(learner, edition).status == EnrolmentStatus.ENROLLED
    add_attempt(old, learner, passed=True, number=3)
    learning_progressed.send(None, course_id=course.id, learner_id=learner.id)
    db.session.commit()
    assert enrolment_of(learner, edition).status == EnrolmentStatus.COMPLETED


def add_unsignalled_attendance(session, learner, status=AttendanceStatus.PRESENT) -> None:
    """An attendance row written behind the engine's back, so a test can trigger it itself."""
    db.session.add(Attendance(session_id=session.id, learner_id=learner.id, status=status))
    db.session.commit()


def test_a_course_without_a_current_quiz_needs_no_quiz(make):
    _trainer, course, edition, made, learner = setup_edition(make, 1, 80)
    add_quiz(course, current=False)
    add_unsignalled_attendance(made[0], learner)
    completion_rule_changed.send(None, course_id=course.id)
    db.session.commit()
    assert enrolment_of(learner, edition).status == EnrolmentStatus.COMPLETED


def test_zero_sessions_complete_on_modules_alone(make):
    _trainer, course, edition, _made, learner = setup_edition(make, 0, 80)
    course.modules_required = True
    module = add_module(course)
    db.session.add(ModuleCompletion(module_id=module.id, learner_id=learner.id))
    learning_progressed.send(None, course_id=course.id, learner_id=learner.id)
    db.session.commit()
    assert enrolment_of(learner, edition).status == EnrolmentStatus.COMPLETED


def test_rule_change_reopens_and_completes(make):
    trainer, course, edition, made, learner = setup_edition(make, 2, 50)
    record_attendance(session_id=made[0].id, records={learner.id: P}, actor=trainer)
    assert enrolment_of(learner, edition).status == EnrolmentStatus.COMPLETED
    with captured(enrolment_reopened) as reopened:
        course = db.session.get(type(course), course.id)
        course.min_attendance_pct = 100
        completion_rule_changed.send(None, course_id=course.id)
        db.session.commit()
    assert reopened == [enrolment_of(learner, edition).id]
    assert enrolment_of(learner, edition).status == EnrolmentStatus.ENROLLED


def test_receivers_never_commit(make):
    _trainer, course, edition, made, learner = setup_edition(make, 1, 80)
    add_unsignalled_attendance(made[0], learner)
    completion_rule_changed.send(None, course_id=course.id)
    assert enrolment_of_unflushed(learner, edition).status == EnrolmentStatus.COMPLETED
    db.session.rollback()  # the sender changes its mind: nothing may stay behind
    assert enrolment_of(learner, edition).status == EnrolmentStatus.ENROLLED


def enrolment_of_unflushed(learner, edition) -> Enrolment:
    return db.session.scalar(
        db.select(Enrolment).where(Enrolment.learner_id == learner.id,
                                   Enrolment.edition_id == edition.id)
    )


def test_learner_sees_attendance_and_sessions_they_may_still_miss(client, auth, classroom, clock):
    trainer = classroom.trainer
    record_attendance(session_id=classroom.sessions[0].id,
                      records={classroom.ann.id: P, classroom.bart.id: A}, actor=trainer)
    clock.move_to(classroom.sessions[1].starts_at)
    record_attendance(session_id=classroom.sessions[1].id,
                      records={classroom.ann.id: E, classroom.bart.id: A}, actor=trainer)
    auth.login_as(classroom.ann)
    page = client.get("/my/attendance").get_data(as_text=True)
    # Ann: 1 attended, 1 excused; of the 3 counted sessions she needs 3 * 75% -> 3, so 0 to miss.
    assert "You attended 1 of 4 sessions." in page and "Excused: 1." in page
    assert "You may still miss 0 sessions." in page
    assert "Omgaan met dementie" in page and "excused" in page and "not recorded" in page
    auth.logout()
    auth.login_as(classroom.bart)
    page = client.get("/my/attendance").get_data(as_text=True)
    assert "can no longer reach the required attendance of 75%" in page


def test_may_still_miss_counts_down(make):
    trainer, _course, edition, made, learner = setup_edition(make, 8, 75)
    check = check_enrolment(enrolment_of(learner, edition).id)
    assert (check.sessions_needed, check.may_still_miss) == (6, 2)
    assert not check.cannot_reach_attendance
    record_attendance(session_id=made[0].id, records={learner.id: A}, actor=trainer)
    check = check_enrolment(enrolment_of(learner, edition).id)
    assert (check.may_still_miss, check.cannot_reach_attendance) == (1, False)
    record_attendance(session_id=made[1].id, records={learner.id: E}, actor=trainer)
    check = check_enrolment(enrolment_of(learner, edition).id)
    # 7 counted sessions need 6 (5.25 rounded up); 6 left to attend: none to spare.
    assert (check.sessions_needed, check.may_still_miss) == (6, 0)
    record_attendance(session_id=made[2].id, records={learner.id: A}, actor=trainer)
    assert check_enrolment(enrolment_of(learner, edition).id).cannot_reach_attendance


def test_trainer_sees_what_each_learner_still_misses(client, auth, classroom, clock):
    course = db.session.get(type(classroom.course), classroom.course.id)
    course.modules_required = True
    add_module(course)
    add_quiz(course)
    for session in classroom.sessions[:3]:
        clock.move_to(session.starts_at)
        record_attendance(session_id=session.id,
                          records={classroom.ann.id: P, classroom.bart.id: A},
                          actor=classroom.trainer)
    auth.login_as(classroom.trainer)
    page = client.get(f"/editions/{classroom.edition.id}/attendance").get_data(as_text=True)
    ann = page[page.index("Ann Aerts"):page.index("Bart Bosmans")]
    bart = page[page.index("Bart Bosmans"):]
    assert "3 / 4 (75%)" in ann and "attendance:" not in ann
    assert "modules: 0 of 1 done" in ann and "quiz: not passed yet" in ann
    assert "attendance: 0 of 3 sessions attended" in bart
    assert "can no longer reach the threshold" in bart


def test_a_new_session_reopens_and_a_deleted_one_completes_again(make):
    """Adding a session lowers everyone's share; the completion follows the calendar."""
    from college.catalogue.services import create_session, delete_session
    from college.enrolment.models import Enrolment, EnrolmentStatus

    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    course = make.course(organiser, min_attendance_pct=100)
    edition = make.edition(course, sessions=1,
                           starts_on=timeutil.today() - timedelta(days=3))
    learner = make.learner()
    enrolment = make.enrolment(learner, edition)
    from sqlalchemy import select

    from college.catalogue.models import TrainingSession

    only = db.session.scalar(select(TrainingSession).where(TrainingSession.edition_id == edition.id))
    record_attendance(session_id=only.id, records={learner.id: AttendanceStatus.PRESENT},
                      actor=coordinator)
    assert db.session.get(Enrolment, enrolment.id).status == EnrolmentStatus.COMPLETED

    from datetime import time

    extra = create_session(coordinator, edition, day=edition.starts_on,
                           starts=time(18), ends=time(20), title="", room="")
    assert db.session.get(Enrolment, enrolment.id).status == EnrolmentStatus.ENROLLED
    delete_session(coordinator, extra)
    assert db.session.get(Enrolment, enrolment.id).status == EnrolmentStatus.COMPLETED


def test_a_seat_taken_when_the_rule_is_already_met_completes_at_once(make):
    """A learner who did the course's modules in one edition meets its rule in the next one
    the moment they hold a seat there: enrolled, or moved up from the waiting list.

    Found by the invariant tests (tests/invariants): such seats stayed "enrolled", without a
    certificate, because nothing the engine listens to changed.
    """
    from college.certificates.models import Certificate
    from college.enrolment.services import change_capacity, enrol_learner
    from college.learning.modules import complete_module

    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    course = make.course(organiser, min_attendance_pct=80, modules_required=True)
    module = add_module(course)
    first = make.edition(course)  # no sessions planned: the modules are the whole rule
    learner, waiting = make.learner(), make.learner()
    for person in (learner, waiting):
        make.enrolment(person, first)
        complete_module(person, course.id, module.id)
        db.session.commit()
        assert enrolment_of(person, first).status == EnrolmentStatus.COMPLETED

    second = make.edition(course, capacity=1)
    enrol_learner(edition_id=second.id, actor=learner)
    enrol_learner(edition_id=second.id, actor=waiting)
    db.session.commit()
    assert enrolment_of(learner, second).status == EnrolmentStatus.COMPLETED
    assert enrolment_of(waiting, second).status == EnrolmentStatus.WAITLISTED

    change_capacity(edition_id=second.id, capacity=2, actor=coordinator)
    db.session.commit()
    assert enrolment_of(waiting, second).status == EnrolmentStatus.COMPLETED
    certified = db.session.scalars(
        db.select(Certificate.learner_id).where(Certificate.edition_id == second.id)).all()
    assert sorted(certified) == sorted([learner.id, waiting.id])


def test_a_session_moved_to_a_later_day_reopens_until_it_has_ended(make, clock):
    """Moving the last session to a day still to come: the training is not over after all.

    Found while writing the invariant tests' "move a session" step (tests/invariants): the
    completion and its certificate stayed, for a session that had not taken place yet.
    """
    from datetime import time

    from college.catalogue.models import TrainingSession
    from college.catalogue.services import update_session
    from college.certificates.models import Certificate, CertificateStatus

    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    course = make.course(organiser, min_attendance_pct=100)
    yesterday = timeutil.today() - timedelta(days=1)
    edition = make.edition(course, sessions=1, starts_on=yesterday,
                           ends_on=yesterday + timedelta(days=3))
    learner = make.learner()
    enrolment = make.enrolment(learner, edition)
    only = db.session.scalar(db.select(TrainingSession).where(TrainingSession.edition_id == edition.id))
    record_attendance(session_id=only.id, records={learner.id: P}, actor=coordinator)
    db.session.commit()
    assert db.session.get(Enrolment, enrolment.id).status == EnrolmentStatus.COMPLETED

    update_session(coordinator, only, day=yesterday + timedelta(days=2), starts=time(14),
                   ends=time(16))
    db.session.commit()
    assert db.session.get(Enrolment, enrolment.id).status == EnrolmentStatus.ENROLLED
    assert db.session.scalar(db.select(Certificate.status).where(
        Certificate.enrolment_id == enrolment.id)) == CertificateStatus.REVOKED

    clock.advance(timedelta(days=3))
    from college.completion.tasks import complete_finished_editions

    complete_finished_editions()
    assert db.session.get(Enrolment, enrolment.id).status == EnrolmentStatus.COMPLETED
