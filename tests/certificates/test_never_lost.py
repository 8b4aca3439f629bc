"""Never lost: Redis down at completion, a worker killed mid-render, failures and retries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import redis
import time_machine
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from college import timeutil
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.services import MAX_RENDER_ATTEMPTS
from college.extensions import db
from college.jobs import queue, redis_connection
from tests.certificates.helpers import certificates_of, complete_enrolment, organiser_of, run_worker
from tests.conftest import post_form

DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_redis_down_at_completion_keeps_it_queued_until_the_requeue_command(app, make, runner):
    working = app.extensions["college_redis"], app.config["REDIS_URL"]
    app.extensions["college_redis"] = redis.Redis.from_url(DEAD_REDIS, socket_connect_timeout=1)
    app.config["REDIS_URL"] = DEAD_REDIS
    try:
        enrolment = complete_enrolment(make)
        result = runner.invoke(args=["college", "requeue-certificates"])
        assert result.exit_code != 0
        assert "Redis cannot be reached" in result.output
    finally:
        app.extensions["college_redis"], app.config["REDIS_URL"] = working

    # The completion is saved; the certificate waits, and no job exists for it.
    [certificate] = certificates_of(enrolment.id)
    assert certificate.status == CertificateStatus.QUEUED
    run_worker(app)
    [certificate] = certificates_of(enrolment.id)
    assert certificate.status == CertificateStatus.QUEUED

    result = runner.invoke(args=["college", "requeue-certificates"])
    assert result.exit_code == 0, result.output
    assert "queued again: 1" in result.output
    # A second run finds the job alive and queues nothing twice.
    assert "queued again: 0" in runner.invoke(args=["college", "requeue-certificates"]).output

    run_worker(app)
    [certificate] = certificates_of(enrolment.id)
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.render_attempts == 1


def _worker_script(app) -> str:
    config = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "EMBEDDED_REDIS_PATH": app.config["EMBEDDED_REDIS_PATH"],
        "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
    }
    return (
        "from college import create_app\n"
        "from college.jobs import make_worker\n"
        f"app = create_app({config!r})\n"
        "with app.app_context():\n"
        "    make_worker(app).work(burst=True)\n"
    )


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def test_worker_killed_mid_render_leaves_the_certificate_to_be_picked_up(app, make, runner):
    enrolment = complete_enrolment(make)
    [certificate] = certificates_of(enrolment.id)
    root = Path(__file__).resolve().parents[2]
    worker = subprocess.Popen([sys.executable, "-c", _worker_script(app)], cwd=root,
                              env={**os.environ, "PYTHONPATH": str(root)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # The worker counts an attempt (committed) right before it renders.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.get(Certificate, certificate.id).render_attempts == 1:
                break
            time.sleep(0.005)
        # The worker renders in its own process (no work horse): killing it kills the render.
        assert _children(worker.pid) == [], "a worker forks no work horse per job"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(10)
    db.session.expire_all()
    certificate = db.session.get(Certificate, certificate.id)
    assert certificate.status == CertificateStatus.QUEUED  # killed before it could finish
    assert certificate.render_attempts == 1

    # While the dead worker's heartbeat is still fresh, its job counts as alive.
    assert "queued again: 0" in runner.invoke(args=["college", "requeue-certificates"]).output
    # Once the heartbeat has expired (RQ's own expiry: the job's timeout and a minute), the
    # safety net requeues it.
    with time_machine.travel(timeutil.now() + timedelta(minutes=5), tick=True):
        result = runner.invoke(args=["college", "requeue-certificates"])
    assert "queued again: 1" in result.output, result.output

    run_worker(app)
    db.session.expire_all()
    certificate = db.session.get(Certificate, certificate.id)
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.render_attempts == 2


def test_failed_certificate_shows_its_error_and_a_coordinator_retries_it(app, make, client, auth):
    enrolment = complete_enrolment(make)
    [certificate] = certificates_of(enrolment.id)
    # The state a render leaves after its last retry failed (the job records it so).
    from college.certificates.services import record_render_failure

    record_render_failure(certificate.id, "OSError: font cache unreadable", final=True)
    edition = enrolment.edition_id
    coordinator = make.coordinator(organiser_of(edition))
    auth.login_as(coordinator)

    page = client.get(f"/editions/{edition}/certificates").get_data(as_text=True)
    assert "failed" in page
    assert "OSError: font cache unreadable" in page

    response = post_form(client, f"/certificates/{certificate.id}/retry",
                         page=f"/editions/{edition}/certificates")
    assert response.status_code == 302
    run_worker(app)
    db.session.expire_all()
    certificate = db.session.get(Certificate, certificate.id)
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.error is None

    # Retrying what did not fail is refused, and nothing changes.
    response = post_form(client, f"/certificates/{certificate.id}/retry",
                         page=f"/editions/{edition}/certificates")
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status == CertificateStatus.ISSUED


def test_requeue_gives_failed_certificates_their_attempts_left_and_stops_after(app, make, runner):
    first = complete_enrolment(make)
    second = complete_enrolment(make)
    [with_attempts_left] = certificates_of(first.id)
    [exhausted] = certificates_of(second.id)
    db.session.execute(update(Certificate).where(Certificate.id == with_attempts_left.id)
                       .values(status=CertificateStatus.FAILED, render_attempts=3, error="boom"))
    db.session.execute(update(Certificate).where(Certificate.id == exhausted.id)
                       .values(status=CertificateStatus.FAILED, render_attempts=MAX_RENDER_ATTEMPTS,
                               error="boom"))
    db.session.commit()
    redis_connection(app).flushdb()  # the jobs of their first attempts are long gone

    result = runner.invoke(args=["college", "requeue-certificates"])
    assert "queued again: 1" in result.output, result.output
    run_worker(app)
    db.session.expire_all()
    statuses = dict(db.session.execute(select(Certificate.id, Certificate.status)).all())
    assert statuses == {with_attempts_left.id: CertificateStatus.ISSUED,
                        exhausted.id: CertificateStatus.FAILED}



def test_the_workers_cron_scheduler_runs_the_requeue_periodically(app, make):
    from college.jobs import start_cron

    working = app.extensions["college_redis"], app.config["REDIS_URL"]
    app.extensions["college_redis"] = redis.Redis.from_url(DEAD_REDIS, socket_connect_timeout=1)
    app.config["REDIS_URL"] = DEAD_REDIS
    try:
        enrolment = complete_enrolment(make)  # queued, but its job never reached Redis
    finally:
        app.extensions["college_redis"], app.config["REDIS_URL"] = working

    cron = start_cron(app)
    try:
        queue = redis_connection(app)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not queue.llen("rq:queue:certificates"):
            time.sleep(0.05)
    finally:
        cron.terminate()
        cron.join(10)
    run_worker(app)  # runs the requeue job, then the render job it queued
    [certificate] = certificates_of(enrolment.id)
    assert certificate.status == CertificateStatus.ISSUED


def test_a_job_lost_between_queue_and_worker_is_queued_again(app, make, runner):
    """A worker killed right after taking the job off the queue: the job is in no queue or
    registry, yet says "queued". The requeue finds it and a worker issues the certificate."""
    enrolment = complete_enrolment(make)
    [certificate] = certificates_of(enrolment.id)
    connection = redis_connection(app)
    certificates_queue = queue("certificates")
    assert certificates_queue.get_job_ids() == [certificate.job_id]
    connection.lrem(certificates_queue.key, 0, certificate.job_id)  # what the kill leaves
    assert Job.fetch(certificate.job_id, connection=connection).get_status() == JobStatus.QUEUED

    result = runner.invoke(args=["college", "requeue-certificates"])
    assert "queued again: 1" in result.output, result.output
    assert "queued again: 0" in runner.invoke(args=["college", "requeue-certificates"]).output
    run_worker(app)
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status == CertificateStatus.ISSUED
