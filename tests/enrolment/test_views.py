"""Enrolment pages as users meet them: enrol, cancel, roster, capacity, on behalf, my trainings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import select

from college import timeutil
from college.accounts.models import Kind, Language
from college.catalogue.models import Edition
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.enrolment.services import enrol_learner
from college.extensions import db
from tests.conftest import post_form


def live(edition_id: int) -> list[tuple[int, str, int | None, int | None]]:
    return [
        (r.learner_id, r.status.value, r.waitlist_position, r.enrolled_by_id)
        for r in db.session.execute(
            select(Enrolment.learner_id, Enrolment.status, Enrolment.waitlist_position,
                   Enrolment.enrolled_by_id)
            .where(Enrolment.edition_id == edition_id, Enrolment.status != EnrolmentStatus.CANCELLED)
            .order_by(Enrolment.id)
        )
    ]


def seats(edition_id: int) -> tuple[int, int, int]:
    return tuple(db.session.execute(
        select(Edition.capacity, Edition.seats_taken, Edition.waitlist_length)
        .where(Edition.id == edition_id)).one())


def english_learner(make, **fields):
    return make.learner(language=Language.EN, **fields)


def test_anonymous_enrolling_goes_to_login(client, make):
    edition = make.edition()
    response = post_form(client, f"/editions/{edition.id}/enrol", {"next": "/courses/1"}, page="/login")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert live(edition.id) == []


def test_learner_enrols_and_sees_it_in_my_trainings(client, auth, make):
    course = make.course(title="Omgaan met dementie")
    edition = make.edition(course, sessions=2, place="Gent")
    learner = english_learner(make)
    auth.login_as(learner)
    response = post_form(client, f"/editions/{edition.id}/enrol", page="/my/trainings")
    assert response.status_code == 302
    assert live(edition.id) == [(learner.id, "enrolled", None, None)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are enrolled" in page
    assert "Omgaan met dementie" in page and "Enrolled" in page
    assert page.count("Zaal 1") == 2  # both upcoming sessions are listed


def test_full_edition_shows_the_waiting_list_position(client, auth, make):
    edition = make.edition(capacity=1)
    make.enrolment(make.learner(), edition)
    make.enrolment(make.learner(), edition, EnrolmentStatus.WAITLISTED)
    learner = english_learner(make)
    auth.login_as(learner)
    response = post_form(client, f"/editions/{edition.id}/enrol", page="/my/trainings",
                         follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "number 2 on the waiting list" in page
    assert "On the waiting list: number 2" in page
    assert seats(edition.id) == (1, 1, 2)


@pytest.mark.parametrize(
    ("setup", "status", "message"),
    [
        ("twice", 409, "already enrolled"),
        ("closed", 409, "Enrolment for this edition is closed"),
        ("past", 409, "already started"),
        ("other_track", 403, "only for care professionals"),
        ("unpublished", 404, "not published"),
    ],
)
def test_enrolling_where_the_rules_say_no(client, auth, make, setup, status, message):
    learner = english_learner(make, kind=Kind.CAREGIVER)
    course_fields = {
        "other_track": {"open_to_caregivers": False, "open_to_professionals": True},
        "unpublished": {"published": False},
    }.get(setup, {})
    edition_fields = {
        "closed": {"enrolment_closes_at": timeutil.now() - timedelta(minutes=1)},
        "past": {"starts_on": timeutil.today() - timedelta(days=10)},
    }.get(setup, {})
    edition = make.edition(make.course(**course_fields), **edition_fields)
    if setup == "twice":
        enrol_learner(edition_id=edition.id, learner_id=learner.id, actor=learner)
    before = (live(edition.id), seats(edition.id))
    auth.login_as(learner)
    response = post_form(client, f"/editions/{edition.id}/enrol", page="/my/trainings")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert (live(edition.id), seats(edition.id)) == before


def test_enrolling_without_csrf_token_is_refused(client, auth, make):
    edition = make.edition()
    auth.login_as(make.learner())
    response = client.post(f"/editions/{edition.id}/enrol")
    assert response.status_code == 400
    assert live(edition.id) == []


def test_learner_cancels_and_the_waiting_list_moves_up(client, auth, make):
    edition = make.edition(capacity=1)
    learner, waiting = english_learner(make), make.learner()
    own = make.enrolment(learner, edition)
    make.enrolment(waiting, edition, EnrolmentStatus.WAITLISTED)
    auth.login_as(learner)
    response = post_form(client, f"/enrolments/{own.id}/cancel", {"confirmed": "yes"},
                         follow_redirects=True)
    assert "The enrolment is cancelled" in response.get_data(as_text=True)
    assert live(edition.id) == [(waiting.id, "enrolled", None, None)]


def test_cancelling_someone_elses_enrolment_is_forbidden(client, auth, make):
    edition = make.edition()
    owner = make.learner()
    theirs = make.enrolment(owner, edition)
    auth.login_as(english_learner(make))
    response = post_form(client, f"/enrolments/{theirs.id}/cancel", {"confirmed": "yes"},
                         page="/my/trainings")
    assert response.status_code == 403
    assert "only cancel your own" in response.get_data(as_text=True)
    assert live(edition.id) == [(owner.id, "enrolled", None, None)]


def test_roster_shows_who_enrolled_whom_and_is_for_staff_only(client, auth, make):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser, name="Coördinator Els", language=Language.EN)
    edition = make.edition(make.course(organiser), capacity=1)
    self_enrolled = make.learner(name="Maria Peeters")
    make.enrolment(self_enrolled, edition)
    managed = make.learner(email=None, password=None, name="Jeanne Claes",
                           managed_by_organiser_id=organiser.id)
    enrol_learner(edition_id=edition.id, learner_id=managed.id, actor=coordinator)

    auth.login_as(self_enrolled)
    assert client.get(f"/editions/{edition.id}/enrolments").status_code == 403
    auth.logout()
    auth.login_as(coordinator)
    page = client.get(f"/editions/{edition.id}/enrolments").get_data(as_text=True)
    assert "Maria Peeters" in page and "themselves" in page
    assert "Jeanne Claes" in page and "Coördinator Els" in page and "waiting list" in page
    assert "1 of 1 seats taken" in page


def test_capacity_form_raises_promotes_and_refuses_bad_numbers(client, auth, make):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser, language=Language.EN)
    edition = make.edition(make.course(organiser), capacity=1)
    make.enrolment(make.learner(), edition)
    waiting = make.learner()
    make.enrolment(waiting, edition, EnrolmentStatus.WAITLISTED)
    auth.login_as(coordinator)
    url, page = f"/editions/{edition.id}/capacity", f"/editions/{edition.id}/enrolments"

    for bad, message in [("-2", "cannot be negative"), ("twenty", "whole number"),
                         ("0", "at least 1 seats")]:
        response = post_form(client, url, {"capacity": bad}, page=page)
        assert response.status_code == 422, bad
        assert message in response.get_data(as_text=True)
        assert seats(edition.id) == (1, 1, 1)

    response = post_form(client, url, {"capacity": "3"}, page=page, follow_redirects=True)
    assert "The edition now has 3 seats" in response.get_data(as_text=True)
    assert seats(edition.id) == (3, 2, 0)
    assert (waiting.id, "enrolled", None, None) in live(edition.id)


def test_trainer_of_the_edition_enrols_on_behalf_but_cannot_change_capacity(client, auth, make):
    organiser = make.organiser()
    trainer = make.trainer(organiser, language=Language.EN)
    edition = make.edition(make.course(organiser), capacity=4)
    from college.catalogue.models import edition_trainer

    db.session.execute(edition_trainer.insert().values(edition_id=edition.id, user_id=trainer.id))
    db.session.commit()
    managed = make.learner(email=None, password=None, name="Jeanne Claes",
                           managed_by_organiser_id=organiser.id)
    existing = make.learner(email="an@example.be")
    auth.login_as(trainer)
    page_url = f"/editions/{edition.id}/enrolments"
    assert "Jeanne Claes" in client.get(page_url).get_data(as_text=True)

    url = f"/editions/{edition.id}/enrol-on-behalf"
    assert post_form(client, url, {"managed_learner": str(managed.id)}, page=page_url).status_code == 302
    assert post_form(client, url, {"email": "AN@example.be"}, page=page_url).status_code == 302
    assert live(edition.id) == [(managed.id, "enrolled", None, trainer.id),
                                (existing.id, "enrolled", None, trainer.id)]

    unknown = post_form(client, url, {"email": "nobody@example.be"}, page=page_url)
    assert unknown.status_code == 404
    assert "No learner with this email address" in unknown.get_data(as_text=True)
    twice = post_form(client, url, {"email": "an@example.be"}, page=page_url)
    assert twice.status_code == 409
    response = post_form(client, f"/editions/{edition.id}/capacity", {"capacity": "9"}, page=page_url)
    assert response.status_code == 403
    assert seats(edition.id) == (4, 2, 0)


def test_my_trainings_lists_past_trainings(client, auth, make):
    learner = english_learner(make)
    old = make.edition(make.course(title="Tillen en verplaatsen"),
                       starts_on=timeutil.today() - timedelta(days=60))
    make.enrolment(learner, old, EnrolmentStatus.COMPLETED, completed_at=timeutil.now())
    auth.login_as(learner)
    page = client.get("/my/trainings").get_data(as_text=True)
    assert "Past trainings" in page and "Tillen en verplaatsen" in page and "Completed" in page
    assert "You are not enrolled in any training yet" in page
    assert 'href="/my/trainings"' in page  # the link in the menu


def test_my_trainings_needs_a_login(client):
    response = client.get("/my/trainings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def _button(app, user, edition):
    # A request of its own, as in production: its own `g` and database session.
    with app.app_context(), app.test_request_context("/courses/1", headers={"Accept-Language": "en"}):
        if user is not None:
            login_user(user)
        return render_template_string(
            '{% include "enrolment/_enrol_button.html" %}',
            edition=db.session.get(Edition, edition.id), course=None,
        )


def test_enrol_button_states(app, make):
    edition = make.edition(capacity=1)
    enrolled, waiting, newcomer = (english_learner(make) for _ in range(3))
    assert "Log in to enrol" in _button(app, None, edition)
    assert ">Enrol<" in _button(app, newcomer, edition)
    make.enrolment(enrolled, edition)
    make.enrolment(waiting, edition, EnrolmentStatus.WAITLISTED)
    assert "You are enrolled" in _button(app, enrolled, edition)
    assert "waiting list (number 1)" in _button(app, waiting, edition)
    full = _button(app, newcomer, edition)
    assert "Join the waiting list" in full and 'name="csrf_token"' in full
    assert f'action="/editions/{edition.id}/enrol"' in full
    closed = make.edition(enrolment_closes_at=timeutil.now() - timedelta(days=1))
    assert "closed" in _button(app, newcomer, closed)
