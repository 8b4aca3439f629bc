"""Bearer tokens: created with a password, stored hashed, expiring, revocable, rate limited."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import time_machine
from sqlalchemy import func, select

from college import timeutil
from college.api.models import ApiToken, hash_token
from college.extensions import db
from tests.api.conftest import assert_problem
from tests.conftest import PASSWORD, csrf_token


def create_token(client, email: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password})


def test_token_for_right_password_is_stored_hashed_and_lets_the_user_in(client, make, app):
    user = make.learner(email="an@example.be", name="An Peeters")
    response = create_token(client, "An@Example.be")
    assert response.status_code == 201
    body = response.get_json()
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at.utcoffset() is not None
    hours = app.config["API_TOKEN_HOURS"]
    assert abs(expires_at - (timeutil.now() + timedelta(hours=hours))) < timedelta(minutes=1)

    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.user_id == user.id
    assert stored.token_hash == hash_token(body["token"]) != body["token"]

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["name"] == "An Peeters"


def test_wrong_password_or_unknown_email_is_401_without_saying_which(client, make):
    make.learner(email="an@example.be")
    wrong = assert_problem(create_token(client, "an@example.be", "wrong password"), 401)
    unknown = assert_problem(create_token(client, "nobody@example.be"), 401)
    assert wrong["detail"] == unknown["detail"]
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_managed_account_cannot_get_a_token(client, make):
    make.learner(email=None, password=None)
    assert_problem(create_token(client, "", ""), 401)


def test_revoked_token_no_longer_works(client, make):
    make.learner(email="an@example.be")
    token = create_token(client, "an@example.be").get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.delete("/api/v1/auth/tokens/current", headers=headers)
    assert response.status_code == 204
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    assert_problem(client.get("/api/v1/me", headers=headers), 401)
    assert_problem(client.delete("/api/v1/auth/tokens/current", headers=headers), 401)


def test_revoking_one_token_keeps_the_others(client, make, bearer):
    user = make.learner()
    first, second = bearer(user), bearer(user)
    assert client.delete("/api/v1/auth/tokens/current", headers=first).status_code == 204
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_expired_token_is_refused(client, make, bearer):
    headers = bearer(make.learner(), hours=2)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with time_machine.travel(timeutil.now() + timedelta(hours=3)):
        assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_token_of_an_anonymised_user_is_refused(client, make, bearer):
    user = make.learner()
    headers = bearer(user)
    user.anonymised_at = timeutil.now()
    db.session.commit()
    assert_problem(client.get("/api/v1/me", headers=headers), 401)


def test_garbage_authorization_headers_are_401(client):
    for value in ("Bearer", "Bearer ", "Bearer nonsense", "Basic YTpi", "nonsense"):
        assert_problem(client.get("/api/v1/me", headers={"Authorization": value}), 401)


def test_browser_session_does_not_authenticate_the_api(client, make, auth):
    user = make.learner(email="an@example.be")
    auth.login_as(user)
    assert client.get("/").status_code == 200
    assert_problem(client.get("/api/v1/me"), 401)
    # No CSRF token needed: the cookie grants nothing here, so there is nothing to forge.
    response = client.post("/api/v1/users", json={"name": "X", "roles": ["learner"]})
    assert_problem(response, 401)


def test_api_needs_no_csrf_token(client, make):
    make.learner(email="an@example.be")
    csrf_token(client)  # the browser session exists and has a CSRF secret
    assert create_token(client, "an@example.be").status_code == 201


def test_wrong_passwords_are_slowed_with_429_and_retry_after(client, make):
    """The login page's limiter (tests/security/test_password_limiter.py has the rest)."""
    make.learner(email="an@example.be")
    statuses = [create_token(client, "an@example.be", "wrong password").status_code for _ in range(3)]
    assert statuses == [401] * 3
    response = create_token(client, "an@example.be")
    body = assert_problem(response, 429)
    assert "Wait 5 seconds" in body["detail"]
    assert response.headers["Retry-After"] == "5"
    # The limit is per client: another address still gets in.
    other = client.post(
        "/api/v1/auth/tokens", json={"email": "an@example.be", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other.status_code == 201
    # The web pages are not limited by it.
    assert client.get("/").status_code == 200


_REDIS_DOWN = """
import json, logging, os, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
from college import create_app
config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": sys.argv[1], "REDIS_URL": "redis://127.0.0.1:1/0"}
create_app(config)
app = create_app(config)  # a second app in one process must work too (blueprints set up once)
client = app.test_client()
wrong = {"email": "an@example.be", "password": "not the password"}
right = {"email": "an@example.be", "password": sys.argv[2]}
missing = client.get("/api/v1/no-such-thing")
print(json.dumps({"status": missing.status_code, "type": missing.mimetype}))
statuses = [client.post("/api/v1/auth/tokens", json=wrong).status_code for _ in range(8)]
print(json.dumps(statuses + [client.post("/api/v1/auth/tokens", json=right).status_code]))
"""


def test_token_creation_works_while_redis_is_down(make, app):
    """Nothing listens on port 1: the password limiter logs it and lets every try through."""
    make.learner(email="an@example.be")
    result = subprocess.run(
        [sys.executable, "-c", _REDIS_DOWN, app.config["SQLALCHEMY_DATABASE_URI"], PASSWORD],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "SECRET_KEY": "test-secret-key-not-for-production"},
    )
    assert result.returncode == 0, result.stderr
    statuses = json.loads(result.stdout.strip().splitlines()[-1])
    assert statuses == [401] * 8 + [201]  # fails open: no wait however many failures
    assert "Rate limit storage unreachable for password attempts" in result.stderr
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
    assert json.loads(result.stdout.strip().splitlines()[-2]) == {"status": 404, "type": "application/problem+json"}


def test_new_token_clears_the_users_expired_ones(client, make, bearer):
    user = make.learner(email="an@example.be")
    bearer(user, hours=-1)
    still_valid = bearer(user)
    assert create_token(client, "an@example.be").status_code == 201
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 2
    assert client.get("/api/v1/me", headers=still_valid).status_code == 200
