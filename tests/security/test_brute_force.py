"""Guessing is limited per client address and per email, without locking anybody's account.

Passwords have their own limiter: tests/security/test_password_limiter.py.
"""

from __future__ import annotations

import logging

from tests.conftest import PASSWORD, csrf_token


def from_address(client, address: str, url: str, data: dict):
    """POST a form as a browser at another client address would."""
    payload = {"csrf_token": csrf_token(client, url), **data}
    return client.post(url, data=payload, environ_base={"REMOTE_ADDR": address})


def test_failed_logins_are_logged_without_the_password(client, make, caplog):
    learner = make.learner()
    with caplog.at_level(logging.INFO, logger="college.accounts.services"):
        from_address(client, "203.0.113.9", "/login", {"email": learner.email, "password": "geheim-wachtwoord-7"})
        from_address(client, "203.0.113.9", "/login", {"email": "niemand@example.be", "password": "ander-geheim-8"})
    failures = [r for r in caplog.records if "failed login" in r.getMessage()]
    assert len(failures) == 2
    assert f"user {learner.id}" in failures[0].getMessage()
    assert "geheim-wachtwoord-7" not in caplog.text and "ander-geheim-8" not in caplog.text


def test_reset_mails_per_email_are_limited(app, make):
    learner = make.learner()
    browser = app.test_client()
    answers = [from_address(browser, f"198.51.100.{n}", "/password/forgot", {"email": learner.email}).status_code
               for n in range(6)]
    assert answers == [200] * 5 + [429]


def test_reset_requests_per_address_are_limited(app):
    browser = app.test_client()
    answers = [from_address(browser, "203.0.113.9", "/password/forgot", {"email": f"x{n}@example.be"}).status_code
               for n in range(11)]
    assert answers == [200] * 10 + [429]


def test_check_in_codes_per_address_are_limited(app, make, auth, client):
    learner = make.learner()
    auth.login_as(learner)
    token = csrf_token(client, "/checkin")
    answers = [client.post("/checkin", data={"csrf_token": token, "code": "12"},
                           environ_base={"REMOTE_ADDR": "192.0.2.50"}).status_code for _ in range(61)]
    assert answers == [422] * 60 + [429]


def test_certificate_verification_lookups_per_address_are_limited(client):
    answers = [client.get(f"/verify/GUESS{n:04d}", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code
               for n in range(31)]
    assert answers[-1] == 429 and 429 not in answers[:-1]
    assert client.get("/verify/GUESS0000", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code != 429


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(another_app, make, monkeypatch):
    proxied = another_app(PROXY_COUNT=1)
    victim = make.learner()
    attacker, bystander = proxied.test_client(), proxied.test_client()

    def login(client, forwarded_for: str, password: str):
        payload = {"csrf_token": csrf_token(client, "/login"), "email": victim.email, "password": password}
        return client.post("/login", data=payload, headers={"X-Forwarded-For": forwarded_for},
                           environ_base={"REMOTE_ADDR": "10.0.0.2"})  # the proxy's own address

    answers = [login(attacker, "203.0.113.9", "raden123").status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]  # the attacker's own client, seen through the proxy
    assert login(bystander, "198.51.100.7", PASSWORD).status_code == 302
