"""Load test (not part of the test suite): 50 concurrent users against gunicorn on PostgreSQL.

    .venv/bin/python bench/load.py [--users 50 --duration 120 --max-requests 40000
                                    --workers 4 --database-url postgresql+psycopg://...]

It creates a fresh PostgreSQL database (its name must contain "load"; it is dropped and made
again), applies the migrations, seeds an organiser with published courses and editions,
trainers with full editions and 400 learners, and starts on the loopback interface only: a
redis-server of its own, gunicorn (`gunicorn wsgi:app`) and a real RQ worker
(`flask college worker`). Then for a fixed time, and at most --max-requests requests, it runs:
  - visitors browsing the catalogue and course pages,
  - learners who log in and enrol (the CSRF token read from the form, as a browser does),
    sometimes sending the same enrolment twice (a double click: it must be refused),
  - trainers posting attendance rosters of their sessions.
It reports per endpoint the count, errors and p50/p95/p99 latency, and afterwards checks that
no row was lost or duplicated: seats_taken and waitlist_length equal the enrolments per
edition, no learner holds two live enrolments of one edition, every accepted enrolment is
there, every posted attendance status is the one stored with exactly one audit row per change,
and (once the worker is idle) every completed enrolment has exactly one issued certificate.
Exits non-zero when any request erred or any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from tests.stack import Stack  # noqa: E402

PASSWORD = "load-test-password-2026"  # noqa: S105  (the seeded accounts of a scratch database)
LEARNERS = 400
TRAINERS = 5
COURSES = 20
EDITIONS_PER_COURSE = 2
TRAINER_EDITIONS = 2  # per trainer, full, with four sessions each
SEATED_PER_TRAINER_EDITION = 16

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ENROL_FORM = re.compile(r'action="/editions/(\d+)/enrol"')
WAS = re.compile(r'name="was-(\d+)" value="([a-z]*)"')
COURSE_LINK = re.compile(r'href="/courses/(\d+)"')
STATUSES = ("present", "present", "present", "late", "absent", "excused")


# ------------------------------------------------------------------------------ set-up


def seed(env: dict) -> dict:
    """The organiser, courses, editions, trainers and learners; returns what the users need."""
    os.environ.update(env)
    from college import create_app, timeutil
    from college.accounts.models import Kind, Language, Membership, Organiser, Role, User
    from college.accounts.passwords import hash_password
    from college.catalogue.models import Course, Edition, TrainingSession
    from college.enrolment.models import Enrolment, EnrolmentStatus
    from college.extensions import db

    app = create_app()
    with app.app_context():
        organiser = Organiser(name="Mantelzorghub Belasting", slug="belasting", municipality="Deinze")
        db.session.add(organiser)
        db.session.flush()
        password_hash = hash_password(PASSWORD)
        # Confirmed addresses, and the current privacy notice agreed to: logins go straight in.
        agreed = {"email_confirmed_at": timeutil.now(),
                  "consent_version": app.config["PRIVACY_NOTICE_VERSION"],
                  "consented_at": timeutil.now()}
        learners = [User(email=f"learner{n}@load.example.be", name=f"Leerling {n:03d}",
                         kind=Kind.CAREGIVER, is_learner=True, password_hash=password_hash,
                         language=Language.NL, **agreed) for n in range(LEARNERS)]
        trainers = [User(email=f"trainer{n}@load.example.be", name=f"Trainer {n}", kind=None,
                         is_learner=False, password_hash=password_hash, language=Language.NL,
                         memberships=[Membership(organiser_id=organiser.id, role=Role.TRAINER)],
                         **agreed)
                    for n in range(TRAINERS)]
        db.session.add_all(learners + trainers)
        db.session.flush()
        today = timeutil.today()

        def course(title: str, **fields) -> Course:
            row = Course(organiser_id=organiser.id, title=title, summary="Praktisch en dichtbij.",
                         description="Een vorming voor mantelzorgers.", hours=6, published=True,
                         search_text=title.lower(), **fields)
            db.session.add(row)
            db.session.flush()
            return row

        def edition(of: Course, starts_in: int, capacity: int, sessions: int, **fields) -> Edition:
            starts_on = today + timedelta(days=starts_in)
            row = Edition(course_id=of.id, starts_on=starts_on,
                          ends_on=starts_on + timedelta(days=7 * (sessions - 1)),
                          venue="Dienstencentrum", place="Deinze", capacity=capacity, **fields)
            db.session.add(row)
            db.session.flush()
            for week in range(sessions):
                begins = timeutil.brussels(starts_on + timedelta(days=7 * week), clock(14, 0))
                db.session.add(TrainingSession(edition_id=row.id, starts_at=begins,
                                               ends_at=begins + timedelta(hours=2), room="Zaal 1"))
            return row

        for n in range(COURSES):
            c = course(f"Omgaan met dementie {n + 1}")
            for k in range(EDITIONS_PER_COURSE):
                edition(c, starts_in=14 + 7 * k + n, capacity=random.Random(n * 10 + k).randint(8, 25),
                        sessions=2)
        roster_course = course("Tillen en verplaatsen (klasgroep)", min_attendance_pct=75)
        sessions_of_trainer: dict[int, list[int]] = {}
        seated = iter(range(LEARNERS - 1, -1, -1))  # the last learners sit in the classrooms
        for trainer in trainers:
            sessions_of_trainer[trainer.id] = []
            for _k in range(TRAINER_EDITIONS):
                row = edition(roster_course, starts_in=1, capacity=SEATED_PER_TRAINER_EDITION,
                              sessions=4, trainers=[trainer])
                for _seat in range(SEATED_PER_TRAINER_EDITION):
                    db.session.add(Enrolment(learner_id=learners[next(seated)].id, edition_id=row.id,
                                             status=EnrolmentStatus.ENROLLED))
                row.seats_taken = SEATED_PER_TRAINER_EDITION
                db.session.flush()
                sessions_of_trainer[trainer.id] += [
                    s for s in db.session.scalars(
                        text("SELECT id FROM training_session WHERE edition_id = :e ORDER BY id"),
                        {"e": row.id})
                ]
        db.session.commit()
        seeded_enrolments = db.session.scalar(text("SELECT count(*) FROM enrolment"))
        course_ids = list(db.session.scalars(text("SELECT id FROM course ORDER BY id")))
        result = {
            "learners": [u.email for u in learners[: LEARNERS - TRAINERS * TRAINER_EDITIONS * SEATED_PER_TRAINER_EDITION]],
            "trainers": {u.email: sessions_of_trainer[u.id] for u in trainers},
            "courses": course_ids,
            "seeded_enrolments": seeded_enrolments,
        }
        db.engine.dispose()
    return result


# ------------------------------------------------------------------------------ the users


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Budget:
    """A fixed duration and a request cap, shared by every user."""

    def __init__(self, seconds: float, max_requests: int):
        self.ends = time.monotonic() + seconds
        self.left = max_requests
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.ends:
                return False
            self.left -= 1
            return True

    @property
    def over(self) -> bool:
        return self.left <= 0 or time.monotonic() >= self.ends


class OutOfBudget(Exception):
    pass


class User:
    """One simulated person with their own cookies (session), timing every request."""

    def __init__(self, base: str, stats: Stats, budget: Budget, rng: random.Random):
        self.base, self.stats, self.budget, self.rng = base, stats, budget, rng
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "nl"

    def call(self, method: str, label: str, path: str, expect: tuple[int, ...] = (200,), **kwargs):
        if not self.budget.take():
            raise OutOfBudget
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, allow_redirects=False,
                                         timeout=30, **kwargs)
            failure = None if response.status_code in expect else f"status {response.status_code}"
        except requests.RequestException as error:
            response, failure = None, type(error).__name__
        elapsed = time.perf_counter() - started
        with self.stats.lock:
            self.stats.requests += 1
            self.stats.latencies[label].append(elapsed)
            if failure:
                self.stats.errors[label] += 1
                if len(self.stats.error_samples) < 20:
                    self.stats.error_samples.append(f"{method} {path}: {failure}")
        return response if not failure else None

    def think(self) -> None:
        time.sleep(self.rng.uniform(0.3, 1.2))

    def login(self, email: str) -> bool:
        page = self.call("GET", "GET /login", "/login")
        token = CSRF.search(page.text).group(1) if page is not None else ""
        answer = self.call("POST", "POST /login", "/login", (302,),
                           data={"csrf_token": token, "email": email, "password": PASSWORD})
        return answer is not None


def visitor(user: User, courses: list[int]) -> None:
    while not user.budget.over:
        listing = user.call("GET", "GET /courses", "/courses")
        user.think()
        linked = [int(c) for c in COURSE_LINK.findall(listing.text)] if listing is not None else []
        user.call("GET", "GET /courses/<id>", f"/courses/{user.rng.choice(linked or courses)}")
        user.think()


def learner(user: User, email: str, courses: list[int], accepted: list[tuple[str, int]]) -> None:
    if not user.login(email):
        return
    while not user.budget.over:
        user.call("GET", "GET /courses", "/courses")
        user.think()
        page = user.call("GET", "GET /courses/<id>", f"/courses/{user.rng.choice(courses)}")
        user.think()
        if page is None:
            continue
        forms = ENROL_FORM.findall(page.text)
        if not forms:
            continue
        edition_id = int(user.rng.choice(forms))
        token = CSRF.search(page.text).group(1)
        answer = user.call("POST", "POST /editions/<id>/enrol", f"/editions/{edition_id}/enrol",
                           (302,), data={"csrf_token": token})
        if answer is not None:
            with user.stats.lock:
                accepted.append((email, edition_id))
            if user.rng.random() < 0.1:  # a double click: the second must be refused
                user.call("POST", "POST /editions/<id>/enrol (again)", f"/editions/{edition_id}/enrol",
                          (409,), data={"csrf_token": token})
            user.call("GET", "GET /my/trainings", "/my/trainings")
        user.think()


def trainer(user: User, email: str, sessions: list[int], posted: dict) -> None:
    if not user.login(email):
        return
    while not user.budget.over:
        session_id = user.rng.choice(sessions)
        page = user.call("GET", "GET /sessions/<id>/roster", f"/sessions/{session_id}/roster")
        user.think()
        if page is None:
            continue
        shown = dict(WAS.findall(page.text))
        chosen = {learner_id: user.rng.choice(STATUSES) for learner_id in shown}
        form = {"csrf_token": CSRF.search(page.text).group(1)}
        for learner_id, was in shown.items():
            form[f"was-{learner_id}"] = was
            form[f"status-{learner_id}"] = chosen[learner_id]
        answer = user.call("POST", "POST /sessions/<id>/roster", f"/sessions/{session_id}/roster",
                           (302,), data=form)
        if answer is not None:
            # One trainer per session: what they post is what the session must hold.
            for learner_id, status in chosen.items():
                history = posted.setdefault((session_id, int(learner_id)), [])
                history.append(status)
        user.think()


def run_users(base: str, data: dict, users: int, seconds: float, max_requests: int, seed_value: int):
    stats, budget = Stats(), Budget(seconds, max_requests)
    accepted: list[tuple[str, int]] = []
    posted: dict = {}
    threads = []
    trainers = list(data["trainers"].items())
    n_trainers = min(len(trainers), max(users // 10, 1))
    n_visitors = max(users // 5, 1)
    n_learners = users - n_trainers - n_visitors
    for index in range(users):
        user = User(base, stats, budget, random.Random(seed_value + index))
        if index < n_trainers:
            email, sessions = trainers[index]
            target, args = trainer, (user, email, sessions, posted)
        elif index < n_trainers + n_learners:
            target, args = learner, (user, data["learners"][index], data["courses"], accepted)
        else:
            target, args = visitor, (user, data["courses"])
        threads.append(threading.Thread(target=_guarded, args=(target, args), daemon=True))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return stats, accepted, posted, time.monotonic() - started, (n_visitors, n_learners, n_trainers)


def _guarded(target, args) -> None:
    try:
        target(*args)
    except OutOfBudget:
        pass


# ------------------------------------------------------------------------------ checks


def wait_for_worker(redis_url: str, seconds: float = 300) -> bool:
    """Wait until the queues are empty and no job runs; False when it takes too long."""
    import redis
    from rq import Queue
    from rq.registry import StartedJobRegistry

    connection = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = sum(Queue(name, connection=connection).count
                   + StartedJobRegistry(name, connection=connection).count
                   for name in ("certificates", "mail", "default"))
        if busy == 0:
            return True
        time.sleep(1)
    return False


def checks(database_url: str, data: dict, accepted: list, posted: dict) -> list[tuple[str, bool, str]]:
    engine = create_engine(database_url)
    results = []
    with engine.connect() as db:
        def rows(sql: str, **params):
            return db.execute(text(sql), params).all()

        wrong_counters = rows("""
            SELECT e.id, e.seats_taken, e.waitlist_length,
                   count(n.id) FILTER (WHERE n.status IN ('ENROLLED', 'COMPLETED', 'enrolled', 'completed')),
                   count(n.id) FILTER (WHERE n.status IN ('WAITLISTED', 'waitlisted'))
            FROM edition e LEFT JOIN enrolment n ON n.edition_id = e.id
            GROUP BY e.id HAVING e.seats_taken <> count(n.id) FILTER (WHERE n.status IN ('ENROLLED', 'COMPLETED', 'enrolled', 'completed'))
                             OR e.waitlist_length <> count(n.id) FILTER (WHERE n.status IN ('WAITLISTED', 'waitlisted'))""")
        results.append(("seats_taken and waitlist_length equal the enrolments of every edition",
                        not wrong_counters, f"{len(wrong_counters)} editions off: {wrong_counters[:5]}"))
        over = rows("SELECT id FROM edition WHERE seats_taken > capacity")
        results.append(("no edition holds more seated learners than its capacity", not over, str(over[:5])))
        doubles = rows("""SELECT learner_id, edition_id, count(*) FROM enrolment
                          WHERE status NOT IN ('CANCELLED', 'cancelled')
                          GROUP BY learner_id, edition_id HAVING count(*) > 1""")
        results.append(("no learner holds two live enrolments of one edition", not doubles, str(doubles[:5])))
        created = rows("SELECT count(*) FROM enrolment")[0][0] - data["seeded_enrolments"]
        results.append(("every accepted enrolment is stored, once",
                        created == len(accepted) == len(set(accepted)),
                        f"{len(accepted)} accepted, {len(set(accepted))} distinct, {created} rows"))
        stored = {(session, person): status.lower() for session, person, status in
                  rows("SELECT session_id, learner_id, status FROM attendance")}
        changes = defaultdict(int)
        for session, person, n in rows(
                "SELECT session_id, learner_id, count(*) FROM attendance_change GROUP BY 1, 2"):
            changes[(session, person)] = n
        expected_changes = {
            key: sum(1 for before, after in zip([None, *history[:-1]], history, strict=True) if before != after)
            for key, history in posted.items()
        }
        lost = [k for k, history in posted.items() if stored.get(k) != history[-1]]
        extra = [k for k in stored if k not in posted]
        audit = [k for k, n in expected_changes.items() if changes[k] != n]
        results.append(("every posted attendance status is the one stored (no lost, no extra rows)",
                        not lost and not extra,
                        f"{len(posted)} learner-sessions posted, {len(stored)} rows, "
                        f"{len(lost)} differ, {len(extra)} unexpected"))
        results.append(("exactly one audit row per attendance change",
                        not audit, f"{sum(expected_changes.values())} changes expected, "
                                   f"{sum(changes.values())} audit rows, {len(audit)} differ"))
        completed_without = rows("""
            SELECT n.id, count(c.id) FROM enrolment n
            LEFT JOIN certificate c ON c.enrolment_id = n.id AND c.status IN ('ISSUED', 'issued')
            WHERE n.status IN ('COMPLETED', 'completed') GROUP BY n.id HAVING count(c.id) <> 1""")
        completed = rows("SELECT count(*) FROM enrolment WHERE status IN ('COMPLETED', 'completed')")[0][0]
        results.append(("every completed enrolment has exactly one issued certificate",
                        not completed_without, f"{completed} completed, {len(completed_without)} without "
                                               f"exactly one: {completed_without[:5]}"))
    engine.dispose()
    return results


def percentile(values: list[float], pct: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def report(stats: Stats, elapsed: float, mix, results, args) -> bool:
    print(f"\n{stats.requests} requests in {elapsed:.0f} s ({stats.requests / elapsed:.1f}/s), "
          f"{args.users} users: {mix[0]} visitors, {mix[1]} learners, {mix[2]} trainers; "
          f"gunicorn {args.workers} workers\n")
    print("| endpoint | count | errors | p50 ms | p95 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label in sorted(stats.latencies):
        values = stats.latencies[label]
        print(f"| `{label}` | {len(values)} | {stats.errors[label]} | "
              + " | ".join(f"{1000 * percentile(values, p):.0f}" for p in (50, 95, 99)) + " |")
    if stats.error_samples:
        print("\nErrors (first 20):\n" + "\n".join(f"- {s}" for s in stats.error_samples))
    print("\n| check | result | detail |\n| --- | --- | --- |")
    for name, ok, detail in results:
        print(f"| {name} | {'ok' if ok else 'FAILED'} | {detail} |")
    return not any(stats.errors.values()) and all(ok for _n, ok, _d in results)


# ------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=40000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=os.environ.get(
        "LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/college_load"))
    args = parser.parse_args()

    with Stack(args.database_url, name="load",
               secret="load-test-secret-key-not-for-production") as stack:  # noqa: S106
        stack.flask("db", "upgrade")
        data = seed(stack.env)
        stack.serve(workers=args.workers, ready="/health")
        stack.worker()
        print(f"gunicorn at {stack.base}, {args.users} users for {args.duration:.0f} s "
              f"(at most {args.max_requests} requests) ...", flush=True)
        stats, accepted, posted, elapsed, mix = run_users(
            stack.base, data, args.users, args.duration, args.max_requests, args.seed)
        idle = wait_for_worker(stack.redis.url)
        results = [("the worker finished every queued job", idle, "")]
        results += checks(args.database_url, data, accepted, posted)
        ok = report(stats, elapsed, mix, results, args)
        print(json.dumps({"ok": ok, "requests": stats.requests}), flush=True)
        return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
