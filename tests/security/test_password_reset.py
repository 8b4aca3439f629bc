"""Password reset by an emailed link: same answer for every email, single use, one hour."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from college.accounts.models import User
from college.accounts.passwords import verify_password
from college.api.models import ApiToken
from college.enrolment.models import Notification
from college.extensions import db
from college.jobs import make_worker
from tests.api.conftest import bearer_for
from tests.conftest import PASSWORD, Auth, post_form

NEW_PASSWORD = "een nieuwe lange zin"
_LINK = re.compile(r"http://localhost(/password/reset/\S+)")


def run_worker(app) -> None:
    db.session.commit()
    make_worker(app).work(burst=True)
    db.session.expire_all()


def ask_reset(client, email: str):
    return post_form(client, "/password/forgot", {"email": email})


def mailed_link(inbox, email: str) -> str:
    bodies = [m.get_content() for to, m in inbox.messages if to == [email]]
    assert len(bodies) == 1, bodies
    return _LINK.search(bodies[0]).group(1)


def user(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_the_answer_is_the_same_for_known_and_unknown_emails(app, client, make, smtp_inbox):
    known = make.learner(email="gekend@example.be")
    answers = [ask_reset(client, email) for email in ("gekend@example.be", "onbekend@example.be")]
    assert [a.status_code for a in answers] == [200, 200]
    texts = [a.get_data(as_text=True).replace("gekend", "X").replace("onbekend", "X") for a in answers]
    assert texts[0] == texts[1]
    assert "If an account uses this email address" in texts[0]
    run_worker(app)
    assert [to for to, _message in smtp_inbox.messages] == [[known.email]]


def test_the_link_sets_a_new_password_once_and_ends_other_sessions(app, client, make, smtp_inbox):
    learner = make.learner(email="vergeten@example.be")
    other_browser = app.test_client()
    Auth(other_browser).login_as(learner)
    assert other_browser.get("/account/password").status_code == 200
    token_headers = bearer_for(learner)

    ask_reset(client, learner.email)
    run_worker(app)
    link = mailed_link(smtp_inbox, learner.email)
    assert "Choose a new password" in client.get(link).get_data(as_text=True)
    # Nothing secret is kept: neither the token nor the link is in the database.
    token = link.rsplit("/", 1)[1]
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0

    response = post_form(client, link, {"new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert verify_password(user(learner.id).password_hash, NEW_PASSWORD)
    assert client.get("/account/password").status_code == 200  # logged in here
    assert other_browser.get("/account/password").status_code == 302  # logged out there
    assert client.get("/api/v1/me", headers=token_headers).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0

    # Single use: the same link now refuses, and changes nothing.
    second = app.test_client()
    assert second.get(link).status_code == 410
    refused = post_form(second, link, {"new_password": "nog een ander wachtwoord"}, page="/login")
    assert refused.status_code == 410
    assert verify_password(user(learner.id).password_hash, NEW_PASSWORD)
    assert token not in str(db.session.execute(select(User.__table__)).all())


def test_the_link_expires_after_an_hour(app, client, make, smtp_inbox):
    learner = make.learner(email="traag@example.be")
    ask_reset(client, learner.email)
    run_worker(app)
    link = mailed_link(smtp_inbox, learner.email)
    with time_machine.travel(timedelta(minutes=59)):
        assert client.get(link).status_code == 200
    with time_machine.travel(timedelta(minutes=61)):
        assert client.get(link).status_code == 410
        assert post_form(client, link, {"new_password": NEW_PASSWORD}, page="/login").status_code == 410
    assert verify_password(user(learner.id).password_hash, PASSWORD)


def test_a_password_change_ends_the_link(app, client, make, auth, smtp_inbox):
    learner = make.learner(email="wijzigt@example.be")
    ask_reset(client, learner.email)
    run_worker(app)
    link = mailed_link(smtp_inbox, learner.email)
    auth.login_as(learner)
    response = post_form(client, "/account/password",
                         {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    auth.logout()
    assert client.get(link).status_code == 410


@pytest.mark.parametrize("tampered", ["not-a-token", "eyJ1c2VyIjoxfQ.AAAA.BBBB"])
def test_a_forged_link_is_refused(client, make, tampered):
    make.learner()
    assert client.get(f"/password/reset/{tampered}").status_code == 410


def test_the_new_password_follows_the_rules(app, client, make, smtp_inbox):
    learner = make.learner(email="kort@example.be")
    ask_reset(client, learner.email)
    run_worker(app)
    link = mailed_link(smtp_inbox, learner.email)
    response = post_form(client, link, {"new_password": "kort"})
    assert response.status_code == 422
    assert "at least 8 characters" in response.get_data(as_text=True)
    assert verify_password(user(learner.id).password_hash, PASSWORD)
    assert client.get(link).status_code == 200  # still usable: nothing changed


def test_without_mail_server_the_link_is_logged(app, client, make, monkeypatch, caplog):
    from college.accounts.tasks import send_password_reset

    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    learner = make.learner(email="log@example.be")
    with caplog.at_level(logging.INFO, logger="college.accounts.tasks"):
        assert send_password_reset(learner.email) == "logged"  # in-process, for caplog
    link = _LINK.search(caplog.text).group(1)
    assert "password reset to log@example.be" in caplog.text
    assert client.get(link).status_code == 200


def test_a_password_change_revokes_api_tokens(client, make, auth):
    learner = make.learner()
    headers = bearer_for(learner)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    auth.login_as(learner)
    post_form(client, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert client.get("/api/v1/me", headers=headers).status_code == 401
