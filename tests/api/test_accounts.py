"""Registering, who am I, and accounts a coordinator creates, all through the accounts services."""

from __future__ import annotations

from sqlalchemy import select

from college.accounts.models import Kind, Membership, Role, User
from college.extensions import db
from tests.api.conftest import assert_problem

NEW_LEARNER = {
    "email": "Mia@Example.be", "password": "een lange zin", "name": "Mia Claes",
    "kind": "professional", "profession": "thuisverpleegkundige", "consent": True,
}


def test_register_creates_a_learner_whose_address_waits_for_its_link(client):
    response = client.post("/api/v1/register", json=NEW_LEARNER)
    assert response.status_code == 202
    assert response.get_json()["email"] == "Mia@Example.be"
    user = User.by_email("mia@example.be")
    assert user.profession == "thuisverpleegkundige"
    assert user.consented_at is not None and user.email_confirmed_at is None
    token = client.post("/api/v1/auth/tokens", json={"email": "mia@example.be",
                                                     "password": NEW_LEARNER["password"]})
    body = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.get_json()['token']}"}).get_json()
    assert body["email"] == "mia@example.be"
    assert body["kind"] == "professional"
    assert body["roles"] == ["learner"]
    assert body["is_managed"] is False
    assert body["email_confirmed"] is False
    assert "password" not in body and "password_hash" not in body


def test_register_without_consent_changes_nothing(client):
    body = assert_problem(client.post("/api/v1/register", json={**NEW_LEARNER, "consent": False}), 422)
    assert "consent" in body["errors"]
    assert db.session.scalar(select(User)) is None


def test_register_refuses_a_malformed_email(client):
    body = assert_problem(client.post("/api/v1/register", json={**NEW_LEARNER, "email": "mia"}), 422)
    assert list(body["errors"]) == ["email"]


def test_me_shows_roles_and_memberships(client, make, bearer):
    hub = make.organiser("Mantelzorghub Gent")
    coordinator = make.coordinator(hub, name="Els")
    body = client.get("/api/v1/me", headers=bearer(coordinator)).get_json()
    assert body["name"] == "Els"
    assert body["roles"] == ["coordinator"]
    assert body["memberships"] == [
        {"organiser_id": hub.id, "organiser_name": "Mantelzorghub Gent", "role": "coordinator"}
    ]


def test_coordinator_creates_a_managed_learner_without_email(client, make, bearer):
    hub = make.organiser()
    headers = bearer(make.coordinator(hub))
    response = client.post(
        "/api/v1/users", headers=headers,
        json={"name": "Jozef Wouters", "roles": ["learner"], "kind": "caregiver"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["is_managed"] is True
    assert body["email"] is None
    assert db.session.get(User, body["id"]).managed_by_organiser_id == hub.id


def test_coordinator_creates_a_trainer_who_can_log_in(client, make, bearer):
    hub = make.organiser()
    response = client.post(
        "/api/v1/users", headers=bearer(make.coordinator(hub)),
        json={"name": "Tom", "email": "tom@example.be", "roles": ["trainer"], "password": "een lange zin"},
    )
    assert response.status_code == 201
    membership = db.session.scalars(select(Membership).where(Membership.user_id == response.get_json()["id"])).one()
    assert (membership.organiser_id, membership.role) == (hub.id, Role.TRAINER)
    token = client.post("/api/v1/auth/tokens", json={"email": "tom@example.be", "password": "een lange zin"})
    assert token.status_code == 201


def test_service_rules_apply_to_the_api(client, make, bearer):
    hub = make.organiser()
    headers = bearer(make.coordinator(hub))
    body = assert_problem(
        client.post("/api/v1/users", headers=headers, json={"name": "Tom", "roles": ["trainer"]}), 422
    )
    assert list(body["errors"]) == ["email"]
    body = assert_problem(
        client.post("/api/v1/users", headers=headers, json={"name": "Jo", "roles": ["learner"]}), 422
    )
    assert list(body["errors"]) == ["kind"]
    body = assert_problem(
        client.post("/api/v1/users", headers=headers, json={"name": "Jo", "roles": ["king"]}), 422
    )
    assert "roles" in body["errors"]
    assert len(db.session.scalars(select(User)).all()) == 1  # only the coordinator


def test_only_coordinators_of_the_organiser_create_accounts(client, make, bearer):
    hub, other_hub = make.organiser(), make.organiser()
    body = {"name": "Jo", "roles": ["learner"], "kind": "caregiver", "organiser_id": hub.id}
    assert_problem(client.post("/api/v1/users", headers=bearer(make.learner()), json=body), 403)
    assert_problem(client.post("/api/v1/users", headers=bearer(make.trainer(hub)), json=body), 403)
    assert_problem(client.post("/api/v1/users", headers=bearer(make.coordinator(other_hub)), json=body), 403)
    assert_problem(client.post("/api/v1/users", headers=bearer(make.coordinator(hub)),
                               json={**body, "organiser_id": 999999}), 404)
    assert db.session.scalar(select(User).where(User.name == "Jo")) is None


def test_coordinator_of_two_organisers_names_one(client, make, bearer):
    hub, other_hub = make.organiser(), make.organiser()
    coordinator = make.coordinator(hub)
    db.session.add(Membership(user_id=coordinator.id, organiser_id=other_hub.id, role=Role.COORDINATOR))
    db.session.commit()
    headers = bearer(coordinator)
    body = {"name": "Jo", "roles": ["learner"], "kind": "caregiver"}
    problem = assert_problem(client.post("/api/v1/users", headers=headers, json=body), 422)
    assert list(problem["errors"]) == ["organiser_id"]
    response = client.post("/api/v1/users", headers=headers, json={**body, "organiser_id": other_hub.id})
    assert response.status_code == 201
    assert db.session.get(User, response.get_json()["id"]).managed_by_organiser_id == other_hub.id
    assert db.session.get(User, response.get_json()["id"]).kind == Kind.CAREGIVER
