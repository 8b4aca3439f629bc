"""Every error under /api/v1 is problem+json; the HTML site keeps its own error pages."""

from __future__ import annotations

from tests.api.conftest import assert_problem, bearer_for


def test_unknown_api_path_is_a_problem_but_unknown_page_is_html(client):
    assert_problem(client.get("/api/v1/no-such-thing"), 404)
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.mimetype == "text/html"


def test_wrong_method_is_a_problem_with_allow_header(client):
    body = assert_problem(client.delete("/api/v1/courses"), 405)
    assert "405" not in body["detail"]
    assert "GET" in client.delete("/api/v1/courses").headers["Allow"]
    assert client.post("/").mimetype == "text/html"


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/register", data="{not json", content_type="application/json")
    assert_problem(response, 400)


def test_invalid_values_are_422_with_errors_per_field(client):
    response = client.post("/api/v1/register", json={"email": "a@example.be", "kind": "dragon"})
    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"kind", "password", "name", "consent"}
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())


def test_service_refusal_keeps_its_message_and_field(client, make):
    make.learner(email="an@example.be")
    hub = make.organiser()
    response = client.post("/api/v1/users", headers=bearer_for(make.coordinator(hub)), json={
        "email": "AN@example.be", "name": "An", "roles": ["trainer"],
    })
    body = assert_problem(response, 409)
    assert "already exists" in body["detail"]

    response = client.post("/api/v1/register", json={
        "email": "bert@example.be", "password": "short", "name": "Bert",
        "kind": "caregiver", "consent": True,
    })
    body = assert_problem(response, 422)
    assert body["errors"] == {"password": [body["detail"]]}


def test_not_logged_in_is_401_with_bearer_challenge(client):
    response = client.get("/api/v1/me")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_invalid_cursor_and_limit_are_422(client):
    body = assert_problem(client.get("/api/v1/courses?cursor=%%%"), 422)
    assert "cursor" in body["errors"]
    body = assert_problem(client.get("/api/v1/courses?limit=1000"), 422)
    assert "limit" in body["errors"]

