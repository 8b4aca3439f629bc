"""A database error in the middle of a request: a friendly page, and nothing half-written.

The failure is injected on the real connection with a SQLAlchemy event, at a chosen statement
deep inside a multi-row service, as the driver would raise it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from college import timeutil
from college.accounts.models import Language
from college.attendance.models import Attendance, AttendanceChange
from college.catalogue.models import Edition
from college.certificates.models import Certificate
from college.enrolment.models import Enrolment, EnrolmentStatus, Notification
from college.extensions import db
from tests.conftest import post_form


@contextmanager
def failing(pattern: str, error: str = "OperationalError") -> Iterator[list[str]]:
    """Make every statement matching the pattern fail with the driver's own error class."""
    engine = db.engine
    failed: list[str] = []

    def before_cursor_execute(connection, cursor, statement, parameters, context, executemany):
        if re.search(pattern, statement, re.IGNORECASE):
            failed.append(statement)
            raise getattr(engine.dialect.loaded_dbapi, error)("injected failure: server closed the connection")

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield failed
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def served(app, monkeypatch):
    """Errors answered as in production (an error page), not raised into the test."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


@pytest.fixture()
def classroom(make):
    organiser = make.organiser()
    trainer = make.trainer(organiser, language=Language.NL)
    course = make.course(organiser, min_attendance_pct=100)
    edition = make.edition(course, trainers=[trainer], starts_on=timeutil.today())
    # The session is over: the trainer enters the paper sign-in sheet, which completes everyone.
    session = make.session(edition, starts_at=timeutil.now() - timedelta(hours=3))
    learners = [make.learner(name=f"Leerling {n}") for n in range(3)]
    for learner in learners:
        make.enrolment(learner, edition)
    return trainer, edition, learners, session.id


def _assert_friendly(response, *, title: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert title in page
    assert "college.css" in page and "<h1>" in page  # the College's own styled page
    for internal in ("Traceback", "injected", "INSERT", "sqlalchemy", "psycopg", "sqlite3"):
        assert internal not in page, internal


def test_error_deep_in_the_roster_service_leaves_nothing_and_shows_a_dutch_page(
        served, client, auth, classroom):
    trainer, edition, learners, session_id = classroom
    auth.login_as(trainer)
    url = f"/sessions/{session_id}/roster"
    everyone = {f"status-{learner.id}": "present" for learner in learners}
    # Attendance and its audit trail are flushed and the enrolments completed before the
    # certificates are inserted: the failure comes after half of the work.
    with failing(r"^\s*INSERT INTO \"?certificate\"?\s") as failed:
        response = post_form(client, url, everyone)
    assert failed, "the injected failure never happened"
    _assert_friendly(response, title="Er ging bij ons iets mis")
    assert "Er is niets half bewaard" in response.get_data(as_text=True)
    assert count(Attendance) == count(AttendanceChange) == count(Certificate) == 0
    assert set(db.session.scalars(select(Enrolment.status))) == {EnrolmentStatus.ENROLLED}

    # The same form, the database healthy again: everything is written at once.
    assert post_form(client, url, everyone).status_code == 302
    assert count(Attendance) == count(AttendanceChange) == count(Certificate) == 3
    assert set(db.session.scalars(select(Enrolment.status))) == {EnrolmentStatus.COMPLETED}


def test_integrity_error_in_the_roster_service_is_a_conflict_with_nothing_saved(
        served, client, auth, classroom):
    trainer, edition, learners, session_id = classroom
    auth.login_as(trainer)
    with failing(r"^\s*INSERT INTO \"?attendance_change\"?\s", "IntegrityError"):
        response = post_form(client, f"/sessions/{session_id}/roster",
                             {f"status-{learners[0].id}": "present"})
    assert response.status_code == 409
    assert "Laad de pagina opnieuw" in response.get_data(as_text=True)  # the trainer reads Dutch
    assert count(Attendance) == count(AttendanceChange) == 0


def test_error_while_enrolling_leaves_no_seat_taken(served, client, auth, make):
    edition = make.edition(capacity=5)
    learner = make.learner()
    auth.login_as(learner)
    with failing(r"^\s*INSERT INTO \"?notification\"?\s"):
        response = post_form(client, f"/editions/{edition.id}/enrol", page="/my/trainings")
    _assert_friendly(response, title="Something went wrong on our side")
    assert count(Enrolment) == count(Notification) == 0
    db.session.expire_all()
    assert db.session.get(Edition, edition.id).seats_taken == 0


def test_database_gone_for_the_whole_request_still_gives_the_friendly_page(
        served, client, auth, make):
    learner = make.learner()
    auth.login_as(learner)
    with failing(r"."):
        response = client.get("/my/trainings")
    _assert_friendly(response, title="Something went wrong on our side")
