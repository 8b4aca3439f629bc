"""Create once per key, in the transaction that creates.

The request claims its key by inserting it under a unique index, then creates, then writes
down what it created, all in the request's one transaction. A repeat that arrives later finds
the key taken and answers what the first request created. A repeat that arrives while the
first is still running waits on the unique index (PostgreSQL), until the first commits (then
it finds the first one's result) or rolls back (then it claims the key and creates itself).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from college import timeutil
from college.errors import Conflict, Invalid
from college.extensions import db
from college.idempotency.models import IdempotencyKey

T = TypeVar("T")

#: The longest key a client may send.
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class KeyedRequest:
    """A create request with its key: who sent it, to which path, and what it sent (hashed)."""

    key: str
    user_id: int | None
    path: str
    fingerprint: str

    @property
    def sender(self) -> str:
        """Keys are the sender's own; without a user, only the same request is the same sender."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"anonymous:{self.fingerprint}"


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a create request answers, and whether it is the first request's result again."""

    result: T
    replayed: bool


class KeyReused(Invalid):
    """The key was sent before with another request (another path or other values)."""


class ResultGone(Conflict):
    """The key's first request created something that no longer exists."""


def fingerprint(*parts: str | bytes) -> str:
    """A keyed hash of what a request sent: requests can be compared, their content not read back.

    Keyed with the secret key, because a request body may hold a password.
    """
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), digestmod=hashlib.sha256)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        mac.update(len(data).to_bytes(8, "big") + data)
    return mac.hexdigest()


def create_once(
    request: KeyedRequest | None,
    model: type,
    create: Callable[[], T],
    present: Callable[[Any], T] | None = None,
) -> Outcome[T]:
    """Run `create` once per key; a repeat answers the first one's `model` row (through `present`).

    Without a key, `create` simply runs. A key sent before with another path or other values
    is refused (KeyReused); so is a repeat whose first result has been deleted since (ResultGone).
    """
    if request is None:
        return Outcome(create(), replayed=False)
    # One savepoint for claim and creation: a refused creation leaves its key unclaimed, even
    # when the page answers the refusal with a redirect (and the request commits).
    with db.session.begin_nested():
        claim, earlier = _claim(request)
        if claim is not None:
            result = create()
            claim.kind = model.__tablename__
            claim.result_id = result["id"] if isinstance(result, Mapping) else result.id
            db.session.flush()
            return Outcome(result, replayed=False)
    return Outcome(_first_result(earlier, request, model, present), replayed=True)


def _claim(request: KeyedRequest) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """Claim the key (the new row, None); or, when it is taken, (None, the earlier row)."""
    claim = IdempotencyKey(sender=request.sender, user_id=request.user_id, key=request.key,
                           path=request.path, fingerprint=request.fingerprint)
    try:
        # A savepoint: the unique index refuses a taken key and the transaction goes on.
        with db.session.begin_nested():
            db.session.add(claim)
    except IntegrityError:
        earlier = db.session.scalars(
            select(IdempotencyKey).where(IdempotencyKey.sender == request.sender,
                                         IdempotencyKey.key == request.key)
        ).one()
        return None, earlier
    return claim, None


def _first_result(earlier: IdempotencyKey, request: KeyedRequest, model: type,
                  present: Callable[[Any], T] | None) -> T:
    """What the key's first request created, when this request is the same request again."""
    if earlier.path != request.path or earlier.kind != model.__tablename__:
        raise KeyReused(_("This key was already used for another request."), field="key")
    if earlier.fingerprint != request.fingerprint:
        raise KeyReused(_("This key was already used for a request with other values."), field="key")
    found = db.session.get(model, earlier.result_id)
    if found is None:
        raise ResultGone(_("What the first request with this key created no longer exists."))
    return present(found) if present else found


def remove_expired_keys(kept_for: timedelta) -> int:
    """Forget keys claimed longer ago than `kept_for`; returns how many."""
    result = db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < timeutil.now() - kept_for)
    )
    return result.rowcount or 0
