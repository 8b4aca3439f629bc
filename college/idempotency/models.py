"""The keys of create requests, each with what its first request created."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from college import timeutil
from college.dbtypes import UTCDateTime
from college.extensions import db


class IdempotencyKey(db.Model):
    """A key claimed by a create request, in the transaction that creates; unique per sender."""

    __tablename__ = "idempotency_key"
    # The unique index is what makes a concurrent second request wait for the first one.
    __table_args__ = (UniqueConstraint("sender", "key", name="uq_idempotency_key_sender_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "user:<id>", or for a request without a user "anonymous:<fingerprint>".
    sender: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(200))
    #: Text: a route's numbers may be written with any number of leading zeros.
    path: Mapped[str] = mapped_column(Text)
    #: A keyed hash of what the request sent, so a different request with the key is told apart.
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: What the first request created: its table and row id.
    kind: Mapped[str | None] = mapped_column(String(40))
    result_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now, index=True)

    def __repr__(self) -> str:
        return f"<IdempotencyKey {self.id} of {self.sender}: {self.kind} {self.result_id}>"
