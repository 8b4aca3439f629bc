"""Benchmark of the pages people wait for, each next to its floor (not part of the test suite).

    python bench/pages.py [-n 400 -c 10 --workers 4 --database-url postgresql+psycopg://...]

It builds a fresh database (PostgreSQL at BENCH_PAGES_DATABASE_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/college_bench_pages, when it answers; else a SQLite
file), seeds 200 published courses with two upcoming editions each, a learner with 50
enrolments and a trainer with a full roster, then starts on the loopback interface a
redis-server of its own and gunicorn (`gunicorn wsgi:app`) with BENCH_FLOOR_ROUTE=1: the floor
is a route that returns a string, served by the same app, middleware and gunicorn.

Each figure is measured INTERLEAVED with the floor (a batch of the floor, a batch of the page,
a batch of the floor, ...) with C concurrent clients and N requests each; the table shows the
median and p95 latency of the page and of its floor, their ratio and the issue's aim. A signed-in
page's ratio is against the anonymous floor. "floor signed in" is the same trivial route with
a session cookie: its extra cost is what a signed-in request costs (aim: at most 1 ms more),
measured one request at a time, so that it is the request's cost and not the time it waits
behind nine others for one of two cores (which multiplies every difference by about five).
Then every page again with --p95-clients (50) concurrent clients: the 95th percentile latency
against the aim of 100 ms.
Then it reads each gunicorn worker's resident memory, sends --memory-requests (10,000) more
requests of five of those pages, and reads it again: it should stay flat.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, text  # noqa: E402

from bench.summary import Figure, record  # noqa: E402
from tests.stack import Stack, resident_kib  # noqa: E402

PASSWORD = "bench-pages-password-2026"  # noqa: S105  (the seeded accounts of a scratch database)
COURSES = 200
EDITIONS_PER_COURSE = 2
ENROLMENTS = 50
ROSTER = 20
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# ------------------------------------------------------------------------------ set-up


def database_for(url: str | None) -> str:
    """The PostgreSQL database of `url` when that server answers, else a SQLite file."""
    if url:
        try:
            admin = create_engine(make_url(url).set(database="postgres"))
            with admin.connect():
                pass
            admin.dispose()
            return url
        except Exception as error:  # noqa: BLE001 - any failure means: no PostgreSQL here
            print(f"PostgreSQL not available ({error.__class__.__name__}); SQLite instead.")
    return f"sqlite:///{tempfile.mkdtemp(prefix='college-bench-pages-')}/college.sqlite"


def seed(env: dict) -> dict:
    """Courses, editions and sessions; a learner with 50 enrolments; a trainer with a roster."""
    os.environ.update(env)
    from college import create_app, timeutil
    from college.accounts.models import Kind, Language, Membership, Organiser, Role, User
    from college.accounts.passwords import hash_password
    from college.catalogue.models import Course, Edition, TrainingSession
    from college.enrolment.models import Enrolment, EnrolmentStatus
    from college.extensions import db

    app = create_app()
    with app.app_context():
        organisers = [Organiser(name=f"Mantelzorghub {name}", slug=name.lower(), municipality=name)
                      for name in ("Deinze", "Gent", "Aalter", "Nevele")]
        db.session.add_all(organisers)
        db.session.flush()
        password_hash = hash_password(PASSWORD)
        agreed = {"email_confirmed_at": timeutil.now(), "language": Language.NL,
                  "consent_version": app.config["PRIVACY_NOTICE_VERSION"],
                  "consented_at": timeutil.now(), "password_hash": password_hash}
        learner = User(email="learner@bench.example.be", name="Leerling Bench",
                       kind=Kind.CAREGIVER, is_learner=True, **agreed)
        trainer = User(email="trainer@bench.example.be", name="Trainer Bench", kind=None,
                       is_learner=False, **agreed,
                       memberships=[Membership(organiser_id=organisers[0].id, role=Role.TRAINER)])
        classmates = [User(email=f"c{n}@bench.example.be", name=f"Cursist {n:02d}",
                           kind=Kind.CAREGIVER, is_learner=True, **agreed) for n in range(ROSTER)]
        db.session.add_all([learner, trainer, *classmates])
        db.session.flush()
        today = timeutil.today()
        editions = []
        for n in range(COURSES):
            course = Course(organiser_id=organisers[n % 4].id, title=f"Omgaan met dementie {n + 1:03d}",
                            summary="Praktisch en dichtbij: wat u zelf kunt doen.",
                            description="Een vorming voor mantelzorgers. " * 20, hours=6,
                            published=True, open_to_professionals=n % 3 == 0,
                            search_text=f"omgaan met dementie {n + 1}")
            db.session.add(course)
            db.session.flush()
            for k in range(EDITIONS_PER_COURSE):
                starts_on = today + timedelta(days=7 + 7 * k + n % 60)
                edition = Edition(course_id=course.id, starts_on=starts_on,
                                  ends_on=starts_on + timedelta(days=14), venue="Dienstencentrum",
                                  place=("Deinze", "Gent", "Aalter", "Nevele")[n % 4], capacity=25,
                                  trainers=[trainer] if n == COURSES - 1 else [])
                db.session.add(edition)
                db.session.flush()
                for week in range(3):
                    begins = timeutil.brussels(starts_on + timedelta(days=7 * week), clock(14, 0))
                    db.session.add(TrainingSession(edition_id=edition.id, starts_at=begins,
                                                   ends_at=begins + timedelta(hours=2), room="Zaal 1"))
                editions.append(edition)
        for edition in editions[:ENROLMENTS]:
            db.session.add(Enrolment(learner_id=learner.id, edition_id=edition.id,
                                     status=EnrolmentStatus.ENROLLED))
            edition.seats_taken += 1
        roster_edition = editions[-1]
        for person in classmates:
            db.session.add(Enrolment(learner_id=person.id, edition_id=roster_edition.id,
                                     status=EnrolmentStatus.ENROLLED))
        roster_edition.seats_taken += ROSTER
        db.session.commit()
        session_id = db.session.scalar(text(
            "SELECT min(id) FROM training_session WHERE edition_id = :e"), {"e": roster_edition.id})
        result = {"course_id": editions[0].course_id, "session_id": session_id,
                  "learner": learner.email, "trainer": trainer.email}
        db.engine.dispose()
    return result


# ------------------------------------------------------------------------------ the client


def get(port: int, path: str, cookie: str | None = None, method: str = "GET",
        body: str | None = None) -> tuple[int, dict, bytes]:
    """One request on a new connection (gunicorn's sync workers close after each answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data


def log_in(port: int, email: str) -> str:
    """Log in through the form, as a browser does; return the session cookie."""
    status, headers, page = get(port, "/login")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = CSRF.search(page.decode()).group(1)
    from urllib.parse import urlencode

    status, headers, _page = get(port, "/login", cookie, "POST",
                                 urlencode({"csrf_token": token, "email": email, "password": PASSWORD}))
    if status != 302:
        raise SystemExit(f"login of {email} answered {status}")
    return headers["Set-Cookie"].split(";", 1)[0]


def batch(port: int, path: str, cookie: str | None, count: int, clients: int) -> list[float]:
    """`count` requests by `clients` threads at once; returns each request's seconds."""
    latencies: list[float] = []
    errors: list[str] = []
    remaining = iter(range(count))
    lock = threading.Lock()

    def client():
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            started = time.perf_counter()
            status, _headers, _body = get(port, path, cookie)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"{path}: {status}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"errors: {errors[:5]}")
    return latencies


def interleaved(port: int, page: tuple, floor: tuple, total: int, clients: int,
                rounds: int = 8) -> tuple[list[float], list[float]]:
    """Floor and page in alternating batches (A B A B ...), `total` requests of each."""
    per_round = max(clients, total // rounds)
    batch(port, *floor, clients, clients)  # warm up both
    batch(port, *page, clients, clients)
    floor_times: list[float] = []
    page_times: list[float] = []
    for _ in range(rounds):
        floor_times += batch(port, *floor, per_round, clients)
        page_times += batch(port, *page, per_round, clients)
    return page_times, floor_times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


# ------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=400, help="requests per figure")
    parser.add_argument("-c", "--clients", type=int, default=10, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_PAGES_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/college_bench_pages"))
    parser.add_argument("--p95-clients", type=int, default=50,
                        help="concurrent clients of the p95 pass (0: skip)")
    parser.add_argument("--memory-requests", type=int, default=10_000,
                        help="requests after which gunicorn's memory is read again (0: skip)")
    args = parser.parse_args()

    database_url = database_for(args.database_url)
    with Stack(database_url, name="bench", BENCH_FLOOR_ROUTE="1",
               secret="bench-secret-key-not-for-production") as stack:  # noqa: S106
        stack.flask("db", "upgrade")
        data = seed(stack.env)
        stack.serve(workers=args.workers, ready="/_bench/floor")
        port = stack.port
        learner = log_in(port, data["learner"])
        trainer = log_in(port, data["trainer"])
        floor = ("/_bench/floor", None)
        course = (f"/courses/{data['course_id']}", None)
        trainings = ("/my/trainings", learner)
        roster = (f"/sessions/{data['session_id']}/roster", trainer)
        figures = [
            ("catalogue", "`GET /courses` (200 courses, anonymous)", ("/courses", None), floor, "3x"),
            ("course", "`GET /courses/<id>` (anonymous)", course, floor, "3x"),
            ("my-trainings", "`GET /my/trainings` (50 enrolments)", trainings, floor, "5x"),
            ("roster", "roster of a session (20 learners)", roster, floor, "5x"),
            ("api-courses", "`GET /api/v1/courses` (a page of 20)", ("/api/v1/courses", None),
             floor, "3x"),
            ("signed-in", "trivial route, signed in vs anonymous (one client at a time)",
             ("/_bench/floor", learner), floor, "+1 ms"),
        ]
        database = "PostgreSQL" if stack.postgresql else "SQLite"
        print(f"\ngunicorn --workers {args.workers}, {database}, {args.clients} concurrent clients, "
              f"{args.requests} requests per figure, interleaved with the floor "
              f"(a route returning a string); latency p50 / p95 in ms\n")
        print("| figure | p50 / p95 | floor p50 / p95 | ratio (p50) | aim |")
        print("| --- | ---: | ---: | ---: | --- |")
        for key, label, page, floor_of, aim in figures:
            clients = 1 if key == "signed-in" else args.clients
            page_times, floor_times = interleaved(port, page, floor_of, args.requests, clients)
            page_ms = 1000 * statistics.median(page_times)
            floor_ms = 1000 * statistics.median(floor_times)
            extra = aim.startswith("+")
            ratio = f"+{page_ms - floor_ms:.1f} ms" if extra else f"{page_ms / floor_ms:.1f}x"
            measured = f"{page_ms:.1f} / {1000 * p95(page_times):.1f}"
            floor_shown = f"{floor_ms:.1f} / {1000 * p95(floor_times):.1f}"
            print(f"| {label} | {measured} | {floor_shown} | {ratio} | {aim} |", flush=True)
            record(Figure(key, label, f"p50 / p95 {measured} ms", f"{floor_shown} ms",
                          page_ms - floor_ms if extra else page_ms / floor_ms,
                          float(aim.strip("+x ms")), unit="ms" if extra else "x"))
        if args.p95_clients:
            tail_latency(port, figures[:-1], args.requests, args.p95_clients)
        if args.memory_requests:
            memory(stack, [("/courses", None), course, trainings, roster, floor],
                   args.memory_requests, args.clients)
        load = os.getloadavg()[0]
        print(f"\nload average at the end: {load:.2f} on {os.cpu_count()} cores")
        return 0


#: The issue's aim for every page at 50 concurrent clients on 2 cores.
P95_AIM_MS = 100


def tail_latency(port: int, figures: list[tuple], total: int, clients: int) -> None:
    """Each page with `clients` concurrent clients at once: its 95th percentile latency."""
    print(f"\n{clients} concurrent clients, {total} requests per page; latency in ms\n")
    print("| page | p50 | p95 | aim (p95) |")
    print("| --- | ---: | ---: | ---: |")
    for key, label, page, _floor, _aim in figures:
        batch(port, *page, clients, clients)  # every worker warm
        times = batch(port, *page, max(total, 2 * clients), clients)
        tail = 1000 * p95(times)
        print(f"| {label} | {1000 * statistics.median(times):.1f} | {tail:.1f} | "
              f"{P95_AIM_MS} ms |", flush=True)
        record(Figure(f"{key}-p95", f"{label}, p95 at {clients} clients",
                      f"p50 / p95 {1000 * statistics.median(times):.1f} / {tail:.1f} ms", "-",
                      tail, P95_AIM_MS, unit="p95 ms"))


def memory(stack: Stack, pages: list[tuple], total: int, clients: int) -> None:
    """Each gunicorn worker's resident memory after a first round of the pages, and after
    `total` more requests of them: flat means no worker keeps what a request left behind."""
    port = stack.port
    for page in pages:  # every worker warm: imports, templates, caches filled
        batch(port, *page, 10 * clients, clients)
    workers = stack.gunicorn_workers()
    before = {pid: resident_kib(pid) for pid in workers}
    per_page = total // len(pages)
    for _ in range(10):
        for page in pages:
            batch(port, *page, per_page // 10, clients)
    after = {pid: resident_kib(pid) for pid in stack.gunicorn_workers()}
    same = sorted(set(before) & set(after))
    growth = [after[pid] - before[pid] for pid in same]
    print(f"\nmemory over {per_page * len(pages):,} requests (the five pages above, in turn): "
          f"{len(same)} gunicorn workers, resident MiB before -> after: "
          + ", ".join(f"{before[pid] / 1024:.1f} -> {after[pid] / 1024:.1f}" for pid in same)
          + (f"; largest growth {max(growth) / 1024:.1f} MiB" if growth else "")
          + (f"; {len(set(before) ^ set(after))} workers replaced" if set(before) ^ set(after) else ""))

if __name__ == "__main__":
    sys.exit(main())
