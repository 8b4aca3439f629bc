"""Confirming an email address by a mailed link: a signed token, single use, valid three days.

The token is never stored: it is signed with the SECRET_KEY and carries the address it was
sent to and a fingerprint of the account's address state (its address, the new address it
asked for, and when that was confirmed), so confirming (or asking for another address) ends
every link made before. The mail job makes the token itself, so it never sits in Redis.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from college import signals, timeutil
from college.accounts.models import User
from college.errors import Conflict, Invalid
from college.extensions import db

#: How long a confirmation link works.
CONFIRM_LINK_SECONDS = 3 * 24 * 3600
_SALT = "college-email-confirmation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    confirmed = user.email_confirmed_at.isoformat() if user.email_confirmed_at else ""
    state = f"{user.email}|{user.pending_email}|{confirmed}"
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def address_to_confirm(user: User) -> str | None:
    """The address waiting for its link: a new address asked for, else an unconfirmed one."""
    if user.pending_email:
        return user.pending_email
    if user.email and user.email_confirmed_at is None:
        return user.email
    return None


def make_confirmation_token(user: User, address: str) -> str:
    """A signed token confirming `address` for this user in their current state."""
    return _serializer().dumps({"user": user.id, "email": address, "state": _fingerprint(user)})


def confirmation_for_token(token: str) -> tuple[User, str] | None:
    """The user and address of a still-valid token, or None (expired, tampered, used, stale)."""
    try:
        payload = _serializer().loads(token, max_age=CONFIRM_LINK_SECONDS)
    except BadSignature:  # SignatureExpired included
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = db.session.get(User, payload["user"])
    if user is None or not user.is_active:
        return None
    address = payload.get("email")
    if not isinstance(address, str) or address != address_to_confirm(user):
        return None
    if not hmac.compare_digest(str(payload.get("state", "")), _fingerprint(user)):
        return None
    return user, address


def confirm_address(token: str) -> User:
    """Confirm the address of a link: a first address, or a new one that replaces the old."""
    found = confirmation_for_token(token)
    if found is None:
        raise Invalid(_("This link has expired or was already used. Log in and ask for a new "
                        "one under \"My account\"."))
    user, address = found
    if address == user.pending_email:
        taken = db.session.scalar(select(User.id).where(User.email == address, User.id != user.id))
        if taken is not None:
            raise Conflict(_("Another account uses this email address now, so it cannot "
                             "become yours. Your address stays %(email)s.", email=user.email))
        user.email = address
        user.pending_email = None
    user.email_confirmed_at = timeutil.now()
    db.session.flush()
    signals.email_confirmed.send(None, user_id=user.id)
    return user
