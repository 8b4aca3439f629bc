"""The API's wiring: the flask-smorest Api, its settings, and every resource's blueprint."""

from __future__ import annotations

from flask import Flask

from college.api import docs, errors
from college.api.core import Api, CodeConverter, DocumentPlugin, IdConverter
from college.api.resources import RESOURCES

api = Api(spec_kwargs={"extra_plugins": [DocumentPlugin()]})

#: flask-smorest settings: the document at /api/v1/openapi.json (docs page: college.api.docs).
SETTINGS = {
    "API_TITLE": "Caregivers College API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Do through HTTP what people do in the College's pages. Create a token "
            "with POST /api/v1/auth/tokens and send it as `Authorization: Bearer <token>`. "
            "Errors are application/problem+json (RFC 9457)."
        },
    },
}


def init_app(app: Flask) -> None:
    """Serve the API, its document and its docs page."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    # The document names where it is served, so a client generated from it finds the API;
    # without PUBLIC_BASE_URL (development) that is the address the document came from ("/").
    app.config["API_SPEC_OPTIONS"] = {**app.config["API_SPEC_OPTIONS"], "servers": [
        {"url": app.config.get("PUBLIC_BASE_URL") or "/", "description": "This College"}]}
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["code"] = CodeConverter
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/auth/tokens."}
    )
    for blueprint in RESOURCES:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
    errors.init_app(app)
