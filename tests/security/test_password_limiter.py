"""One limiter for passwords, on the login page and the API's token endpoint alike.

It counts failures only, slows guessing per client address (hard) and per account (short and
bounded, each client's turn kept for it), answers 429 with Retry-After and the wait in plain
words, and never keeps the rightful person out. Every case runs through both surfaces.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from college.accounts import throttle
from tests.conftest import PASSWORD, csrf_token

SURFACES = ("page", "api")
SIGNED_IN = {"page": 302, "api": 201}
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def try_password(app, surface: str, email: str, password: str, address: str):
    """One try of a password as a browser (the login form) or an API client would send it."""
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    if surface == "page":
        data = {"csrf_token": csrf_token(client, "/login"), "email": email, "password": password}
        return client.post("/login", data=data, environ_base=environ)
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password},
                       environ_base=environ)


def said(response) -> str:
    """What the person reads: the page's text, or the problem's detail."""
    if response.mimetype == "application/problem+json":
        return response.get_json()["detail"]
    return response.get_data(as_text=True)


def wait_of(response) -> int:
    assert response.status_code == 429, said(response)
    return int(response.headers["Retry-After"])


@pytest.mark.parametrize("surface", SURFACES)
def test_fifteen_people_signing_in_from_one_address_all_get_in(app, make, surface):
    """A portal's server (or a classroom's Wi-Fi) sends everyone from one address."""
    people = [make.learner() for _ in range(15)]
    for person in people:
        assert try_password(app, surface, person.email, PASSWORD, "192.0.2.50").status_code \
            == SIGNED_IN[surface]


@pytest.mark.parametrize("surface", SURFACES)
def test_guessing_from_one_address_is_slowed_hard_there_only(app, make, clock, surface):
    someone = make.learner()
    for n in range(throttle.ADDRESS.free):
        assert try_password(app, surface, f"raden{n}@example.be", "raden123", ATTACKER).status_code == 401
    # The next guess waits, even with a right password (else the wait would reveal it).
    refused = try_password(app, surface, someone.email, PASSWORD, ATTACKER)
    assert wait_of(refused) == 60
    assert "Many wrong passwords were typed from this connection. Wait 1 minute" in said(refused)
    # Elsewhere the person signs in as always.
    assert try_password(app, surface, someone.email, PASSWORD, OWNER).status_code == SIGNED_IN[surface]
    # The guessing client waits longer after each further failure.
    clock.advance(timedelta(seconds=60))
    assert try_password(app, surface, "nog@example.be", "raden123", ATTACKER).status_code == 401
    assert wait_of(try_password(app, surface, "nog@example.be", "raden123", ATTACKER)) == 120
    clock.advance(timedelta(seconds=120))
    assert try_password(app, surface, "nog@example.be", "raden123", ATTACKER).status_code == 401
    assert wait_of(try_password(app, surface, "nog@example.be", "raden123", ATTACKER)) == 240


@pytest.mark.parametrize("surface", SURFACES)
def test_a_forgetful_person_waits_a_little_longer_each_time_then_gets_in(app, make, clock, surface):
    person = make.learner()
    for _ in range(throttle.ACCOUNT_FROM_ADDRESS.free):
        assert try_password(app, surface, person.email, "fout wachtwoord", OWNER).status_code == 401
    waits = []
    for _ in range(3):
        waits.append(wait_of(try_password(app, surface, person.email, PASSWORD, OWNER)))
        clock.advance(timedelta(seconds=waits[-1]))
        assert try_password(app, surface, person.email, "nog eens fout", OWNER).status_code == 401
    assert waits == [5, 10, 20]
    refused = try_password(app, surface, person.email, PASSWORD, OWNER)
    assert wait_of(refused) == 40
    assert "several wrong passwords in a row. Wait 40 seconds" in said(refused)
    clock.advance(timedelta(seconds=40))
    assert try_password(app, surface, person.email, PASSWORD, OWNER).status_code == SIGNED_IN[surface]
    # A success starts the account afresh: the next typo costs nothing.
    assert try_password(app, surface, person.email, "tikfout!", OWNER).status_code == 401
    assert try_password(app, surface, person.email, PASSWORD, OWNER).status_code == SIGNED_IN[surface]


def _guess_from_many_addresses(app, surface, email, clock, guesses: int, first: int = 0) -> list[int]:
    """An attacker guesses from a new address each time, waiting for each address's turn."""
    waits = []
    for n in range(first, first + guesses):
        address = f"203.0.113.{n % 250}" if n < 250 else f"203.0.114.{n % 250}"
        response = try_password(app, surface, email, f"raden-{n}", address)
        if response.status_code == 429:
            waits.append(wait_of(response))
            clock.advance(timedelta(seconds=waits[-1]))
            response = try_password(app, surface, email, f"raden-{n}", address)
        assert response.status_code == 401, said(response)
    return waits


