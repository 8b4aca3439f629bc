"""Jobs are queued after the outermost commit only: a worker never looks for a row not yet there.

SQLAlchemy calls `after_commit` for a released savepoint too; on PostgreSQL a certificate job
queued then ran before its row was committed, found nothing, and waited five minutes for the
requeue.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from college import timeutil
from college.attendance.recording import record_attendance
from college.certificates.models import Certificate, CertificateStatus
from college.extensions import db
from college.jobs import enqueue_after_commit, queue
from tests.conftest import run_worker

JOB = "college.completion.tasks.complete_finished_editions"


def _waiting(name: str = "default") -> int:
    return queue(name).count


def test_a_job_asked_inside_a_savepoint_waits_for_the_outer_commit(app):
    db.session.execute(select(1))
    with db.session.begin_nested():
        enqueue_after_commit("default", JOB)
    assert _waiting() == 0  # the savepoint's release is not a commit
    db.session.commit()
    assert _waiting() == 1


def test_a_rolled_back_savepoint_drops_its_job_and_keeps_the_others(app):
    enqueue_after_commit("default", JOB)
    savepoint = db.session.begin_nested()
    enqueue_after_commit("default", JOB)
    savepoint.rollback()
    db.session.commit()
    assert _waiting() == 1


def test_a_rolled_back_transaction_queues_nothing(app):
    with db.session.begin_nested():
        enqueue_after_commit("default", JOB)
    db.session.rollback()
    db.session.commit()
    assert _waiting() == 0


def test_a_roster_that_completes_five_learners_queues_their_certificates_after_commit(app, make):
    """Five completions in one transaction: five jobs, queued once the roster is committed."""
    organiser = make.organiser()
    trainer = make.trainer(organiser)
    course = make.course(organiser, min_attendance_pct=100)
    edition = make.edition(course, trainers=[trainer], starts_on=timeutil.today())
    # The session is over: the trainer enters the paper sign-in sheet.
    session = make.session(edition, starts_at=timeutil.now() - timedelta(hours=3))
    learners = [make.learner(name=f"Leerling {n}") for n in range(5)]
    for learner in learners:
        make.enrolment(learner, edition)

    record_attendance(session_id=session.id, records={learner.id: "present" for learner in learners},
                      actor=trainer)
    assert _waiting("certificates") == 0  # nothing before the roster is committed
    db.session.commit()
    assert _waiting("certificates") == 5
    run_worker(app)  # a real worker, no requeue
    statuses = db.session.scalars(select(Certificate.status)).all()
    assert statuses == [CertificateStatus.ISSUED] * 5
