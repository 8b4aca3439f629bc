"""Bearer tokens of the JSON API."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache

from sqlalchemy import ForeignKey, Select, String, bindparam
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

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
        """The unexpired token with this secret, its user loaded as a page's signed-in user is
        (with memberships and organisers), in one query; None otherwise."""
        row = db.session.execute(
            _valid_token_statement(), {"token_hash": hash_token(token), "now": timeutil.now()}
        ).unique().one_or_none()
        if row is None:
            return None
        user, api_token = row
        set_committed_value(api_token, "user", user)
        return api_token

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} of user {self.user_id}>"


@cache
def _valid_token_statement() -> Select:
    """Built once, like the page's signed-in user statement."""
    return (User.signed_in_query().add_columns(ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("token_hash"),
                   ApiToken.expires_at > bindparam("now")))
