"""The flask-smorest pieces, adapted: problem+json errors per blueprint, bearer-token auth."""

from __future__ import annotations

import http
from collections.abc import Callable
from functools import wraps

import flask_smorest
import marshmallow as ma
from flask import request
from flask_smorest.utils import prepare_response
from werkzeug.routing import IntegerConverter, UnicodeConverter

from college.api import auth, errors
from college.extensions import csrf
from college.idempotency.services import (
    MAX_KEY_LENGTH,
    KeyedRequest,
    KeyReused,
    create_once,
    fingerprint,
)

BEARER = [{"bearerAuth": []}]

#: Ids are positive and fit PostgreSQL's INTEGER; larger ones can name nothing.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a row id; anything out of range is simply not found (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class CodeConverter(UnicodeConverter):
    """`<code:name>` in a route: a code people type (verification codes); longer is not found."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("minlength", 1)
        kwargs.setdefault("maxlength", 64)
        super().__init__(url_map, *args, **kwargs)


def id_field(**kwargs) -> ma.fields.Integer:
    """A row id in a request body or query."""
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document."""

    type = ma.fields.String(required=True, metadata={"example": "about:blank"})
    title = ma.fields.String(required=True, metadata={"example": "Unprocessable Entity"})
    status = ma.fields.Integer(required=True, metadata={"example": 422})
    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Messages per field (invalid values only)."},
    )


IDEMPOTENCY_KEY = "Idempotency-Key"


class IdempotencyKeySchema(ma.Schema):
    """The optional header that makes a create request safe to retry."""

    idempotency_key = ma.fields.String(
        data_key=IDEMPOTENCY_KEY,
        validate=[ma.validate.Length(min=1, max=MAX_KEY_LENGTH),
                  ma.validate.Regexp(r"^[ -~]+$")],  # printable ASCII
        metadata={"description": (
            "Optional: a key of your choice (a UUID, say; at most 200 printable ASCII characters) "
            "that makes a retry safe. The same key sent again by the same user to the same path "
            "with the same body creates nothing: it answers the resource the first request "
            "created, with the same status and the header `Idempotent-Replayed: true`. The same "
            "key with another path or another body is refused (422). Keys belong to the token's "
            "user (without a token, to the exact request body) and are kept for 24 hours."
        )},
    )


def _keyed_request(key: str | None) -> KeyedRequest | None:
    """The request's Idempotency-Key with its sender, path and body; None without a key."""
    if key is None:
        return None
    user = auth.current_user()
    return KeyedRequest(key=key, user_id=user.id if user else None, path=request.path,
                        fingerprint=fingerprint(request.method, request.get_data()))


class Blueprint(flask_smorest.Blueprint):
    """An API resource's blueprint: problem+json errors, the bearer token's user, no cookies.

    Set up here, once, because a blueprint cannot change after its first registration.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        errors.register_handlers(self)
        self.before_request(auth.load_token_user)

    def login_required(self, view: Callable) -> Callable:
        """The view needs a bearer token: 401 without one, documented in the OpenAPI document."""
        view = auth.require_user(view)
        view = self.doc(security=BEARER)(view)
        return self.alt_response(401, response="UNAUTHORIZED")(view)

    def idempotent(self, model: type, present: Callable | None = None) -> Callable:
        """A create operation (its last decorator) that honours an Idempotency-Key header.

        `model` is the table of what the view creates; a retry answers that row again, through
        `present` when the view answers something else than the row itself.
        """

        def decorator(view: Callable) -> Callable:
            @wraps(view)
            def once(*args, idempotency_key: str | None = None, **kwargs):
                try:
                    outcome = create_once(_keyed_request(idempotency_key), model,
                                          lambda: view(*args, **kwargs), present)
                except KeyReused as error:
                    error.field = IDEMPOTENCY_KEY
                    raise
                if outcome.replayed:
                    return outcome.result, {"Idempotent-Replayed": "true"}
                return outcome.result

            once = self.arguments(IdempotencyKeySchema, location="headers", as_kwargs=True)(once)
            return self.alt_response(409, response="CONFLICT")(once)

        return decorator


class Api(flask_smorest.Api):
    """flask-smorest's Api that leaves the HTML site's error pages alone.

    Error handlers go on each API blueprint (see register_blueprint), never on the app, and
    every documented error is application/problem+json.
    """

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, errors.PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, errors.PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def register_blueprint(self, blp, **options):
        """Register a resource, exempt from CSRF: no cookie authenticates it, so none can be forged."""

        csrf.exempt(blp)
        super().register_blueprint(blp, **options)
