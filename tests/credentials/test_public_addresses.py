"""The public addresses behind a credential are described: those outside /api/v1 in the README's
API section, their API twins in the OpenAPI document (public where they are public)."""

from __future__ import annotations

import re
from pathlib import Path

from college.accounts.models import User
from college.credentials.services import LIST_SIZE
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.credentials.helpers import issued_certificate

README = Path(__file__).resolve().parents[2] / "README.md"
API_TWINS = {
    "/api/v1/certificates/{certificate_id}/credential": ("get", True),
    "/api/v1/verify/{code}": ("get", False),
    "/api/v1/certificates/verify": ("post", False),
}


def _readme_api_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### JSON API")
    return text[start:text.index("\n### ", start + 1)]


def test_every_public_credential_address_is_in_the_readmes_api_section(app):
    section = _readme_api_section()
    public = [rule for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("credentials.") and rule.endpoint != "credentials.download"]
    assert len(public) == 4
    for rule in public:
        described = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert f"`GET {described}`" in section, described


def test_their_api_twins_are_in_the_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, (method, with_token) in API_TWINS.items():
        operation = paths[path][method]
        assert bool(operation.get("security")) == with_token, path
        assert path in _readme_api_section()


def test_the_addresses_answer_as_described(client, make):
    certificate = issued_certificate(make)
    mine = client.get(f"/api/v1/certificates/{certificate.id}/credential",
                      headers=bearer_for(db.session.get(User, certificate.learner_id)))
    assert mine.status_code == 200
    credential = mine.get_json()
    for address in (credential["issuer"]["id"],
                    credential["credentialSubject"]["achievement"]["id"],
                    credential["credentialStatus"]["statusListCredential"],
                    credential["proof"]["verificationMethod"]):
        response = client.get(address.removeprefix("http://localhost"))
        assert response.status_code == 200, address
        assert response.mimetype == "application/ld+json"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate.id % LIST_SIZE)
    for missing in ("/credentials/keys/999999", "/credentials/achievements/999999",
                    "/credentials/status/99"):
        assert client.get(missing).status_code == 404, missing

