"""A coordinator's "Create account" clicked twice makes one account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from college.accounts.models import User
from college.extensions import db
from tests.conftest import answer_of, at_once, double_click, shown_form, twin_client


@pytest.fixture()
def hub(make, auth):
    organiser = make.organiser()
    auth.login_as(make.coordinator(organiser))
    return organiser


def named(name: str) -> list[tuple[str | None, int | None]]:
    return [(user.email, user.managed_by_organiser_id)
            for user in db.session.scalars(select(User).where(User.name == name))]


@pytest.mark.parametrize(("data", "expected"), [
    # Today the second click of a trainer's account said "already exists"...
    ({"name": "Tine Trainer", "email": "tine@example.be", "roles": "trainer"},
     ("tine@example.be", None)),
    # ...and a caregiver without email got two identical accounts.
    ({"name": "Jeanne Claes", "roles": "learner", "kind": "caregiver"}, (None, "hub")),
])
def test_a_double_click_on_create_account_makes_one_account(client, hub, data, expected):
    url = f"/organisers/{hub.id}/people/new"

    answers = double_click(client, url, data)

    people = f"/organisers/{hub.id}/people"
    assert answers[0] == answers[1] == (302, people, [f"Account created for {data['name']}."])
    assert named(data["name"]) == [(expected[0], hub.id if expected[1] else None)]


def test_two_clicks_at_the_same_moment_make_one_account(client, hub):
    url = f"/organisers/{hub.id}/people/new"
    sent = {**shown_form(client, url), "name": "Jeanne Claes", "roles": "learner", "kind": "caregiver"}
    clicks = [client, twin_client(client)]

    responses = at_once(*(lambda c=c: c.post(url, data=sent) for c in clicks))

    answers = [answer_of(c, r) for c, r in zip(clicks, responses, strict=True)]
    assert answers[0] == answers[1] == (
        302, f"/organisers/{hub.id}/people", ["Account created for Jeanne Claes."]
    )
    assert named("Jeanne Claes") == [(None, hub.id)]
