"""Enrol buttons clicked twice: one enrolment, and the second click answers like the first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from college.accounts.models import Language
from college.catalogue.models import Edition
from college.enrolment.models import Enrolment
from college.extensions import db
from tests.conftest import answer_of, at_once, double_click, shown_form, twin_client


def enrolments(edition_id: int) -> list[tuple[int, str, int | None]]:
    return [(row.learner_id, row.status.value, row.waitlist_position) for row in db.session.execute(
        select(Enrolment.learner_id, Enrolment.status, Enrolment.waitlist_position)
        .where(Enrolment.edition_id == edition_id).order_by(Enrolment.id))]


def seats(edition_id: int) -> tuple[int, int]:
    return tuple(db.session.execute(select(Edition.seats_taken, Edition.waitlist_length)
                                    .where(Edition.id == edition_id)).one())


@pytest.fixture()
def roster(make, auth):
    """An edition, a coordinator logged in on its roster, and a caller without email."""
    organiser = make.organiser()
    edition = make.edition(make.course(organiser), capacity=1)
    caller = make.learner(email=None, password=None, name="Jeanne Claes",
                          managed_by_organiser_id=organiser.id)
    auth.login_as(make.coordinator(organiser, language=Language.EN))
    return edition, caller


@pytest.mark.parametrize(("full", "message"), [
    (False, "Jeanne Claes is enrolled."),
    (True, "Jeanne Claes is number 1 on the waiting list."),
])
def test_enrolling_someone_with_a_double_click_enrols_once_and_says_so_twice(
        client, make, roster, full, message):
    edition, caller = roster
    if full:
        make.enrolment(make.learner(), edition)
    page = f"/editions/{edition.id}/enrolments"

    answers = double_click(client, f"/editions/{edition.id}/enrol-on-behalf",
                           {"managed_learner": str(caller.id)}, page=page)

    # Not "Jeanne Claes is already enrolled" the second time: it was one click for her.
    assert answers[0] == answers[1] == (302, page, [message])
    waiting = (caller.id, "waitlisted", 1) if full else (caller.id, "enrolled", None)
    assert [row for row in enrolments(edition.id) if row[0] == caller.id] == [waiting]
    assert seats(edition.id) == ((1, 1) if full else (1, 0))


def test_enrolling_someone_twice_at_the_same_moment_enrols_once(client, roster):
    edition, caller = roster
    page = f"/editions/{edition.id}/enrolments"
    url = f"/editions/{edition.id}/enrol-on-behalf"
    sent = {**shown_form(client, page, url), "managed_learner": str(caller.id)}
    clicks = [client, twin_client(client)]

    responses = at_once(*(lambda c=c: c.post(url, data=sent) for c in clicks))

    answers = [answer_of(c, r) for c, r in zip(clicks, responses, strict=True)]
    assert answers[0] == answers[1] == (302, page, ["Jeanne Claes is enrolled."])
    assert enrolments(edition.id) == [(caller.id, "enrolled", None)]
    assert seats(edition.id) == (1, 0)


def test_a_fresh_form_for_someone_already_enrolled_still_says_so(client, roster):
    edition, caller = roster
    page = f"/editions/{edition.id}/enrolments"
    url = f"/editions/{edition.id}/enrol-on-behalf"
    double_click(client, url, {"managed_learner": str(caller.id)}, page=page)

    again = client.post(url, data={**shown_form(client, page, url), "managed_learner": str(caller.id)})

    assert again.status_code == 409
    assert "Jeanne Claes is already enrolled" in again.get_data(as_text=True)
    assert len(enrolments(edition.id)) == 1


def test_a_learner_clicking_enrol_twice_is_enrolled_once(client, make, auth):
    edition = make.edition(capacity=5)
    learner = make.learner(language=Language.EN)
    auth.login_as(learner)
    course_page = f"/courses/{edition.course_id}"

    answers = double_click(client, f"/editions/{edition.id}/enrol", {}, page=course_page)

    assert answers[0] == answers[1] == (
        302, course_page, ["You are enrolled. You will receive a confirmation."]
    )
    assert enrolments(edition.id) == [(learner.id, "enrolled", None)]
    assert seats(edition.id) == (1, 0)
