"""A region's roll-up is kept in Redis until a change it reads (issue 15).

What a kept roll-up shows is always the live computation's: each kind of data it reads (an
attendance mark, a member joining or leaving, an organiser's name, a respite request or its
state, an evaluation answer, a learner's kind, an edition, an enrolment, a co-organiser) makes it
stale at its commit, on the page and in the API alike; a second view reads no enrolment; with
Redis out of reach the figures are computed as if there were no cache.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select, update

from college import timeutil
from college.accounts.models import Kind, Organiser, User
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import CoOrganiser, Course, Edition
from college.dashboards.services import parse_period
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.evaluation.models import EvaluationInvitation
from college.extensions import db
from college.jobs import redis_connection
from college.regions import services
from college.regions.figures import ROLL_UP
from college.regions.models import RegionMember
from college.respite.models import RespiteKind, RespiteRequest, RespiteSession, RespiteState
from tests.api.conftest import bearer_for
from tests.conftest import Auth, counted_queries
from tests.dashboards.cohort import table_rows
from tests.resilience.conftest import second_app
from tests.stack import RedisServer

TABLES = ("per-member-table", "reach-table", "evaluation-table", "respite-table")
KEPT = "college:region-figures:[0-9]*"


def _views(client, region_id: int, headers: dict) -> tuple[dict, dict]:
    """What the region's page shows (its tables) and what the API gives, for the last year."""
    page = client.get(f"/regions/{region_id}/figures")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    tables = {caption: table_rows(soup, caption) for caption in TABLES if soup.find(id=caption)}
    api = client.get(f"/api/v1/regions/{region_id}/figures", headers=headers)
    assert api.status_code == 200, api.get_json()
    return tables, api.get_json()


def _kept_keys() -> list[bytes]:
    return list(redis_connection().scan_iter(KEPT))


def _forget_kept() -> None:
    """Drop the kept roll-ups (not their generation): the next view computes."""
    for key in _kept_keys():
        redis_connection().delete(key)


def _enrolments(organiser: Organiser) -> list[Enrolment]:
    return list(db.session.scalars(
        select(Enrolment).join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Course.organiser_id == organiser.id).order_by(Enrolment.id)))


def _edition(organiser: Organiser) -> Edition:
    return db.session.scalar(select(Edition).join(Course, Course.id == Edition.course_id)
                             .where(Course.organiser_id == organiser.id))


def _organiser_with_activity(make, world, learners: int = 6) -> Course:
    """An organiser outside the region with an edition of the period and its learners."""
    course = make.course(make.organiser(name="Buiten de regio"))
    edition = make.edition(course, starts_on=timeutil.today() - timedelta(days=30), capacity=20)
    for _ in range(learners):
        make.enrolment(make.learner(), edition)
    return course


def _requests(world, count: int, sessions: list[int] = ()) -> list[RespiteRequest]:
    requests = [RespiteRequest(enrolment_id=enrolment.id, kind=RespiteKind.COMPANY,
                               consent_at=timeutil.now(),
                               sessions=[RespiteSession(session_id=session_id,
                                                        state=RespiteState.ASKED)
                                         for session_id in sessions])
                for enrolment in _enrolments(world.members[0])[:count]]
    db.session.add_all(requests)
    db.session.commit()
    return requests


# Each change: (what is there before the first view, the change itself); both take the world
# and the factory.
def _mark_prepare(world, make):
    world.session = make.session(_edition(world.members[0]),
                                 starts_at=timeutil.now() - timedelta(days=39))


def _mark(world, make):
    enrolled = [e for e in _enrolments(world.members[0]) if e.status == EnrolmentStatus.ENROLLED]
    db.session.add_all(Attendance(session_id=world.session.id, learner_id=e.learner_id,
                                  status=AttendanceStatus.PRESENT) for e in enrolled[:5])
    db.session.commit()


def _newcomer_prepare(world, make):
    world.newcomer = _organiser_with_activity(make, world).organiser_id


def _newcomer(world, make):
    services.add_member(world.region, db.session.get(Organiser, world.newcomer))
    db.session.commit()


def _leaving(world, make):
    db.session.delete(db.session.get(RegionMember, (world.region.id, world.members[1].id)))
    db.session.commit()


def _renamed(world, make):
    db.session.get(Organiser, world.members[0].id).name = "Mantelzorghub Nieuwe Naam"
    db.session.commit()


def _respite_request(world, make):
    _requests(world, 5)


def _arranged_prepare(world, make):
    session = make.session(_edition(world.members[0]),
                           starts_at=timeutil.now() - timedelta(days=39))
    world.requests = [request.id for request in _requests(world, 5, sessions=[session.id])]


def _arranged(world, make):
    db.session.execute(update(RespiteSession).where(RespiteSession.request_id.in_(world.requests))
                       .values(state=RespiteState.ARRANGED))
    db.session.commit()


def _invited_prepare(world, make):
    db.session.add_all(EvaluationInvitation(enrolment_id=enrolment.id, answered=index < 5)
                       for index, enrolment in enumerate(_enrolments(world.members[0])))
    db.session.commit()


def _answered(world, make):
    # As the answering service marks it: a statement on the invitation.
    enrolment = db.session.scalar(select(EvaluationInvitation.enrolment_id).where(
        EvaluationInvitation.answered.is_(False)).limit(1))
    db.session.execute(update(EvaluationInvitation)
                       .where(EvaluationInvitation.enrolment_id == enrolment,
                              EvaluationInvitation.answered.is_(False))
                       .values(answered=True))
    db.session.commit()


