"""Benchmark of the dashboards on a large organiser, on SQLite and on PostgreSQL.

    python bench/dashboards.py [--learners 5000 --editions 200 --sessions 2000
                                --attendance 60000 --attempts 10000 --repeat 15 --history 1,10]

For each database it builds the organiser with the data generator, then measures, as
medians of in-process requests (server time, no network):
  - a trivial page (the front page, in the same layout),
  - each dashboard page (the organiser's twice: its figures computed, made stale before each
    view as after a change they count, and its figures kept in Redis, as between changes;
    likewise twice the figures of a region whose member is the organiser, its roll-up),
  - the dashboard's SQL statements alone, replayed on a raw connection,
and prints the ratio page / (raw queries + trivial page). Aim: within 2x, and under 300 ms.
With --history 1,10 it builds and measures each database again at ten times every size, and
prints each page's time at 10x over its time at 1x.
PostgreSQL is used when BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/
college_bench, created if missing) answers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, func, select, text  # noqa: E402

from bench.summary import Figure, record  # noqa: E402


def median_ms(action, repeat: int) -> float:
    action()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def prepare_postgres(url: str) -> bool:
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    try:
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return True
    except Exception as error:  # noqa: BLE001 - any failure means: no PostgreSQL here
        print(f"PostgreSQL not available ({error.__class__.__name__}); SQLite only.")
        return False


def run(database_url: str, label: str, args) -> list[tuple]:
    from flask_migrate import upgrade

    from college import create_app
    from college.catalogue.models import Edition
    from college.dashboards.generate import Sizes, generate
    from college.enrolment.models import Enrolment
    from college.extensions import db

    instance = tempfile.mkdtemp(prefix="college-bench-")
    os.environ.setdefault("SECRET_KEY", "benchmark")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "EMBEDDED_REDIS_PATH": str(Path(instance) / "redis.rdb"),
        "WTF_CSRF_ENABLED": False,
    })
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        organiser = generate("Benchmark hub", Sizes(
            learners=args.learners, editions=args.editions, sessions=args.sessions,
            attendance=args.attendance, attempts=args.attempts))
        built = time.perf_counter() - started
        if database_url.startswith("postgresql"):
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        from college.accounts.models import Membership, Role, User

        coordinator = db.session.scalar(
            select(User).join(Membership).where(Membership.organiser_id == organiser.id,
                                                Membership.role == Role.COORDINATOR))
        edition_id = db.session.scalar(
            select(Edition.id).join(Enrolment, Enrolment.edition_id == Edition.id)
            .group_by(Edition.id).order_by(func.count().desc(), Edition.id).limit(1))
        # A region with the organiser as its member, read by the same coordinator.
        from college.regions import services as regions

        region = regions.create_region("Benchmark region", "benchmark-region")
        regions.add_member(region, organiser)
        regions.add_regional_coordinator(region, coordinator)
        db.session.commit()
        organiser_id, region_id, login_id = organiser.id, region.id, coordinator.get_id()
        engine = db.engine
    print(f"[{label}] generated in {built:.1f} s")

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True
        session["auth_at"] = session["seen_at"] = time.time()  # a fresh login: no timeout

    pages = {
        "edition dashboard": f"/editions/{edition_id}/dashboard",
        # Computed: the figures made stale before each view (as after any change they count).
        "organiser, computed": f"/organisers/{organiser_id}/dashboard",
        # Kept: the figures read from Redis (college.dashboards.cache), as between changes.
        "organiser, kept": f"/organisers/{organiser_id}/dashboard",
        # The region's roll-up alike (college.regions.figures.ROLL_UP).
        "region, computed": f"/regions/{region_id}/figures",
        "region, kept": f"/regions/{region_id}/figures",
    }
    from college.dashboards.cache import FIGURES
    from college.jobs import redis_connection
    from college.regions.figures import ROLL_UP

    generations = {"organiser": FIGURES, "region": ROLL_UP}

    def stale(name: str) -> None:
        with app.app_context():
            redis_connection().incr(generations[name.split(",")[0]].key)

    # The trivial page: the front page, rendered in the same layout as the dashboards.
    trivial = median_ms(lambda: client.get("/"), args.repeat)
    rows = []
    for name, url in pages.items():
        computed = name.endswith("computed")
        statements = []
        if computed:
            stale(name)

        def record(conn, cursor, statement, parameters, context, executemany,
                   statements=statements):
            statements.append((statement, parameters, executemany))

        event.listen(engine, "before_cursor_execute", record)
        response = client.get(url)
        event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200, response.status_code

        def replay(statements=statements):
            connection = engine.raw_connection()
            try:
                cursor = connection.cursor()
                # The page's writes too (its access-log rows, in one executemany), rolled back.
                for statement, parameters, many in statements:  # noqa: B023  (this iteration)
                    if many:
                        cursor.executemany(statement, parameters)
                    else:
                        cursor.execute(statement, parameters)
                    if cursor.description is not None:
                        cursor.fetchall()
            finally:
                connection.close()

        if computed:
            page = median_ms(lambda url=url, name=name: (stale(name), client.get(url)),
                             args.repeat)
        else:
            page = median_ms(lambda url=url: client.get(url), args.repeat)
        raw = median_ms(replay, args.repeat)
        rows.append((label, name, len(statements), page, raw, trivial, page / (raw + trivial)))
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--editions", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--attendance", type=int, default=60000)
    parser.add_argument("--attempts", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--history", default="1",
                        help="comma-separated multiples of the history to build and measure, "
                             "each in a fresh database, e.g. 1,10 (default 1)")
    args = parser.parse_args()
    scales = [int(scale) for scale in args.history.split(",")]

    results = []
    postgres_url = os.environ.get(
        "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/college_bench")
    for scale in scales:
        scaled = argparse.Namespace(**{**vars(args), **{
            size: getattr(args, size) * scale
            for size in ("learners", "editions", "sessions", "attendance", "attempts")}})
        tag = "" if scales == [1] else f" {scale}x"
        sqlite_file = Path(tempfile.mkdtemp(prefix="college-bench-")) / "bench.sqlite"
        results += run(f"sqlite:///{sqlite_file}", f"SQLite{tag}", scaled)
        if prepare_postgres(postgres_url):
            results += run(postgres_url, f"PostgreSQL{tag}", scaled)

    width = max(len(row[0]) for row in results) + 1
    print()
    print(f"{'database':<{width}} {'page':<20} {'queries':>7} {'page ms':>8} {'raw SQL ms':>10} "
          f"{'trivial ms':>10} {'ratio':>6} {'<300ms':>7}")
    for label, name, queries, page, raw, trivial, ratio in results:
        print(f"{label:<{width}} {name:<20} {queries:>7} {page:>8.1f} {raw:>10.1f} {trivial:>10.2f} "
              f"{ratio:>5.2f}x {'yes' if page < 300 else 'no':>7}")
    print("\nratio = page / (raw SQL + trivial page); aim: <= 2.0x and under 300 ms.")
    if len(scales) > 1:
        first = scales[0]
        times = {(label, name): page for label, name, _q, page, *_rest in results}
        print(f"\nthe same page at more history, time / time at {first}x "
              "(aim for the organiser's and the region's figures: 10x the history within 1.5x "
              "the time)")
        for label, name, *_rest in results:
            database, scale = label.rsplit(" ", 1)
            if scale != f"{first}x":
                before = times[(f"{database} {first}x", name)]
                ratio = times[(label, name)] / before
                print(f"{label:<{width}} {name:<20} {ratio:>5.2f}x")
                if name.startswith(("organiser", "region")):
                    owner, kind = name.split(", ")
                    key, page = {"organiser": ("figures", "organiser dashboard, figures"),
                                 "region": ("region-figures", "region roll-up")}[owner]
                    record(Figure(f"{key}-{kind}", f"{page} {kind}, "
                                  f"{scale} the history ({database})",
                                  f"{times[(label, name)]:.0f} ms", f"{first}x: {before:.0f} ms",
                                  ratio, 1.5))

if __name__ == "__main__":
    main()
