"""The OpenAPI document is served and valid, the docs page works offline, and the API keeps
to its document under schemathesis (generated requests through the WSGI app)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import bearer_for
from tests.api.test_authorisation_matrix import MATRIX, World, api_routes


def test_document_is_valid_openapi_3_and_lists_every_api_operation(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.0 meta-schema
    documented = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if method != "parameters"
    }
    served = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) for route in api_routes(app)
        if "/docs" not in route and "openapi.json" not in route
    }
    assert documented == served
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for name in ("NOT_FOUND", "UNPROCESSABLE_ENTITY", "BAD_REQUEST"):
        assert list(document["components"]["responses"][name]["content"]) == ["application/problem+json"]


def test_docs_page_loads_its_files_from_the_college_itself(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(source.startswith("/") for source in sources)
    assert "<script>" not in page  # no inline script: a strict CSP can allow the files
    for source in sources:
        with client.get(source) as response:
            assert response.status_code == 200, source


def test_an_invalid_document_would_be_caught(client):
    document = client.get("/api/v1/openapi.json").get_json()
    document["paths"]["/api/v1/me"]["get"]["responses"] = "none"
    with pytest.raises(Exception, match="responses"):
        schemathesis.openapi.from_dict(document).validate()


class _OwnAppContext:
    """Each schemathesis request in an app context of its own, as in production."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with self.app.app_context():
            return self.app(environ, start_response)


def _operations() -> list[str]:
    """The documented operations ("METHOD /path"), known without loading the app."""
    return sorted(
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) for route in MATRIX
        if "/docs" not in route and "openapi.json" not in route
    )


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def schema(app):
    """The API's document as schemathesis reads it, loaded once for every operation's test."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _OwnAppContext(app))


@pytest.mark.parametrize("operation", _operations())
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_keeps_to_its_document(app, make, schema, operation, mode):
    """No 5xx and no response outside the document, for every operation, with a token.

    Positive and negative requests, generated from the document, through the WSGI app.
    """
    world = World(make)
    method, path = operation.split(" ", 1)
    documented = schema.raw_schema["paths"][path][method.lower()]
    if mode == GenerationMode.NEGATIVE and not {"parameters", "requestBody", "security"} & set(documented):
        return  # takes no input at all (GET /api/v1/privacy-notice): nothing can be sent wrong

    @given(case=schema[path][method].as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def check(case):
        case.call_and_validate(headers=bearer_for(world.users["coordinator"]), checks=CHECKS)

    check()
