"""Security headers on every answer, HSTS only in production, and no debugger in production."""

from __future__ import annotations

import pytest

from college import create_app, security
from college.config import ConfigError, load


def csp_of(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    policy = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


@pytest.fixture()
def production_app(another_app):
    """The College configured as in production (same database, no debug)."""
    return another_app(PRODUCTION=True, COLLEGE_ENV="production", DEBUG=False)


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page", "/health"])
def test_csp_allows_no_inline_script_nor_framing(client, path):
    policy = csp_of(client.get(path))
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]


def test_nosniff_and_referrer_policy(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_in_production(production_app):
    response = production_app.test_client().get("/health")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert csp_of(response)["frame-ancestors"] == ["'none'"]


def test_relaxed_csp_applies_to_its_path_only(another_app):
    """The hook for the API docs: other pages keep the strict policy."""
    docs_app = another_app()
    security.relax_csp(docs_app, "/api/v1/docs", script_src=["'self'", "https://cdn.example"])
    client = docs_app.test_client()
    assert csp_of(client.get("/api/v1/docs"))["script-src"] == ["'self'", "https://cdn.example"]
    assert csp_of(client.get("/api/v1/docs/x"))["object-src"] == ["'none'"]
    assert csp_of(client.get("/"))["script-src"] == ["'self'"]


def test_flask_debug_refused_in_production(tmp_path):
    with pytest.raises(ConfigError, match="Debug mode"):
        load(str(tmp_path), {"COLLEGE_ENV": "production", "SECRET_KEY": "x" * 40, "FLASK_DEBUG": "1"})


def test_app_refuses_to_start_in_debug_mode_in_production(app):
    with pytest.raises(ConfigError, match="Debug mode"):
        create_app({**app.config, "PRODUCTION": True, "DEBUG": True})


def test_debug_switched_on_later_is_refused_per_request(production_app):
    production_app.debug = True  # what app.run(debug=True) does after create_app
    response = production_app.test_client().get("/health")
    assert response.status_code == 500
    assert "Debug mode is not allowed" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_debug_allowed_in_development(another_app):
    development = another_app(PRODUCTION=False, DEBUG=True)
    assert development.test_client().get("/health").status_code == 200
