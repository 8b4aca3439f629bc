"""The signed, expiring link a respite partner answers by, without an account."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from college.addresses import public_base_url
from college.errors import Conflict, NotFound

_SALT = "college-respite-partner"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_token(request_id: int, partner_id: int) -> str:
    """The token naming a request and the partner asked; it expires after RESPITE_LINK_HOURS."""
    return _serializer().dumps({"request": request_id, "partner": partner_id})


def partner_link(request_id: int, partner_id: int) -> str:
    return f"{public_base_url()}/respite/answer/{make_token(request_id, partner_id)}"


def read_token(token: str) -> tuple[int, int]:
    """The request and partner ids a link names; an expired link and a forged one say why."""
    hours = current_app.config["RESPITE_LINK_HOURS"]
    try:
        payload = _serializer().loads(token, max_age=hours * 3600)
    except SignatureExpired as error:
        raise Conflict(_("This link has expired (it works %(hours)s hours). Contact the hub "
                         "that sent it.", hours=hours)) from error
    except BadSignature as error:
        raise NotFound(_("This link is not valid. Ask the hub that sent it.")) from error
    if not (isinstance(payload, dict) and isinstance(payload.get("request"), int)
            and isinstance(payload.get("partner"), int)):
        raise NotFound(_("This link is not valid. Ask the hub that sent it."))
    return payload["request"], payload["partner"]
