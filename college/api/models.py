"""Bearer tokens of the JSON API."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from college import timeutil
from college.accounts.models import User
from college.dbtypes import UTCDateTime
from college.extensions import db


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256, so a leaked table holds no usable secret."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token a user created with their password; only its hash is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="raise")

    @classmethod
    def find_valid(cls, token: str) -> ApiToken | None:
        """The unexpired token with this secret, its user loaded; None otherwise."""
        return db.session.scalar(
            select(cls)
            .options(joinedload(cls.user))
            .where(cls.token_hash == hash_token(token), cls.expires_at > timeutil.now())
        )

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} of user {self.user_id}>"
