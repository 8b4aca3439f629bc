"""Bearer tokens: create one with email and password, revoke the one in use."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_babel import gettext as _
from flask_smorest import abort

from college.api import auth, services
from college.api.core import Blueprint

blp = Blueprint(
    "api_tokens", __name__, url_prefix="/api/v1/auth/tokens",
    description="Bearer tokens: log in once, send the token with every request.",
)


class TokenRequestSchema(ma.Schema):
    """The credentials of an account that can log in."""

    email = ma.fields.String(required=True, validate=ma.validate.Length(max=254))
    password = ma.fields.String(required=True, validate=ma.validate.Length(max=1000))


class TokenSchema(ma.Schema):
    """A new bearer token; only its hash is stored, so this is the one time it is shown."""

    token = ma.fields.String(required=True, metadata={"description": "Send as `Authorization: Bearer <token>`."})
    expires_at = ma.fields.AwareDateTime(required=True)


@blp.post("")
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def create_token(credentials: dict):
    """Create a bearer token with an email address and password.

    Wrong passwords are slowed like on the login page (one limiter for both): after some
    failures the answer is 429 with Retry-After, for a short while only.
    """
    issued = services.issue_token(credentials["email"], credentials["password"],
                                  request.remote_addr)
    if issued is None:
        abort(401, message=_("The email address or password is not correct."))
    secret, token = issued
    return {"token": secret, "expires_at": token.expires_at}


@blp.delete("/current")
@blp.login_required
@blp.response(204)
def revoke_current_token():
    """Revoke the token this request is made with."""
    services.revoke_token(auth.current_token())
