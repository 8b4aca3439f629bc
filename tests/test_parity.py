"""Page and API decide the same: one table of cases, each asked through both surfaces.

Each case builds its world, then names the page request and the API request that ask the same
question, the status both must answer, and what must (not) have changed afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from college import timeutil
from college.catalogue.models import Course, Edition
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.storage import file_storage
from college.enrolment.models import Enrolment
from college.extensions import db
from college.privacy.models import PersonalDataAccess
from tests.api.conftest import bearer_for
from tests.catalogue.test_manage import course_data
from tests.conftest import Auth, post_form


def _count(model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


@dataclass
class World:
    """An organiser with a published and a draft course, staff, a second organiser, learners."""

    make: object

    def __post_init__(self):
        make = self.make
        self.hub = make.organiser()
        self.coordinator = make.coordinator(self.hub)
        self.trainer = make.trainer(self.hub)
        self.other_coordinator = make.coordinator(make.organiser())
        self.learner = make.learner()
        self.published = make.course(self.hub, title="Tillen en verplaatsen")
        self.draft = make.course(self.hub, title="Rouw en verlies", published=False)
        self.edition = make.edition(self.published, trainers=[self.trainer], capacity=3)
        self.draft_edition = make.edition(self.draft)
        self.session = make.session(self.edition, starts_at=timeutil.now() + timedelta(minutes=10))
        self.enrolment = make.enrolment(self.learner, self.edition)


@dataclass
class Case:
    #: Who asks (a World attribute, None: nobody logged in).
    who: str | None
    #: (method, path, form data) on the site.
    page: Callable[[World], tuple[str, str, dict | None]]
    #: (method, path, JSON body) in the API.
    api: Callable[[World], tuple[str, str, dict | None]]
    status: int
    #: What a refusal must leave unchanged (a count, a value), read before and after.
    unchanged: Callable[[World], object] | None = None


def _revoked_certificate(world: World) -> Certificate:
    certificate = Certificate(
        enrolment_id=world.enrolment.id, learner_id=world.learner.id, edition_id=world.edition.id,
        status=CertificateStatus.REVOKED, verification_code=secrets.token_hex(6).upper(),
        issued_at=timeutil.now(), revoked_at=timeutil.now(), revoked_reason="Fout in de naam",
        storage_key=f"parity/revoked-{secrets.token_hex(4)}.pdf",
    )
    file_storage().put(certificate.storage_key, b"%PDF-1.7 parity", "application/pdf")
    db.session.add(certificate)
    db.session.commit()
    return certificate


def _validity(course_id: int) -> int | None:
    db.session.expire_all()
    return db.session.get(Course, course_id).certificate_validity_months


def _new_edition_form(capacity: str) -> dict:
    day = (timeutil.today() + timedelta(days=30)).isoformat()
    return {"place": "Deinze", "venue": "OCMW", "capacity": capacity, "starts_on": day,
            "ends_on": day}


CASES = {
    "a draft is visible to its organiser's trainer": Case(
        "trainer",
        lambda w: ("GET", f"/courses/{w.draft.id}", None),
        lambda w: ("GET", f"/api/v1/courses/{w.draft.id}", None),
        200,
    ),
    "a draft is not found for a learner": Case(
        "learner",
        lambda w: ("GET", f"/courses/{w.draft.id}", None),
        lambda w: ("GET", f"/api/v1/courses/{w.draft.id}", None),
        404,
    ),
    "a draft is not found for another organiser's coordinator": Case(
        "other_coordinator",
        lambda w: ("GET", f"/courses/{w.draft.id}", None),
        lambda w: ("GET", f"/api/v1/courses/{w.draft.id}", None),
        404,
    ),
    "a draft edition's calendar is not found for visitors": Case(
        None,
        lambda w: ("GET", f"/editions/{w.draft_edition.id}.ics", None),
        lambda w: ("GET", f"/api/v1/editions/{w.draft_edition.id}/calendar.ics", None),
        404,
    ),
    "nobody enrols in a draft": Case(
        "learner",
        lambda w: ("POST", f"/editions/{w.draft_edition.id}/enrol", {}),
        lambda w: ("POST", f"/api/v1/editions/{w.draft_edition.id}/enrolments", {}),
        404,
        unchanged=lambda w: _count(Enrolment, Enrolment.edition_id == w.draft_edition.id),
    ),
    "a new edition has at most 10,000 seats": Case(
        "coordinator",
        lambda w: ("POST", f"/manage/courses/{w.published.id}/editions/new",
                   _new_edition_form("20000")),
        lambda w: ("POST", f"/api/v1/courses/{w.published.id}/editions",
                   {**_new_edition_form("x"), "capacity": 20000}),
        422,
        unchanged=lambda w: _count(Edition),
    ),
    "an edition gets at most 10,000 seats": Case(
        "coordinator",
        lambda w: ("POST", f"/editions/{w.edition.id}/capacity", {"capacity": "20000"}),
        lambda w: ("PATCH", f"/api/v1/editions/{w.edition.id}", {"capacity": 20000}),
        422,
        unchanged=lambda w: db.session.get(Edition, w.edition.id).capacity,
    ),
    "a revoked certificate cannot be downloaded": Case(
        "learner",
        lambda w: ("GET", f"/certificates/{_revoked_certificate(w).id}/download", None),
        lambda w: ("GET", f"/api/v1/certificates/{_revoked_certificate(w).id}/pdf", None),
        409,
    ),
    "someone else's certificate is not found": Case(
        "other_coordinator",
        lambda w: ("GET", f"/certificates/{_revoked_certificate(w).id}/download", None),
        lambda w: ("GET", f"/api/v1/certificates/{_revoked_certificate(w).id}/pdf", None),
        404,
    ),
    "a course's certificates stay valid for at most 120 months": Case(
        "coordinator",
        lambda w: ("POST", f"/manage/courses/{w.published.id}/edit",
                   course_data(title=w.published.title, certificate_validity_months="121")),
        lambda w: ("PATCH", f"/api/v1/courses/{w.published.id}",
                   {"certificate_validity_months": 121}),
        422,
        unchanged=lambda w: _validity(w.published.id),
    ),
    "another organiser's coordinator does not change a course": Case(
        "other_coordinator",
        lambda w: ("POST", f"/manage/courses/{w.published.id}/edit",
                   course_data(title=w.published.title, certificate_validity_months="36")),
        lambda w: ("PATCH", f"/api/v1/courses/{w.published.id}",
                   {"certificate_validity_months": 36}),
        403,
        unchanged=lambda w: _validity(w.published.id),
    ),
    "attendance is not recorded before its window opens": Case(
        "trainer",
        lambda w: ("POST", f"/sessions/{w.future.id}/roster", {f"status-{w.learner.id}": "present"}),
        lambda w: ("PUT", f"/api/v1/sessions/{w.future.id}/attendance",
                   {"records": [{"user_id": w.learner.id, "status": "present"}]}),
        409,
    ),
}


def _ask(client, auth, world: World, who: str | None, surface: str, case: Case):
    method, path, data = (case.page if surface == "page" else case.api)(world)
    user = getattr(world, who) if who else None
    if surface == "page":
        if user is not None:
            auth.login_as(user)
        if method == "GET":
            return client.get(path)
        return post_form(client, path, data, page="/")
    headers = bearer_for(user) if user is not None else {}
    return client.open(path, method=method, json=data, headers=headers)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("surface", ["page", "api"])
def test_page_and_api_decide_the_same(name, surface, app, make):
    case = CASES[name]
    client = app.test_client()
    world = World(make)
    world.future = make.session(world.edition, starts_at=timeutil.now() + timedelta(days=5))
    before = case.unchanged(world) if case.unchanged else None
    response = _ask(client, Auth(client), world, case.who, surface, case)
    assert response.status_code == case.status, response.get_data(as_text=True)[:300]
    if case.unchanged is not None:
        assert case.unchanged(world) == before


def test_reading_a_roster_is_logged_on_both_surfaces(app, make, client, auth):
    world = World(make)
    auth.login_as(world.trainer)
    assert client.get(f"/sessions/{world.session.id}/roster").status_code == 200
    assert _count(PersonalDataAccess, PersonalDataAccess.learner_id == world.learner.id) == 1
    response = app.test_client().get(f"/api/v1/sessions/{world.session.id}/attendance",
                                     headers=bearer_for(world.trainer))
    assert response.status_code == 200
    assert _count(PersonalDataAccess, PersonalDataAccess.learner_id == world.learner.id) == 2
