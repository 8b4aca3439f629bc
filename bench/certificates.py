"""Benchmark (not a test): certificates through the RQ queue with one and two workers, against
WeasyPrint rendering the same HTML directly in a warm process; peak RSS of the workers.

    .venv/bin/python bench/certificates.py [-n 40] [--memory-renders 1000]

Uses a throw-away SQLite database and embedded Redis unless DATABASE_URL / REDIS_URL are set
(then it works in them: use a scratch database; its tables are created if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.summary import Figure, record  # noqa: E402
from tests.stack import resident_kib  # noqa: E402


def make_app(config: dict):
    from college import create_app

    os.environ.setdefault("SECRET_KEY", "benchmark-secret-key")
    return create_app(config)


def worker_main(config: dict) -> None:
    """Run one worker until SIGTERM, then print its peak RSS and its children's peak RSS (KiB)."""
    import resource

    from college.jobs import make_worker

    app = make_app(config)
    with app.app_context():
        make_worker(app).work(burst=False, logging_level="WARNING")
    print(json.dumps({
        "worker_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "horse_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }), flush=True)


def setup_data(n: int) -> list[int]:
    """N completed enrolments of one edition (no certificates yet); returns the enrolment ids."""
    from college import timeutil
    from college.accounts.models import Kind, Organiser, User
    from college.catalogue.models import Course, Edition
    from college.enrolment.models import Enrolment, EnrolmentStatus
    from college.extensions import db

    stamp = time.time_ns()
    organiser = Organiser(name="Mantelzorghub Benchmark", slug=f"bench-{stamp}")
    db.session.add(organiser)
    db.session.flush()
    course = Course(organiser_id=organiser.id, title="Omgaan met dementie", hours=6, published=True)
    db.session.add(course)
    db.session.flush()
    today = timeutil.today()
    edition = Edition(course_id=course.id, starts_on=today - timedelta(days=14), ends_on=today)
    db.session.add(edition)
    db.session.flush()
    ids = []
    for i in range(n):
        learner = User(email=f"bench{stamp}-{i}@example.be", name=f"Leerling {i}", kind=Kind.CAREGIVER)
        db.session.add(learner)
        db.session.flush()
        enrolment = Enrolment(learner_id=learner.id, edition_id=edition.id,
                              status=EnrolmentStatus.COMPLETED, completed_at=timeutil.now())
        db.session.add(enrolment)
        db.session.flush()
        ids.append(enrolment.id)
    db.session.commit()
    return ids


def complete(enrolment_ids: list[int]) -> list[int]:
    """Send the completion signal for each enrolment (as the completion engine does) and commit."""
    from college import signals
    from college.certificates.services import live_certificate
    from college.extensions import db

    for enrolment_id in enrolment_ids:
        signals.enrolment_completed.send(None, enrolment_id=enrolment_id)
    db.session.commit()
    return [live_certificate(enrolment_id).id for enrolment_id in enrolment_ids]


def finished_count() -> int:
    """Jobs in the certificates queue's finished registry so far."""
    from rq.registry import FinishedJobRegistry

    from college.jobs import redis_connection

    return FinishedJobRegistry("certificates", connection=redis_connection()).count


