"""Which key signs credentials: the configured one in production, else a generated one.

CREDENTIAL_SIGNING_KEY (an Ed25519 private key in PEM) is the installation's key; without it,
development and the demo generate one in the database when the first credential is signed
(where CERTIFICATE_SIGNING_GENERATE_KEY allows it, as for the attests' PDF signatures).
Every key that ever signed keeps its row, so its credentials keep verifying after a change.
"""

from __future__ import annotations

import logging

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from college import timeutil
from college.credentials.models import CredentialKey
from college.credentials.multikey import load_private_key, private_key_pem, public_key_multibase
from college.errors import ServiceError
from college.extensions import db

log = logging.getLogger(__name__)

GENERATED = "generated"
CONFIGURED = "configured"


class CredentialSigningUnavailable(ServiceError):
    """No key to sign credentials with: production needs CREDENTIAL_SIGNING_KEY (see README)."""

    status = 503


def _current_generated() -> CredentialKey | None:
    return db.session.scalar(
        select(CredentialKey)
        .where(CredentialKey.source == GENERATED, CredentialKey.retired_at.is_(None),
               CredentialKey.private_key_pem.is_not(None))
        .options(undefer(CredentialKey.private_key_pem))
    )


def create_credential_key() -> CredentialKey:
    """A new generated key; the previous one is retired but stays published. No commit."""
    previous = _current_generated()
    if previous is not None:
        previous.retired_at = timeutil.now()
        db.session.flush()
    key = Ed25519PrivateKey.generate()
    row = CredentialKey(source=GENERATED, public_key_multibase=public_key_multibase(key.public_key()),
                        private_key_pem=private_key_pem(key))
    db.session.add(row)
    db.session.flush()
    return row


def _recorded(key: Ed25519PrivateKey, source: str) -> CredentialKey:
    """The row of a key, added now when missing (two workers at once: one wins)."""
    multibase = public_key_multibase(key.public_key())
    statement = select(CredentialKey).where(CredentialKey.public_key_multibase == multibase)
    row = db.session.scalar(statement)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            db.session.add(CredentialKey(source=source, public_key_multibase=multibase))
    except IntegrityError:
        pass
    return db.session.scalar(statement)


def signing_key() -> tuple[CredentialKey, Ed25519PrivateKey]:
    """The key credentials are signed with now, and its published row."""
    configured = current_app.config.get("CREDENTIAL_SIGNING_KEY")
    if configured:
        key = load_private_key(configured)
        return _recorded(key, CONFIGURED), key
    row = _current_generated()
    if row is None:
        if not current_app.config.get("CERTIFICATE_SIGNING_GENERATE_KEY"):
            log.error("no key to sign digital credentials with: set CREDENTIAL_SIGNING_KEY "
                      "(see the README, Digital credentials)")
            raise CredentialSigningUnavailable(_(
                "Digital credentials cannot be made at the moment. The PDF certificate is "
                "available; try the digital one again later."))
        try:
            with db.session.begin_nested():
                create_credential_key()
        except IntegrityError:
            pass  # another worker made it first
        row = _current_generated()
        log.warning("no credential signing key is configured: generated one (development, demo)")
    return row, load_private_key(row.private_key_pem.encode("ascii"))


def published_key(key_id: int) -> CredentialKey | None:
    """A key as published (current or retired)."""
    return db.session.get(CredentialKey, key_id)


def published_keys() -> list[CredentialKey]:
    """Every key that ever signed a credential, oldest first."""
    return list(db.session.scalars(select(CredentialKey).order_by(CredentialKey.id)))
