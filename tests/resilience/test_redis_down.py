"""Redis stops in the middle of a working day: the College keeps working and catches up later.

A real redis-server of the test's own is stopped while learners browse, enrol, take the quiz
and are marked present, and the trainer completes the course; what could not be queued stays
recorded in the database. Once Redis is back, the requeue commands (or the periodic jobs) and a
real worker bring every certificate, mail and export through.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from college import timeutil
from college.certificates.models import Certificate, CertificateStatus
from college.enrolment.models import Enrolment, EnrolmentStatus, Notification, NotificationStatus
from college.extensions import db
from college.jobs import PERIODIC_JOBS, queue
from college.learning.models import Attempt
from college.privacy.models import DataExport, ExportStatus
from tests.conftest import Auth, post_form, run_worker
from tests.learning.helpers import Setting, build_quiz, choice_ids


def _statuses(model, column) -> list:
    db.session.expire_all()
    return list(db.session.scalars(select(column).order_by(model.id)))


def _outage_day(app, redis_server, make, caplog, clock):
    """Everything a day brings, with Redis stopped; returns the learner and the certificate."""
    client = app.test_client()
    auth = Auth(client)
    organiser = make.organiser()
    trainer = make.trainer(organiser, name="Tine Trainer")
    coordinator = make.coordinator(organiser)
    course = make.course(organiser, title="Tillen en verplaatsen", min_attendance_pct=100)
    edition = make.edition(course, trainers=[trainer], starts_on=timeutil.today() + timedelta(days=1))
    session = make.session(edition, starts_at=timeutil.now() + timedelta(days=1))
    learner = make.learner(name="Mevrouw Maes")
    ids = choice_ids(build_quiz(Setting(course, trainer, learner, edition)))

    redis_server.stop()
    caplog.set_level(logging.WARNING)

    # Browsing.
    assert client.get("/courses").status_code == 200
    page = client.get(f"/courses/{course.id}")
    assert page.status_code == 200 and "Tillen en verplaatsen" in page.get_data(as_text=True)

    # Enrolling: the enrolment is saved, its mail waits in the outbox.
    auth.login_as(learner)
    assert post_form(client, f"/editions/{edition.id}/enrol", page="/my/trainings").status_code == 302
    assert "You are enrolled" in client.get("/my/trainings").get_data(as_text=True)
    assert _statuses(Notification, Notification.status) == [NotificationStatus.PENDING]

    # Taking the quiz, one question per screen, and handing it in.
    assert post_form(client, f"/courses/{course.id}/quiz/start",
                     page=f"/courses/{course.id}/learning").status_code == 302
    attempt_id = db.session.scalar(select(Attempt.id))
    for number, question in ids.items():
        response = post_form(client, f"/quiz/attempts/{attempt_id}/questions/{number + 1}",
                             {"question_id": str(question["question"]),
                              "choice": [str(c) for c in question["correct"]], "go": "next"},
                             page="/")
        assert response.status_code == 302
    assert post_form(client, f"/quiz/attempts/{attempt_id}/submit", page="/").status_code == 302
    assert "you passed" in client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)

    # Asking for a data export: it waits in the database.
    assert post_form(client, "/account/privacy/export", page="/account/privacy").status_code == 303
    assert _statuses(DataExport, DataExport.status) == [ExportStatus.QUEUED]
    auth.logout()

    # After the session the trainer marks attendance: the course is complete, the certificate
    # waits.
    clock.move_to(session.ends_at + timedelta(minutes=5))
    auth.login_as(trainer)
    roster = f"/sessions/{session.id}/roster"
    assert "Mevrouw Maes" in client.get(roster).get_data(as_text=True)
    assert post_form(client, roster, {f"status-{learner.id}": "present"}).status_code == 302
    assert _statuses(Enrolment, Enrolment.status) == [EnrolmentStatus.COMPLETED]
    assert _statuses(Certificate, Certificate.status) == [CertificateStatus.QUEUED]
    auth.logout()

    # The coordinator's certificate page (which asks Redis for job progress) still shows.
    auth.login_as(coordinator)
    page = client.get(f"/editions/{edition.id}/certificates")
    assert page.status_code == 200 and "Mevrouw Maes" in page.get_data(as_text=True)
    auth.logout()

    assert caplog.text.count("could not enqueue") == 3  # the mail, the export, the certificate
    # Rate limiting fails open: the token endpoint answers, and says so in the log.
    # Flask-Limiter says once, at the first limited request of the outage, that it fell back.
    response = client.post("/api/v1/auth/tokens",
                           json={"email": learner.email, "password": "not the password"})
    assert response.status_code == 401
    assert any("rate limit storage unreachable" in record.getMessage().lower()
               for record in caplog.records), [record.getMessage() for record in caplog.records]
    return client, auth, learner


def _everything_came_through(client, auth, learner, mails: tuple[str, ...] = ("enrolled",)) -> None:
    assert _statuses(Certificate, Certificate.status) == [CertificateStatus.ISSUED]
    assert _statuses(Notification, Notification.status) == [NotificationStatus.LOGGED] * len(mails)
    assert sorted(db.session.scalars(select(Notification.kind))) == sorted(mails)
    assert _statuses(DataExport, DataExport.status) == [ExportStatus.READY]
    auth.login_as(learner)
    certificate_id = db.session.scalar(select(Certificate.id))
    response = client.get(f"/certificates/{certificate_id}/download")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    export_id = db.session.scalar(select(DataExport.id))
    assert client.get(f"/account/privacy/exports/{export_id}.zip").status_code == 200


def test_redis_down_then_the_requeue_commands_catch_up(own_redis_app, redis_server, make, caplog,
                                                       clock):
    client, auth, learner = _outage_day(own_redis_app, redis_server, make, caplog, clock)
    redis_server.start()
    runner = own_redis_app.test_cli_runner()
    for command, expected in (("requeue-certificates", "1"), ("send-notifications", "1"),
                              ("requeue-exports", "1")):
        result = runner.invoke(args=["college", command])
        assert result.exit_code == 0 and expected in result.output, (command, result.output)
    run_worker(own_redis_app)
    _everything_came_through(client, auth, learner)


def test_redis_down_then_the_periodic_jobs_catch_up(own_redis_app, redis_server, make, caplog,
                                                     clock):
    client, auth, learner = _outage_day(own_redis_app, redis_server, make, caplog, clock)
    redis_server.start()
    # What the worker's cron scheduler does at its intervals: queue each periodic job.
    for queue_name, path, _key, _seconds in PERIODIC_JOBS:
        queue(queue_name).enqueue(path)
    run_worker(own_redis_app)
    # The periodic jobs also invite the learner to evaluate the training that just ended.
    _everything_came_through(client, auth, learner, mails=("enrolled", "evaluation"))
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


@pytest.mark.parametrize("path", ["/", "/courses", "/health/live", "/login", "/register"])
def test_public_pages_answer_with_redis_down(own_redis_app, redis_server, path):
    redis_server.stop()
    assert own_redis_app.test_client().get(path).status_code == 200


def test_readiness_says_redis_is_down_and_recovers(own_redis_app, redis_server):
    client = own_redis_app.test_client()
    assert client.get("/health/ready").get_json() == {"status": "ok", "database": "ok", "redis": "ok"}
    redis_server.stop()
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "ok", "redis": "unreachable"}
    assert client.get("/health").status_code == 503
    redis_server.start()
    assert client.get("/health/ready").status_code == 200
