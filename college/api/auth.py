"""Who is calling: the user of the request's bearer token, never the browser's session cookie."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_smorest import abort

from college.accounts.models import User
from college.api.models import ApiToken
from college.privacy import notice

#: What a token may do before its user agreed to the current privacy notice: read who they
#: are, agree, and end the token.
CONSENT_FREE = {"api_accounts.me", "api_accounts.agree_to_privacy_notice",
                "api_tokens.revoke_current_token"}


def _bearer_token() -> str | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def load_token_user() -> None:
    """Before each API request: find the token's user (or nobody); cookies play no part."""
    g.api_token = None
    g.api_user = None
    token = _bearer_token()
    if token:
        api_token = ApiToken.find_valid(token)
        if api_token is not None and api_token.user.is_active:
            g.api_token = api_token
            g.api_user = api_token.user


def current_user() -> User | None:
    """The user of this API request's bearer token, or None."""
    return g.get("api_user")


def current_token() -> ApiToken | None:
    """The token this API request was made with, or None."""
    return g.get("api_token")


def require_user(view: Callable) -> Callable:
    """Answer 401 unless the request carries a valid bearer token; 403 until its user agreed
    to the current privacy notice (as the pages ask at the next login)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user()
        if user is None:
            abort(401, message=_("Log in first: send a valid bearer token in the Authorization header."))
        if request.endpoint not in CONSENT_FREE and notice.needs_consent(user):
            abort(403, message=_(
                "The privacy notice changed (now version %(version)s). Read it at %(url)s, then "
                "agree with POST /api/v1/me/privacy-consent.",
                version=notice.current_version(), url=url_for("privacy.notice", _external=True)))
        return view(*args, **kwargs)

    return wrapped
