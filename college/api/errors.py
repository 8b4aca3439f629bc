"""Every error under /api/v1 as application/problem+json (RFC 9457)."""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, Response, json, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

from college.errors import ServiceError
from college.extensions import db

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/v1"


def problem(status: int, detail: str | None = None, *, errors: dict | None = None,
            headers: dict | None = None) -> Response:
    """A problem document: type, title, status, detail and, for invalid values, errors per field."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": str(detail) if detail else HTTPStatus(status).description}
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _field_errors(messages: dict) -> dict[str, list[str]]:
    """Webargs groups messages by location ({"json": {"email": [...]}}); clients want fields."""
    fields: dict[str, list[str]] = {}
    for location_messages in messages.values():
        if not isinstance(location_messages, dict):
            continue
        for name, field_messages in location_messages.items():
            if isinstance(field_messages, dict):  # a nested schema: flatten its messages too
                field_messages = [str(m) for ms in field_messages.values() for m in
                                  (ms if isinstance(ms, list) else [ms])]
            fields[str(name)] = [str(m) for m in field_messages]
    return fields


# Shown instead of Werkzeug's English HTML-ish descriptions.
_DETAILS = {
    400: lambda: _("The request body is not valid JSON."),
    401: lambda: _("Log in first: send a valid bearer token in the Authorization header."),
    403: lambda: _("You are not allowed to do this."),
    404: lambda: _("There is nothing here, or it is not visible to you."),
    405: lambda: _("This method is not allowed on this path."),
    413: lambda: _("The request body is too large."),
    422: lambda: _("Some values are not valid."),
    429: lambda: _("Too many requests. Wait a minute and try again."),
    500: lambda: _("Something went wrong on our side. Try again later."),
}


def handle_http_exception(error: HTTPException) -> Response:
    """Abort(), routing errors, validation (webargs 422) and rate limits as problems."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = _field_errors(data.get("messages", {})) if status == 422 else None
    # A message about the body as a whole (an empty PATCH) is the detail, not a field's.
    whole_body = (errors or {}).pop("_schema", None)
    detail = " ".join(whole_body) if whole_body else data.get("message") or (
        _DETAILS[status]() if status in _DETAILS else error.description
    )
    headers = dict(data.get("headers") or {})
    if error.response is None:
        headers.update({k: v for k, v in error.get_headers() if k.lower() == "allow"})
    if status == 405 and "Allow" not in headers and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(status, detail, errors=errors, headers=headers)


def handle_service_error(error: ServiceError) -> Response:
    """A service's refusal: its message as detail, and under its field for invalid values."""
    errors = {error.field: [str(error.message)]} if error.field and error.status == 422 else None
    return problem(error.status, str(error.message), errors=errors, headers=error.headers)


def handle_server_error(error: Exception) -> Response:
    """An unexpected failure (Flask has logged it): roll back and say nothing of the internals."""

    db.session.rollback()
    return problem(500, _DETAILS[500]())


def register_handlers(blueprint) -> None:
    """Make a blueprint answer its errors as problems, ahead of the app's HTML error pages.

    Flask prefers an app handler for a status code over a blueprint handler for an exception
    class, so each status code gets its own blueprint handler.
    """
    for code in default_exceptions:
        blueprint.register_error_handler(code, handle_http_exception)
    blueprint.register_error_handler(HTTPException, handle_http_exception)
    blueprint.register_error_handler(InternalServerError, handle_server_error)
    blueprint.register_error_handler(ServiceError, handle_service_error)


def init_app(app: Flask) -> None:
    """Unknown API paths and wrong methods fail at routing, before any blueprint owns them."""

    @app.before_request
    def api_routing_errors():
        error = request.routing_exception
        if (error is not None and isinstance(error, HTTPException) and (error.code or 0) >= 400
                and (request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"))):
            return handle_http_exception(error)
        return None
