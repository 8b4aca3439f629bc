"""Password reset by an emailed link: a signed token, single use, valid for an hour.

The token is never stored: it is signed with the SECRET_KEY and carries a fingerprint of the
password hash it was made for, so setting a password (through the link or otherwise) ends
every link made before. The mail job makes the token itself, so it never sits in Redis either.
Asking for a link only queues that job, whatever the address: the answer is the same, in the
same time, for known and unknown addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from college import signals, timeutil
from college.accounts.models import User
from college.accounts.passwords import check_password_rules, hash_password
from college.errors import Invalid
from college.extensions import db
from college.jobs import enqueue

log = logging.getLogger(__name__)

#: How long a reset link works.
RESET_LINK_SECONDS = 3600
_SALT = "college-password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    """A short digest of the current password hash: changes with every new password."""
    return hashlib.sha256((user.password_hash or "no-password").encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    """A signed token for this user and their current password."""
    return _serializer().dumps({"user": user.id, "pw": _fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """The user a still-valid token was made for, or None (expired, tampered, used, stale)."""
    try:
        payload = _serializer().loads(token, max_age=RESET_LINK_SECONDS)
    except SignatureExpired:
        return None
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user = db.session.get(User, payload.get("user")) if isinstance(payload.get("user"), int) else None
    if user is None or not user.is_active or user.email is None:
        return None
    if not hmac.compare_digest(str(payload.get("pw", "")), _fingerprint(user)):
        return None
    return user


def request_password_reset(email: str) -> None:
    """Queue the job that mails a reset link if the address belongs to an account.

    The lookup happens in the job, so the request does the same work for every address.
    """
    enqueue("mail", "college.accounts.tasks.send_password_reset", (email or "").strip()[:254])


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link; the link and every session end with it."""
    user = user_for_token(token)
    if user is None:
        raise Invalid(_("This link has expired or was already used. Ask for a new one."))
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    signals.password_changed.send(None, user_id=user.id)
    log.info("password reset for user %s", user.id)
    if user.email_confirmed_at is None:
        # The link reached the mailbox: that confirms the address as well as its link would.
        user.email_confirmed_at = timeutil.now()
        signals.email_confirmed.send(None, user_id=user.id)
    db.session.flush()
    return user
