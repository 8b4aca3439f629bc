"""Staff enrol others during the edition (into a free seat) and after the window closes; learners
enrol themselves only before the start. One table of cases, sent to the page and to the API."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from college import timeutil
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.conftest import post_form

# (case, who acts, when, seats left, expected status, expected state or message)
CASES = [
    ("trainer during the edition", "trainer", "running", 1, 201, "enrolled"),
    ("coordinator during the edition", "coordinator", "running", 1, 201, "enrolled"),
    ("staff during a full edition", "coordinator", "running", 0, 409,
     "This edition has started and is full"),
    ("staff after the window closed", "trainer", "window closed", 0, 201, "waitlisted"),
    ("staff after the last session", "coordinator", "over", 1, 409, "This edition is over"),
    ("the learner during the edition", "learner", "running", 1, 409, "is closed"),
    ("the learner after the window closed", "learner", "window closed", 1, 409,
     "Enrolment for this edition is closed."),
]


@pytest.fixture()
def situation(make, clock):
    """An edition of two sessions (14:00 on its first day and a week later) with `seats_left`
    of two seats free, its enrolment closing three days before; the clock moved to `when`."""

    def build(when: str, seats_left: int):
        hub = make.organiser("Mantelzorghub Gent")
        staff = {"trainer": make.trainer(hub), "coordinator": make.coordinator(hub)}
        edition = make.edition(make.course(hub), trainers=[staff["trainer"]], sessions=2, capacity=2)
        for _seat in range(2 - seats_left):
            make.enrolment(make.learner(), edition)
        edition.enrolment_closes_at = timeutil.brussels(edition.starts_on - timedelta(days=3), time(18))
        db.session.commit()
        clock.move_to({
            "window closed": edition.enrolment_closes_at + timedelta(hours=1),
            "running": timeutil.brussels(edition.starts_on + timedelta(days=1), time(9)),
            "over": timeutil.brussels(edition.ends_on, time(17)),
        }[when])
        learner = make.learner(name="Maria Peeters", email="maria@example.be")
        return hub, staff, edition, learner

    return build


def _by_page(client, auth, actor, edition, learner):
    auth.login_as(actor)
    if actor.id == learner.id:
        response = post_form(client, f"/editions/{edition.id}/enrol", page=f"/courses/{edition.course_id}")
    else:
        response = post_form(client, f"/editions/{edition.id}/enrol-on-behalf", {"email": learner.email},
                             page=f"/editions/{edition.id}/enrolments")
    text = BeautifulSoup(client.get(response.headers["Location"]).get_data(as_text=True)
                         if response.status_code == 302 else response.get_data(as_text=True),
                         "html.parser").get_text(" ", strip=True)
    return (201 if response.status_code == 302 else response.status_code), text


def _by_api(client, actor, edition, learner):
    body = {} if actor.id == learner.id else {"email": learner.email}
    response = client.post(f"/api/v1/editions/{edition.id}/enrolments", json=body,
                           headers=bearer_for(actor))
    return response.status_code, str(response.get_json())


@pytest.mark.parametrize("surface", ["page", "api"])
@pytest.mark.parametrize(("case", "who", "when", "seats_left", "status", "outcome"), CASES,
                         ids=[case[0] for case in CASES])
def test_who_may_enrol_during_and_after_the_edition(client, auth, situation, surface, case, who, when,
                                                     seats_left, status, outcome):
    _hub, staff, edition, learner = situation(when, seats_left)
    actor = learner if who == "learner" else staff[who]
    got, text = (_by_page(client, auth, actor, edition, learner) if surface == "page"
                 else _by_api(client, actor, edition, learner))
    assert got == status, text[:600]
    mine = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    if status == 201:
        assert mine is not None and mine.status == EnrolmentStatus(outcome)
    else:
        assert outcome in text
        assert mine is None