@pytest.mark.parametrize("surface", SURFACES)
def test_guessing_one_account_from_many_addresses_never_keeps_its_owner_out(app, make, clock, surface):
    owner = make.learner(email="doelwit@example.be")
    waits = _guess_from_many_addresses(app, surface, owner.email, clock, 30)
    # The account-wide wait grows, and stays short.
    assert waits[:4] == [2, 4, 8, 16]
    assert max(waits) == throttle.ACCOUNT.max_wait == 30

    # The owner's first try gets a turn 30 seconds ahead, said in plain words ...
    refused = try_password(app, surface, owner.email, PASSWORD, OWNER)
    assert wait_of(refused) == 30
    assert "Someone typed many wrong passwords for this email address" in said(refused)
    assert "wait 30 seconds" in said(refused)
    # ... which the attacker's failures meanwhile, from many addresses, do not move.
    clock.advance(timedelta(seconds=10))
    assert _guess_from_many_addresses(app, surface, owner.email, clock, 3, first=100) == [30, 30, 30]
    assert try_password(app, surface, owner.email, PASSWORD, OWNER).status_code == SIGNED_IN[surface]


@pytest.mark.parametrize("surface", SURFACES)
def test_the_owner_gets_in_at_their_turn_while_the_attacker_keeps_guessing(app, make, clock, surface):
    owner = make.learner(email="belaagd@example.be")
    _guess_from_many_addresses(app, surface, owner.email, clock, 12)
    assert wait_of(try_password(app, surface, owner.email, PASSWORD, OWNER)) == 30
    # Twenty attacker addresses take their turns too and fail at the very moment the owner's
    # turn comes.
    attackers = [f"203.0.113.{200 + n}" for n in range(20)]
    for address in attackers:
        assert wait_of(try_password(app, surface, owner.email, "raden", address)) == 30
    clock.advance(timedelta(seconds=30))
    for address in attackers:
        assert try_password(app, surface, owner.email, "raden", address).status_code == 401
    assert try_password(app, surface, owner.email, PASSWORD, OWNER).status_code == SIGNED_IN[surface]


def test_the_page_and_the_api_share_one_limiter(app, make):
    person = make.learner()
    for surface in ("api", "page", "api"):
        assert try_password(app, surface, person.email, "fout", ATTACKER).status_code == 401
    assert wait_of(try_password(app, "api", person.email, PASSWORD, ATTACKER)) == 5
    assert wait_of(try_password(app, "page", person.email, PASSWORD, ATTACKER)) == 5


@pytest.mark.parametrize("surface", SURFACES)
def test_refused_tries_count_nothing(app, make, clock, surface):
    person = make.learner()
    for _ in range(throttle.ACCOUNT_FROM_ADDRESS.free):
        try_password(app, surface, person.email, "fout", OWNER)
    for _ in range(20):
        assert wait_of(try_password(app, surface, person.email, "fout", OWNER)) <= 5
    clock.advance(timedelta(seconds=5))
    assert try_password(app, surface, person.email, PASSWORD, OWNER).status_code == SIGNED_IN[surface]


@pytest.mark.parametrize("surface", SURFACES)
def test_known_and_unknown_emails_are_slowed_alike(app, make, clock, surface):
    """The limiter tells nothing about who has an account."""
    known = make.learner(email="gekend@example.be")

    def answers(email: str, address: str) -> list[tuple[int, str | None]]:
        seen = []
        for n in range(8):
            response = try_password(app, surface, email, f"fout-{n}", address)
            seen.append((response.status_code, response.headers.get("Retry-After")))
            if response.status_code == 429:
                clock.advance(timedelta(seconds=int(response.headers["Retry-After"])))
        return seen

    assert answers(known.email, "192.0.2.1") == answers("onbekend@example.be", "192.0.2.2")


def test_the_wait_is_said_in_dutch_too(app, make):
    person = make.learner()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    for _ in range(throttle.ACCOUNT_FROM_ADDRESS.free):
        try_password(app, "page", person.email, "fout", OWNER)
    data = {"csrf_token": csrf_token(client, "/login"), "email": person.email, "password": PASSWORD}
    response = client.post("/login", data=data, environ_base={"REMOTE_ADDR": OWNER})
    assert response.status_code == 429 and response.headers["Retry-After"] == "5"
    assert "Wacht 5 seconden" in response.get_data(as_text=True)
