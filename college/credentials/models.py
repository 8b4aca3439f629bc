"""The Ed25519 keys the College signs digital credentials with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from college import timeutil
from college.dbtypes import UTCDateTime
from college.extensions import db


class CredentialKey(db.Model):
    """A key that signs credentials, published at /credentials/keys/<id> as a Multikey.

    A generated key (development, the demo) keeps its private key here so every worker signs
    alike; a key from the configuration keeps only its public key, recorded when it first signs.
    Rows are retired, never deleted: a credential signed with an older key still verifies.
    """

    __table_args__ = (
        # One current generated key.
        Index(
            "uq_credential_key_current",
            "source",
            unique=True,
            sqlite_where=text("private_key_pem IS NOT NULL AND retired_at IS NULL"),
            postgresql_where=text("private_key_pem IS NOT NULL AND retired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "generated" or "configured".
    source: Mapped[str] = mapped_column(String(20))
    #: The public key as a Multikey value ("z6Mk..."): how a key is recognised.
    public_key_multibase: Mapped[str] = mapped_column(String(60), unique=True)
    private_key_pem: Mapped[str | None] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