def wait_issued(certificate_ids: list[int], start: int, timeout: float = 1800,
                watch_pid: int | None = None) -> list[tuple[int, float]]:
    """Wait until every certificate is issued; polls Redis (cheap), then checks the database.

    `start` is the finished registry's count before the jobs were queued (a warm worker
    finishes the first ones before this function is called). With watch_pid, returns (renders done, that process's RSS in MiB) samples along the way.
    """
    from rq.registry import FailedJobRegistry, FinishedJobRegistry
    from sqlalchemy import func, select

    from college.certificates.models import Certificate, CertificateStatus
    from college.extensions import db
    from college.jobs import redis_connection

    connection = redis_connection()
    finished = FinishedJobRegistry("certificates", connection=connection)
    failed = FailedJobRegistry("certificates", connection=connection)
    target = start + len(certificate_ids)
    deadline = time.monotonic() + timeout
    samples: list[tuple[int, float]] = []
    step = max(len(certificate_ids) // 5, 1)
    while (done := finished.count) < target and not failed.count:
        if time.monotonic() > deadline:
            raise TimeoutError("certificates were not issued in time")
        if watch_pid and (not samples or done - start >= samples[-1][0] + step):
            samples.append((done - start, resident_kib(watch_pid) / 1024))
        time.sleep(0.05)
    if watch_pid:
        samples.append((len(certificate_ids), resident_kib(watch_pid) / 1024))
    db.session.rollback()
    issued = db.session.scalar(
        select(func.count()).where(Certificate.id.in_(certificate_ids),
                                   Certificate.status == CertificateStatus.ISSUED)
    )
    if issued != len(certificate_ids):
        raise RuntimeError(f"only {issued} of {len(certificate_ids)} certificates were issued")
    return samples


def start_workers(count: int, config: dict) -> list[subprocess.Popen]:
    from rq import Worker

    from college.jobs import redis_connection

    before = Worker.count(connection=redis_connection())
    workers = [
        subprocess.Popen([sys.executable, __file__, "--worker", json.dumps(config)], cwd=ROOT,
                         stdout=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    while Worker.count(connection=redis_connection()) < before + count:
        time.sleep(0.05)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> list[dict]:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    return [json.loads(worker.communicate(timeout=120)[0].strip().splitlines()[-1]) for worker in workers]


def queued_run(n: int, workers_count: int, config: dict) -> tuple[float, list[dict], list]:
    """Seconds for N certificates from completion to issued with that many workers, the
    workers' peak RSS, and RSS samples of the first worker along the way."""
    enrolment_ids = setup_data(n)
    workers = start_workers(workers_count, config)
    try:
        before = finished_count()
        started = time.perf_counter()
        certificate_ids = complete(enrolment_ids)
        samples = wait_issued(certificate_ids, before, watch_pid=workers[0].pid)
        elapsed = time.perf_counter() - started
    finally:
        rss = stop_workers(workers)
    return elapsed, rss, samples


def bare_run(n: int) -> float:
    """Seconds for WeasyPrint alone to render the same certificate HTML N times, warm."""
    from college.certificates.rendering import load_for_rendering, render_certificate_html
    from college.jobs import queue
    from college.pdf import html_to_pdf

    certificate_ids = complete(setup_data(n))
    htmls = [render_certificate_html(load_for_rendering(id_)) for id_ in certificate_ids]
    queue("certificates").empty()  # these were only needed for their HTML

    def render(html: str) -> bytes:
        return html_to_pdf(html, archival=True)

    render(htmls[0])  # warm-up
    started = time.perf_counter()
    for html in htmls:
        render(html)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40, help="certificates per throughput run")
    parser.add_argument("--memory-renders", type=int, default=1000,
                        help="renders through one worker for the peak-RSS figure")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(json.loads(args.worker))
        return

    scratch = Path(tempfile.mkdtemp(prefix="college-bench-"))
    config = {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{scratch / 'bench.sqlite'}",
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "EMBEDDED_REDIS_PATH": str(scratch / "redis.rdb"),
        "PUBLIC_BASE_URL": "https://college.example.be",
    }
    config["SQLALCHEMY_DATABASE_URI"] = config["SQLALCHEMY_DATABASE_URI"].replace(
        "postgresql://", "postgresql+psycopg://", 1)
    app = make_app(config)
    with app.app_context():
        from college.extensions import db

        db.create_all()
        dialect = db.engine.dialect.name
        n = args.n
        # Direct rendering before and after the queued runs, so a busy machine weighs on both.
        bare_before = bare_run(n)
        one, _, _ = queued_run(n, 1, config)
        two, _, _ = queued_run(n, 2, config)
        bare = (bare_before + bare_run(n)) / 2
        _, rss, samples = queued_run(args.memory_renders, 1, config)
        load = os.getloadavg()[0]

    rate = {name: n / seconds for name, seconds in (("bare", bare), ("one", one), ("two", two))}
    print(f"N = {n} certificates (PDF/A-3u, A4, QR), database {dialect}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f}")
    print(f"  WeasyPrint direct, warm process : {rate['bare']:6.2f} certificates/s "
          f"({1000 * bare / n:.0f} ms each)")
    print(f"  queue, one worker               : {rate['one']:6.2f} certificates/s "
          f"({1000 * one / n:.0f} ms each)")
    print(f"  queue, two workers              : {rate['two']:6.2f} certificates/s")
    print(f"  per certificate, one worker vs direct : {one / bare:.2f}x  (aim <= 1.3x)")
    print(f"  two workers vs one worker             : {rate['two'] / rate['one']:.2f}x  (aim >= 1.8x)")
    record(Figure("certificate", "a certificate through the queue, one worker",
                  f"{1000 * one / n:.0f} ms each", f"WeasyPrint alone, warm: {1000 * bare / n:.0f} ms",
                  one / bare, 1.3))
    record(Figure("two-workers", "two workers vs one", f"{rate['two']:.2f}/s",
                  f"one worker: {rate['one']:.2f}/s", rate["two"] / rate["one"], 1.8,
                  at_least=True))
    horse = rss[0]["horse_kib"] / 1024
    print(f"  peak RSS over {args.memory_renders} renders: worker {rss[0]['worker_kib'] / 1024:.0f} MiB"
          + (f", largest child {horse:.0f} MiB" if horse else " (no work horse: jobs run in the worker)"))
    print("  worker RSS (renders done: MiB): "
          + ", ".join(f"{done}: {mib:.0f}" for done, mib in samples))


if __name__ == "__main__":
    main()
