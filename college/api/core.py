"""The flask-smorest pieces, adapted: problem+json errors per blueprint, bearer-token auth."""

from __future__ import annotations

import http
from collections.abc import Callable

import flask_smorest
import marshmallow as ma
from flask_smorest.utils import prepare_response
from werkzeug.routing import IntegerConverter, UnicodeConverter

from college.api import auth, errors
from college.extensions import csrf

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
