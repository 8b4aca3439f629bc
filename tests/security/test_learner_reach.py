"""Staff reach only the learners their organiser knows: one table of cases, page and API alike.

By id, a trainer or coordinator names only someone their organiser knows: one of its managed
accounts, or a learner who holds or held an enrolment in one of its editions. Anyone else they
name by the exact email address, and that person is told who enrolled them. An id out of reach
answers exactly as an id of nobody, and no answer names a person the caller may not see.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import Language
from college.api.core import MAX_ID
from college.attendance.models import Attendance
from college.enrolment.models import Enrolment, EnrolmentStatus, Notification
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.conftest import Auth, post_form
from tests.enrolment.test_notifications import run_worker

#: An id that belongs to nobody.
NOBODY = MAX_ID - 11
#: The status a surface answers when it accepts: the page redirects, the API creates.
ACCEPTED = {"page": 302, "api": 201}


@dataclass
class World:
    """A hub with an edition and the people it knows, and a second hub with its own people."""

    make: object

    def __post_init__(self):
        make = self.make
        self.hub = make.organiser(name="Mantelzorghub Deinze")
        elsewhere = make.organiser(name="Mantelzorghub Aalst")
        self.coordinator = make.coordinator(self.hub, name="Koen Coordinator")
        self.trainer = make.trainer(self.hub, name="Tine Trainer")
        self.learner = make.learner(name="Lies Lerende")
        course = make.course(self.hub, title="Tillen en verplaatsen")
        self.edition = make.edition(course, trainers=[self.trainer], capacity=5)
        self.session = make.session(self.edition, starts_at=timeutil.now() + timedelta(minutes=10))
        self.managed = make.learner(email=None, password=None, name="Jeanne Claes",
                                    managed_by_organiser_id=self.hub.id)
        self.ann = make.learner(name="Ann Aerts")
        make.enrolment(self.ann, self.edition)
        self.former = make.learner(name="Frans Vroeger", language=Language.EN)
        make.enrolment(self.former, make.edition(course), status=EnrolmentStatus.CANCELLED,
                       cancelled_at=timeutil.now())
        # The second hub's people: the first hub never dealt with them.
        self.stranger = make.learner(name="Sara Stranger", email="sara@example.be",
                                     language=Language.EN)
        make.enrolment(self.stranger, make.edition(make.course(elsewhere)))
        self.foreign_managed = make.learner(email=None, password=None, name="Marc Elders",
                                            managed_by_organiser_id=elsewhere.id)
        self.foreign_trainer = make.trainer(elsewhere, name="Olga Ander")


def _id(world: World, who: str) -> int:
    return NOBODY if who == "nobody" else getattr(world, who).id


def by_id(who: str) -> dict:
    """Enrol on behalf, naming the person by id (the page's list, the API's user_id)."""
    return {
        "page": lambda w: ("POST", f"/editions/{w.edition.id}/enrol-on-behalf",
                           {"managed_learner": str(_id(w, who))}),
        "api": lambda w: ("POST", f"/api/v1/editions/{w.edition.id}/enrolments",
                          {"user_id": _id(w, who)}),
    }


def by_email(address: str) -> dict:
    """Enrol on behalf, naming the person by email address."""
    return {
        "page": lambda w: ("POST", f"/editions/{w.edition.id}/enrol-on-behalf", {"email": address}),
        "api": lambda w: ("POST", f"/api/v1/editions/{w.edition.id}/enrolments",
                          {"email": address}),
    }


def marked_present(who: str) -> dict:
    """Record someone present in the session (the roster page, the attendance API)."""
    return {
        "page": lambda w: ("POST", f"/sessions/{w.session.id}/roster",
                           {f"status-{_id(w, who)}": "present"}),
        "api": lambda w: ("PUT", f"/api/v1/sessions/{w.session.id}/attendance",
                          {"records": [{"user_id": _id(w, who), "status": "present"}]}),
    }


def _counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Enrolment, Notification, Attendance))


def _enrolled_by(world: World, who: str) -> tuple[int, int] | None:
    """(learner, enrolled by) of the person's live enrolment in the edition."""
    row = db.session.execute(
        select(Enrolment.learner_id, Enrolment.enrolled_by_id).where(
            Enrolment.edition_id == world.edition.id, Enrolment.learner_id == _id(world, who),
            Enrolment.status == EnrolmentStatus.ENROLLED)).first()
    return tuple(row) if row else None


@dataclass
class Case:
    #: Who asks: a World attribute.
    who: str
    #: The page request and the API request that ask the same, by surface.
    requests: dict
    #: The status both answer; "accepted" for the page's redirect and the API's 201.
    status: int | str
    #: Words the answer must show.
    shown: Callable[[World], list[str]] = lambda w: []
    #: Words it must not show: the names and addresses of people the caller may not see.
    hidden: Callable[[World], list[str]] = lambda w: []
    #: What must hold afterwards (a refusal always leaves enrolments, mails and attendance).
    then: Callable[[World], None] | None = None


def _stranger(w: World) -> list[str]:
    return ["Sara Stranger", "sara@example.be"]


def _enrolled(who: str, by: str) -> Callable[[World], None]:
    def check(world: World) -> None:
        assert _enrolled_by(world, who) == (_id(world, who), _id(world, by))

    return check


