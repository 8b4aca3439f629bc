"""What the API changes itself: bearer tokens. Everything else goes through the features' services."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from college import signals, timeutil
from college.accounts.services import log_in
from college.api.models import ApiToken, hash_token
from college.extensions import db


def issue_token(email: str, password: str, address: str | None) -> tuple[str, ApiToken] | None:
    """A new bearer token for these credentials (the secret, and its row), or None.

    The password limiter of the login page applies (TooManyAttempts: 429 with Retry-After).
    """
    user = log_in(email, password, address)
    if user is None:
        return None
    # Expired tokens authenticate nothing; drop the user's old ones while we are here.
    db.session.execute(
        delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at <= timeutil.now())
    )
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=hash_token(secret),
        expires_at=timeutil.now() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]),
    )
    db.session.add(token)
    db.session.flush()
    return secret, token


def revoke_token(token: ApiToken) -> None:
    """End a token: it authenticates nothing from now on."""
    db.session.delete(token)
    db.session.flush()



def revoke_tokens_of(user_id: int) -> int:
    """End every bearer token of a user (their password changed); returns how many."""
    result = db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    return result.rowcount or 0


def on_password_changed(sender, user_id: int, **extra) -> None:
    """A new password ends the API tokens made with the old one (in the sender's transaction)."""
    revoke_tokens_of(user_id)


def connect() -> None:
    """Connect the receivers (create_app calls this once)."""
    signals.password_changed.connect(on_password_changed)
