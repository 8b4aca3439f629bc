"""Fixtures of the API tests: bearer tokens made straight in the database (no rate limit)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from college import timeutil
from college.accounts.models import User
from college.api.models import ApiToken, hash_token
from college.extensions import db

PROBLEM = "application/problem+json"


def bearer_for(user: User, hours: float = 1) -> dict[str, str]:
    """An Authorization header with a fresh token of this user."""
    secret = secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, token_hash=hash_token(secret),
                 expires_at=timeutil.now() + timedelta(hours=hours))
    )
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture()
def bearer():
    return bearer_for


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with this status; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body
