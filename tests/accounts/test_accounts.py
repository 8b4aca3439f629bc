"""Registering, logging in and out, changing passwords: and every bad input refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from college.accounts.models import Kind, Role, User
from college.extensions import db
from tests.conftest import PASSWORD, post_form


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def register(client, **overrides):
    data = {
        "kind": "caregiver",
        "name": "Maria Peeters",
        "email": "maria@example.be",
        "password": "mijn tuin in de lente",
        "consent": "y",
    }
    data.update(overrides)
    return post_form(client, "/register", data)


def test_register_caregiver_stores_consent_and_asks_to_confirm_the_address(app, client):
    response = register(client)
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "maria@example.be"))
    assert user.kind == Kind.CAREGIVER
    assert user.consent_version == app.config["PRIVACY_NOTICE_VERSION"]
    assert user.consented_at is not None
    assert user.password_hash.startswith("scrypt:")
    assert user.email_confirmed_at is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We sent a link to maria@example.be to confirm your address." in page
    # Not logged in yet: that is the link's work (or the login page's).
    assert "Maria Peeters" not in client.get("/").get_data(as_text=True)


def test_register_professional_keeps_profession(client):
    response = register(
        client, kind="professional", email="an@example.be", profession="Thuisverpleegkundige",
        registration_number="12345678",
    )
    assert response.status_code == 303
    user = User.by_email("an@example.be")
    assert (user.kind, user.profession, user.registration_number) == (
        Kind.PROFESSIONAL, "Thuisverpleegkundige", "12345678"
    )


def test_caregiver_does_not_store_profession(client):
    register(client, profession="should not be kept")
    assert User.by_email("maria@example.be").profession is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "valid email"),
        ({"password": "kort"}, "at least 8"),
        ({"password": "wachtwoord123"}, "too easy"),
        ({"password": "aaaaaaaaaaaa"}, "too easy"),
        ({"name": ""}, "Enter your name"),
        ({"kind": "doctor"}, "caregiver or a professional"),
        ({"consent": ""}, "privacy notice"),
    ],
)
def test_register_bad_input_is_refused(client, overrides, message):
    response = register(client, **overrides)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert user_count() == 0


def test_a_taken_email_in_any_case_makes_no_second_account(client, make):
    """The answer is that of a new address (tests/accounts/test_registration.py)."""
    make.learner(email="maria@example.be")
    response = register(client, email="Maria@Example.BE")
    assert response.status_code == 303
    assert user_count() == 1


def test_missing_or_wrong_csrf_token_is_refused(client):
    data = {"kind": "caregiver", "name": "X", "email": "x@example.be",
            "password": "mijn tuin in de lente", "consent": "y"}
    assert client.post("/register", data=data).status_code == 400
    assert client.post("/register", data={**data, "csrf_token": "forged"}).status_code == 400
    assert user_count() == 0


def test_login_and_logout(client, make, auth):
    user = make.learner(name="Jef Janssens")
    response = auth.login(user.email)
    assert response.status_code == 302
    assert "Jef Janssens" in client.get("/").get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert "Jef Janssens" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("email", ["known", "unknown@example.be"])
def test_wrong_login_does_not_reveal_whether_email_is_known(client, make, auth, email):
    user = make.learner()
    response = auth.login(user.email if email == "known" else email, "wrong password!")
    assert response.status_code == 401
    assert "The email address or password is not correct." in response.get_data(as_text=True)


def test_login_email_ignores_case(client, make, auth):
    user = make.learner(email="jef@example.be")
    assert auth.login("JEF@example.be").status_code == 302
    assert user.id


def test_session_is_renewed_at_login(client, make, auth):
    user = make.learner()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login(user.email)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_ends_a_copied_session_cookie(app, make, auth, client):
    user = make.learner(name="Lies Claes")
    auth.login(user.email)
    copied = client.get_cookie("session").value
    auth.logout()
    other = app.test_client()
    other.set_cookie("session", copied)
    assert "Lies Claes" not in other.get("/").get_data(as_text=True)


def test_change_password(client, make, auth):
    user = make.learner()
    auth.login(user.email)
    response = post_form(client, "/account/password",
                         {"current_password": PASSWORD, "new_password": "een nieuw lang wachtwoord"})
    assert response.status_code == 302
    auth.logout()
    assert auth.login(user.email, PASSWORD).status_code == 401
    assert auth.login(user.email, "een nieuw lang wachtwoord").status_code == 302


def test_change_password_with_wrong_current_password_changes_nothing(client, make, auth):
    user = make.learner()
    auth.login(user.email)
    before = db.session.get(User, user.id).password_hash
    response = post_form(client, "/account/password",
                         {"current_password": "niet juist", "new_password": "een nieuw lang wachtwoord"})
    assert response.status_code == 422
    assert "current password is not correct" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


def test_password_change_ends_other_sessions(app, make, auth, client):
    user = make.learner(name="Rita Maes")
    auth.login(user.email)
    other = app.test_client()
    from tests.conftest import Auth

    Auth(other).login(user.email)
    post_form(client, "/account/password",
              {"current_password": PASSWORD, "new_password": "een nieuw lang wachtwoord"})
    assert "Rita Maes" in client.get("/").get_data(as_text=True)
    assert "Rita Maes" not in other.get("/").get_data(as_text=True)


def test_coordinator_creates_trainer_and_managed_learner(client, make, auth):
    organiser = make.organiser(name="Mantelzorghub Gent")
    coordinator = make.coordinator(organiser)
    auth.login_as(coordinator)
    url = f"/organisers/{organiser.id}/people/new"
    response = post_form(client, url, {"name": "Trainer Tom", "email": "tom@example.be", "roles": ["trainer"]})
    assert response.status_code == 302
    response = post_form(client, url, {"name": "Mevrouw Gevers", "email": "", "roles": ["learner"], "kind": "caregiver"})
    assert response.status_code == 302
    tom = User.by_email("tom@example.be")
    assert Role.TRAINER in tom.roles and organiser.id in tom.organiser_ids(Role.TRAINER)
    managed = db.session.scalar(select(User).where(User.name == "Mevrouw Gevers"))
    assert managed.is_managed and managed.managed_by_organiser_id == organiser.id
    page = client.get(f"/organisers/{organiser.id}/people").get_data(as_text=True)
    assert "Trainer Tom" in page and "Mevrouw Gevers" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "X", "email": "x@example.be", "roles": ["admin"]}, "Unknown role"),
        ({"name": "X", "email": "", "roles": ["trainer"]}, "need an email"),
        ({"name": "X", "email": "", "roles": ["learner"], "kind": ""}, "caregiver or a professional"),
        ({"name": "X", "email": "bad@", "roles": ["trainer"]}, "valid email"),
    ],
)
def test_coordinator_bad_account_input(client, make, auth, data, message):
    organiser = make.organiser()
    auth.login_as(make.coordinator(organiser))
    before = user_count()
    response = post_form(client, f"/organisers/{organiser.id}/people/new", data)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert user_count() == before


def test_people_of_another_organiser_are_hidden(client, make, auth):
    mine, theirs = make.organiser(), make.organiser()
    auth.login_as(make.coordinator(mine))
    assert client.get(f"/organisers/{theirs.id}/people").status_code == 403
    assert post_form(client, f"/organisers/{theirs.id}/people/new",
                     {"name": "X", "email": "x@example.be", "roles": ["trainer"]},
                     page="/").status_code == 403


def test_learner_cannot_manage_people(client, make, auth):
    organiser = make.organiser()
    auth.login_as(make.learner())
    assert client.get(f"/organisers/{organiser.id}/people").status_code == 403


def test_idle_session_times_out(app, client, make, auth, monkeypatch):
    import time_machine

    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 120)  # the production default
    user = make.learner(name="Guido Wouters")
    with time_machine.travel("2026-03-03 10:00 +0000", tick=False) as traveller:
        auth.login(user.email)
        traveller.move_to("2026-03-03 11:30 +0000")
        assert "Guido Wouters" in client.get("/").get_data(as_text=True)
        traveller.move_to("2026-03-03 13:31 +0000")  # more than two hours idle
        page = client.get("/").get_data(as_text=True)
        assert "Guido Wouters" not in page
        assert "logged out because you were away" in page


def test_session_ends_after_its_absolute_lifetime(app, client, make, auth, monkeypatch):
    import time_machine

    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 12)  # the production default
    user = make.learner(name="Ann Wouters")
    with time_machine.travel("2026-03-03 08:00 +0000", tick=False) as traveller:
        auth.login(user.email)
        for hour in range(9, 20):  # active every hour, never idle, for 11.5 hours
            traveller.move_to(f"2026-03-03 {hour}:30 +0000")
            assert "Ann Wouters" in client.get("/").get_data(as_text=True)
        traveller.move_to("2026-03-03 20:01 +0000")  # twelve hours after login
        assert "Ann Wouters" not in client.get("/").get_data(as_text=True)
