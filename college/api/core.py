"""The flask-smorest pieces, adapted: problem+json errors per blueprint, bearer-token auth."""

from __future__ import annotations

import http
from collections.abc import Callable, Mapping
from functools import wraps

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from flask import request
from flask_babel import lazy_gettext as _l
from flask_smorest import abort
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter, UnicodeConverter

from college import policy
from college.api import auth, errors
from college.extensions import csrf
from college.idempotency.services import (
    MAX_KEY_LENGTH,
    KeyedRequest,
    KeyReused,
    create_once,
    fingerprint,
)
from college.routing import MAX_ID

BEARER = [{"bearerAuth": []}]



class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a row id; anything out of range is simply not found (404).

    Out of range reads as 0, an id no row has, so the view answers 404. Refusing it in the
    converter instead makes Werkzeug answer 405 when another method's rule has the same path.
    """

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if 1 <= number <= MAX_ID else 0


class CodeConverter(UnicodeConverter):
    """`<code:name>` in a route: a code people type (verification codes); longer is not found."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("minlength", 1)
        kwargs.setdefault("maxlength", 64)
        super().__init__(url_map, *args, **kwargs)


class Boolean(ma.fields.Boolean):
    """A JSON true or false, nothing else: "yes", "1", 1 or "true" are refused (422), so a
    client's mistake never silently reads as a choice."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise ma.ValidationError(str(_l("Send true or false.")))
        return value


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


class ChangeSchema(ma.Schema):
    """The body of a PATCH: the fields sent change, the others keep their value.

    An empty body changes nothing and is almost always a client's mistake (a form sent before
    it was filled in), so it is refused with 422; the document says so with `minProperties`.
    """

    @ma.validates_schema
    def _something_to_change(self, data: dict, **kwargs) -> None:
        if not data:
            raise ma.ValidationError(str(_l("Send at least one field to change.")))


class DocumentPlugin(BasePlugin):
    """Puts in the document what marshmallow cannot say: a PATCH body needs a field."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        schema_class = schema if isinstance(schema, type) else type(schema)
        if isinstance(schema_class, type) and issubclass(schema_class, ChangeSchema):
            return {"minProperties": 1}
        return None


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


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


class Parser(FlaskParser):
    """webargs' parser that refuses NUL characters (422 per field): PostgreSQL stores no NUL
    in text, and no one types one."""

    def pre_load(self, location_data, *, schema, req, location):
        if isinstance(location_data, Mapping):
            fields = [str(name) for name, value in location_data.items()
                      if _holds_nul(name) or _holds_nul(value)]
            if fields:
                message = str(_l("This contains a NUL character, which no text may hold."))
                raise ma.ValidationError({name: [message] for name in fields})
        return super().pre_load(location_data, schema=schema, req=req, location=location)


class Blueprint(flask_smorest.Blueprint):
    """An API resource's blueprint: problem+json errors, the bearer token's user, no cookies.

    Set up here, once, because a blueprint cannot change after its first registration.
    """

    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        errors.register_handlers(self)
        self.before_request(auth.load_token_user)

    @property
    def tag(self) -> str:
        """The resource's name in the document: "Editions" for api_editions."""
        return self.name.removeprefix("api_").replace("_", " ").capitalize()

    def route(self, rule, *, parameters=None, tags=None, **options):
        """A route whose operation is named in the document after its view (`create_edition`),
        under the resource's tag."""
        register = super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)

        def decorator(view: Callable) -> Callable:
            return register(self.doc(operationId=view.__name__)(view))

        return decorator

    def arguments(self, schema, *, location: str = "json", **kwargs) -> Callable:
        """flask-smorest's arguments; a JSON body that does not parse answers 400, documented."""
        parse = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return parse
        return lambda view: self.alt_response(400, response="BAD_REQUEST")(parse(view))

    def login_required(self, view: Callable) -> Callable:
        """The view needs a bearer token: 401 without one, documented in the OpenAPI document."""
        view = auth.require_user(view)
        view = self.doc(security=BEARER)(view)
        return self.alt_response(401, response="UNAUTHORIZED")(view)

    def staff_only(self, coordinators: bool = False) -> Callable:
        """Callers who are staff (or coordinators) of no organiser at all get 403 before their
        input is read: a learner learns nothing from a 422 about a body they may never send.

        Goes between `login_required` and `arguments`; which organiser's staff may act is still
        the policy's question inside the view.
        """

        def decorator(view: Callable) -> Callable:
            @wraps(view)
            def checked(*args, **kwargs):
                user = auth.current_user()
                allowed = policy.is_coordinator(user) if coordinators else policy.is_staff(user)
                if not allowed:
                    abort(403, message=str(
                        _l("Only coordinators can do this.") if coordinators
                        else _l("Only trainers and coordinators can do this.")))
                return view(*args, **kwargs)

            return self.alt_response(403, response="FORBIDDEN")(checked)

        return decorator

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
    # No catch-all "default" response: each operation lists the statuses it really answers,
    # so a client (and schemathesis's status_code_conformance) can rely on the list.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, errors.PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)

    def register_blueprint(self, blp, *, parameters=None, **options):
        """Register a resource, exempt from CSRF: no cookie authenticates it, so none can be
        forged. Its operations go in the document under the resource's human tag ("Editions")."""

        csrf.exempt(blp)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp.name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=blp.name, parameters=parameters)
        self.spec.tag({"name": blp.tag, "description": blp.description})