def _told_who_enrolled_them(world: World) -> None:
    _enrolled("stranger", "trainer")(world)
    body = db.session.scalar(select(Notification.body).where(
        Notification.user_id == world.stranger.id, Notification.kind == "enrolled"))
    assert "Tine Trainer of Mantelzorghub Deinze enrolled you" in body


CASES = {
    "a learner of another organiser, by id, is not found": Case(
        "trainer", by_id("stranger"), 404, hidden=_stranger,
        shown=lambda w: ["This learner does not exist."],
    ),
    "another organiser's managed account, by id, is not found": Case(
        "coordinator", by_id("foreign_managed"), 404, hidden=lambda w: ["Marc Elders"],
    ),
    "another organiser's trainer, by id, is not found": Case(
        "coordinator", by_id("foreign_trainer"), 404, hidden=lambda w: ["Olga Ander"],
    ),
    "an id of nobody is not found": Case(
        "trainer", by_id("nobody"), 404, shown=lambda w: ["This learner does not exist."],
    ),
    "the organiser's managed account, by id, is enrolled": Case(
        "trainer", by_id("managed"), "accepted", then=_enrolled("managed", "trainer"),
    ),
    "someone who once enrolled with the organiser, by id, is enrolled": Case(
        "coordinator", by_id("former"), "accepted", then=_enrolled("former", "coordinator"),
    ),
    "anyone, by their exact email address, is enrolled and told who did it": Case(
        "trainer", by_email("sara@example.be"), "accepted", then=_told_who_enrolled_them,
    ),
    "an address that is not exactly someone's finds nobody": Case(
        "trainer", by_email("sara@example.com"), 404, hidden=_stranger,
        shown=lambda w: ["No learner with this email address was found."],
    ),
    "the already-enrolled refusal names the person to the edition's staff": Case(
        "trainer", by_id("ann"), 409,
        shown=lambda w: ["Ann Aerts is already enrolled in this edition"],
    ),
    "a learner cannot enrol someone else": Case(
        "learner", by_id("stranger"), 403, hidden=_stranger,
    ),
    "a learner cannot enrol an id of nobody either: the same answer": Case(
        "learner", by_id("nobody"), 403,
    ),
    "marking a stranger present shows the number sent, not the name": Case(
        "trainer", marked_present("stranger"), 422, hidden=_stranger,
        shown=lambda w: [f"Not enrolled in this edition, so not marked: {w.stranger.id}."],
    ),
    "marking someone the organiser knows, not seated, names them": Case(
        "trainer", marked_present("former"), 422,
        shown=lambda w: ["Not enrolled in this edition, so not marked: Frans Vroeger."],
    ),
}


def _ask(app, world: World, who: str, surface: str, requests: dict):
    method, path, data = requests[surface](world)
    client = app.test_client()
    user = getattr(world, who)
    if surface == "page":
        Auth(client).login_as(user)
        return post_form(client, path, data, page="/")
    return client.open(path, method=method, json=data, headers=bearer_for(user))


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("surface", ["page", "api"])
def test_staff_reach_only_the_learners_their_organiser_knows(name, surface, app, make):
    case = CASES[name]
    world = World(make)
    before = _counts()
    response = _ask(app, world, case.who, surface, case.requests)
    text = response.get_data(as_text=True)
    status = ACCEPTED[surface] if case.status == "accepted" else case.status
    assert response.status_code == status, text[:500]
    for words in case.shown(world):
        assert words in text
    for words in case.hidden(world):
        assert words not in text
    if case.status != "accepted":
        assert _counts() == before
    if case.then is not None:
        case.then(world)


def _refusal(surface: str, response) -> str:
    """The words of a refusal: the API's problem detail, the page's error summary."""
    if surface == "api":
        return response.get_json(force=True)["detail"]
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return " ".join(item.get_text(" ", strip=True)
                    for item in soup.select(".error-summary li, [role=alert], h1"))


@pytest.mark.parametrize("requests", [by_id, marked_present])
@pytest.mark.parametrize("surface", ["page", "api"])
def test_an_id_out_of_reach_answers_exactly_as_an_id_of_nobody(requests, surface, app, make):
    world = World(make)
    answers = []
    for who in ("stranger", "foreign_managed", "nobody"):
        response = _ask(app, world, "trainer", surface, requests(who))
        words = re.sub(rf"\b{_id(world, who)}\b", "<id>", _refusal(surface, response))
        answers.append((response.status_code, words))
    assert answers[0] == answers[1] == answers[2]


def test_the_api_takes_an_id_or_an_address_not_both(app, make):
    world = World(make)
    response = app.test_client().post(
        f"/api/v1/editions/{world.edition.id}/enrolments",
        json={"user_id": world.managed.id, "email": "sara@example.be"},
        headers=bearer_for(world.trainer))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["email"]
    assert _enrolled_by(world, "managed") is None and _enrolled_by(world, "stranger") is None


@pytest.mark.parametrize("surface", ["page", "api"])
def test_the_mail_tells_the_person_who_enrolled_them(surface, app, make, smtp_inbox):
    world = World(make)
    response = _ask(app, world, "coordinator", surface, by_email("sara@example.be"))
    assert response.status_code == ACCEPTED[surface], response.get_data(as_text=True)[:500]
    run_worker(app)
    [(to, mail)] = smtp_inbox.messages
    assert to == ["sara@example.be"]
    text = mail.get_content()
    assert "Koen Coordinator of Mantelzorghub Deinze enrolled you" in text
    assert "Did you not ask for this? Let Mantelzorghub Deinze know" in text