def _kind(world, make):
    learner = db.session.get(User, _enrolments(world.members[0])[0].learner_id)
    assert learner.kind == Kind.PROFESSIONAL
    learner.kind = Kind.CAREGIVER
    db.session.commit()


def _capacity(world, make):
    # A statement, not an object: the seat counter's way.
    db.session.execute(update(Edition).where(Edition.id == _edition(world.members[0]).id)
                       .values(capacity=30))
    db.session.commit()


def _enrolment(world, make):
    make.enrolment(make.learner(), _edition(world.members[0]))


def _co_organiser_prepare(world, make):
    world.outside_course = _organiser_with_activity(make, world).id


def _co_organiser(world, make):
    db.session.add(CoOrganiser(course_id=world.outside_course, organiser_id=world.members[0].id))
    db.session.commit()


def _nothing(world, make):
    pass


CHANGES = {
    "an attendance mark": (_mark_prepare, _mark),
    "a new member organiser": (_newcomer_prepare, _newcomer),
    "a member leaving": (_nothing, _leaving),
    "a member renamed": (_nothing, _renamed),
    "a respite request": (_nothing, _respite_request),
    "respite arranged": (_arranged_prepare, _arranged),
    "an evaluation answer": (_invited_prepare, _answered),
    "a learner's kind": (_nothing, _kind),
    "an edition's seats": (_nothing, _capacity),
    "an enrolment": (_nothing, _enrolment),
    "a co-organiser": (_co_organiser_prepare, _co_organiser),
}


def test_the_kept_roll_up_is_the_live_computation(region_of):
    world = region_of([10, 7])
    period = parse_period(None, None)
    computed = services.kept_region_figures(world.region, period)
    assert len(_kept_keys()) == 1
    with counted_queries() as reading:
        kept = services.kept_region_figures(world.region, period)
    assert reading == []  # read from Redis alone
    live = services.region_figures(world.region, period)
    assert kept == live == computed  # every row: name, values, what is withheld
    assert [row.name for row in kept.members] == [member.name for member in world.members]
    assert kept.total.values["enrolled"] == 17 and kept.editions == 2
    assert kept.members[0].withheld and kept.total.withheld  # frozensets survive the trip


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_each_change_the_roll_up_reads_shows_on_the_next_view(client, auth, region_of, make,
                                                              change):
    prepare, make_change = change
    world = region_of([10, 7])
    prepare(world, make)
    auth.login_as(world.regional)
    headers = bearer_for(world.regional)
    before = _views(client, world.region.id, headers)
    assert _views(client, world.region.id, headers) == before  # kept
    generation = ROLL_UP.current()

    make_change(world, make)
    assert ROLL_UP.current() > generation
    page, api = _views(client, world.region.id, headers)
    assert page != before[0] and api != before[1]  # the page and the API both show it
    _forget_kept()
    assert _views(client, world.region.id, headers) == (page, api)  # what a computation shows


def test_changes_the_roll_up_does_not_read_keep_it(client, auth, region_of):
    world = region_of([10, 7])
    auth.login_as(world.regional)
    generation = ROLL_UP.current()
    organiser = db.session.get(Organiser, world.members[0].id)
    organiser.contact_phone = "09 123 45 67"
    learner = db.session.get(User, _enrolments(world.members[0])[1].learner_id)
    learner.name = "Andere Naam"
    learner.last_seen_at = timeutil.now()
    db.session.commit()
    assert ROLL_UP.current() == generation


def test_a_second_view_does_not_compute(client, auth, region_of):
    world = region_of([10, 7])
    auth.login_as(world.regional)
    headers = bearer_for(world.regional)
    page = f"/regions/{world.region.id}/figures"
    api = f"/api/v1/regions/{world.region.id}/figures"
    with counted_queries() as computing:
        assert client.get(page).status_code == 200
    with counted_queries() as kept:
        assert client.get(page).status_code == 200
    with counted_queries() as kept_api:
        assert client.get(api, headers=headers).status_code == 200
    assert len(kept) < len(computing)
    read = ("region_member", "enrolment", "attendance", "evaluation_invitation", "respite_request")
    assert all(any(table in statement for statement in computing) for table in read)
    for statements in (kept, kept_api):
        assert not any(table in statement for statement in statements for table in read)
    _forget_kept()
    with counted_queries() as computing_api:
        assert client.get(api, headers=headers).status_code == 200
    assert len(kept_api) < len(computing_api)


def test_the_roll_up_shows_with_redis_out_of_reach(app, tmp_path, region_of, make, caplog):
    world = region_of([10, 7])
    regional, region_id, member = world.regional.id, world.region.id, world.members[0].id
    server = RedisServer(tmp_path)
    server.start()
    try:
        # The College on the test's database and a Redis of the test's own, which it stops.
        with second_app(app, REDIS_URL=server.url, RATELIMIT_STORAGE_URI=server.url) as own:
            client = own.test_client()
            user = db.session.get(User, regional)
            Auth(client).login_as(user)
            headers = bearer_for(user)
            shown = _views(client, region_id, headers)
            assert _views(client, region_id, headers) == shown  # kept in that Redis

            server.stop()
            caplog.set_level(logging.WARNING)
            assert _views(client, region_id, headers) == shown
            assert "region-figures cache unavailable" in caplog.text
            # Computed each time: a change is there at once.
            make.enrolment(make.learner(), _edition(db.session.get(Organiser, member)))
            page, api = _views(client, region_id, headers)
            assert api["total"]["enrolled"] == 18 and page != shown[0]
    finally:
        server.stop()
