"""Each issued attest downloads as a signed Open Badges 3.0 credential; its issuer, achievement,
key and revocation status are published at public addresses."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from college.accounts.models import User
from college.catalogue.models import Edition
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.services import reissue_certificate, revoke_certificate
from college.credentials import proofs
from college.credentials.models import CredentialKey
from college.credentials.multikey import public_key_from_multibase
from college.credentials.services import LIST_SIZE
from college.extensions import db
from college.privacy.models import PersonalDataAccess
from tests.api.conftest import assert_problem, bearer_for
from tests.certificates.helpers import organiser_of
from tests.credentials.helpers import issued_certificate, revoked_bit


@pytest.fixture()
def issued(make):
    """Maria's issued certificate, Maria, and a coordinator of its organiser."""
    certificate = issued_certificate(make, name="Maria Peeters", email="maria@example.be")
    coordinator = make.coordinator(organiser_of(certificate.edition_id))
    return certificate, db.session.get(User, certificate.learner_id), coordinator


def _public_key(client, credential: dict):
    method = client.get(credential["proof"]["verificationMethod"].removeprefix("http://localhost"))
    assert method.status_code == 200 and method.mimetype == "application/ld+json"
    document = method.get_json()
    assert document["type"] == "Multikey" and document["publicKeyMultibase"].startswith("z6Mk")
    return public_key_from_multibase(document["publicKeyMultibase"])


def _path(url: str) -> str:
    return url.removeprefix("http://localhost")


def test_learner_downloads_a_signed_open_badge(client, auth, issued):
    certificate, maria, _ = issued
    auth.login_as(maria)
    page = client.get("/certificates").get_data(as_text=True)
    assert f"/certificates/{certificate.id}/credential" in page

    response = client.get(f"/certificates/{certificate.id}/credential")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert f"open-badge-{certificate.verification_code}.json" in response.headers["Content-Disposition"]
    credential = json.loads(response.data)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["id"].endswith(f"/verify/{certificate.verification_code}")
    subject = credential["credentialSubject"]
    assert {"type": "IdentityObject", "identityType": "name", "hashed": False,
            "identityHash": "Maria Peeters"} in subject["identifier"]
    # The email address travels only hashed.
    assert "maria@example.be" not in response.get_data(as_text=True)
    assert subject["achievement"]["type"] == ["Achievement"]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate.id % LIST_SIZE)

    key = _public_key(client, credential)
    assert proofs.verify(credential, key)
    tampered = json.loads(response.data)
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    assert not proofs.verify(tampered, key)


def test_issuer_achievement_and_key_are_public(client, make, issued):
    certificate, _, _ = issued
    course_id = db.session.get(Edition, certificate.edition_id).course_id
    achievement = client.get(f"/credentials/achievements/{course_id}")
    assert achievement.status_code == 200
    assert achievement.headers["Access-Control-Allow-Origin"] == "*"
    body = achievement.get_json()
    assert body["type"] == ["Achievement"] and body["criteria"]["narrative"]
    assert "sessies" in body["criteria"]["narrative"]  # in the installation's language

    assert client.get("/credentials/achievements/999999").status_code == 404
    assert client.get("/credentials/keys/999999").status_code == 404
    # Not yet published, no attest: not public.
    draft = make.course(published=False)
    assert client.get(f"/credentials/achievements/{draft.id}").status_code == 404

    # Signing the first credential makes (in development) and publishes the key.
    issuer = client.get("/credentials/issuer").get_json()
    assert issuer["type"] == ["Profile"] and issuer["assertionMethod"] == []
    status = client.get("/credentials/status/0").get_json()
    [key] = db.session.scalars(select(CredentialKey)).all()
    issuer = client.get("/credentials/issuer").get_json()
    assert issuer["assertionMethod"] == [f"http://localhost/credentials/keys/{key.id}"]
    assert status["proof"]["verificationMethod"] == issuer["assertionMethod"][0]


def test_revocation_and_correction_show_in_the_status_list(app, client, make, issued):
    certificate, _, coordinator = issued
    other = issued_certificate(make)
    status_url = f"/credentials/status/{certificate.id // LIST_SIZE}"

    before = client.get(status_url).get_json()
    assert before["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert not revoked_bit(before, certificate.id % LIST_SIZE)
    key = _public_key(client, before)
    assert proofs.verify(before, key)

    revoke_certificate(certificate.id, coordinator, "Deelname niet bevestigd")
    db.session.commit()
    after = client.get(status_url).get_json()
    assert revoked_bit(after, certificate.id % LIST_SIZE)
    assert not revoked_bit(after, other.id % LIST_SIZE)
    assert proofs.verify(after, key)

    # A correction revokes the old attest; its replacement has its own, unrevoked entry.
    other_coordinator = make.coordinator(organiser_of(other.edition_id))
    new = reissue_certificate(other.id, other_coordinator, "Uren verbeterd")
    db.session.commit()
    corrected = client.get(status_url).get_json()
    assert revoked_bit(corrected, other.id % LIST_SIZE)
    assert not revoked_bit(corrected, new.id % LIST_SIZE)

    assert client.get(f"/credentials/status/{certificate.id // LIST_SIZE + 1}").status_code == 404


def test_only_the_learner_and_coordinators_download_and_only_when_issued(client, auth, make, issued):
    certificate, maria, coordinator = issued
    url = f"/certificates/{certificate.id}/credential"
    assert client.get(url).status_code == 302  # to the login page

    auth.login_as(make.learner())
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login_as(coordinator)
    assert client.get(url).status_code == 200
    logged = db.session.scalars(select(PersonalDataAccess).where(
        PersonalDataAccess.viewer_id == coordinator.id)).all()
    assert [row.learner_id for row in logged] == [maria.id]
    auth.logout()

    queued = issued_certificate(make)
    db.session.get(Certificate, queued.id).status = CertificateStatus.QUEUED
    db.session.commit()
    auth.login_as(db.session.get(User, queued.learner_id))
    response = client.get(f"/certificates/{queued.id}/credential")
    assert response.status_code == 409 and "being prepared" in response.get_data(as_text=True)


@pytest.mark.parametrize("state, status, words", [
    ("revoked", 409, "revoked"),
    ("queued", 409, "being prepared"),
    ("erased", 409, "personal data was deleted"),
    ("missing", 404, "does not exist"),
    ("other", 404, "does not exist"),
])
def test_api_credential(client, make, issued, state, status, words):
    certificate, maria, coordinator = issued
    url = f"/api/v1/certificates/{certificate.id}/credential"
    ok = client.get(url, headers=bearer_for(maria))
    assert ok.status_code == 200 and ok.get_json()["proof"]["proofPurpose"] == "assertionMethod"

    headers = bearer_for(maria)
    row = db.session.get(Certificate, certificate.id)
    if state == "revoked":
        row.status, row.revoked_reason = CertificateStatus.REVOKED, "fout"
    elif state == "queued":
        row.status = CertificateStatus.QUEUED
    elif state == "erased":
        # The learner can no longer log in; their coordinators are told why.
        db.session.get(User, maria.id).anonymised_at = row.issued_at
        headers = bearer_for(coordinator)
    elif state == "missing":
        url = "/api/v1/certificates/999999/credential"
    else:
        headers = bearer_for(make.learner())
    db.session.commit()
    body = assert_problem(client.get(url, headers={**headers, "Accept-Language": "en"}), status)
    assert words in body["detail"]


def test_production_without_a_key_refuses_and_a_configured_key_signs(app, client, auth, issued,
                                                                     monkeypatch):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from college.credentials.multikey import private_key_pem, public_key_multibase

    certificate, maria, _ = issued
    auth.login_as(maria)
    url = f"/certificates/{certificate.id}/credential"
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNING_GENERATE_KEY", False)
    assert client.get(url).status_code == 503
    assert db.session.scalar(select(CredentialKey)) is None

    configured = Ed25519PrivateKey.generate()
    monkeypatch.setitem(app.config, "CREDENTIAL_SIGNING_KEY", private_key_pem(configured).encode())
    credential = json.loads(client.get(url).data)
    [row] = db.session.scalars(select(CredentialKey)).all()
    assert row.source == "configured" and row.private_key_pem is None
    assert row.public_key_multibase == public_key_multibase(configured.public_key())
    assert proofs.verify(credential, configured.public_key())


def test_cli_prints_a_key_for_production_that_the_configuration_accepts(runner, tmp_path):
    from college import config

    result = runner.invoke(args=["college", "credential-key"])
    assert result.exit_code == 0 and result.output.startswith("-----BEGIN PRIVATE KEY-----")
    assert db.session.scalar(select(CredentialKey)) is None  # printed, not stored
    key_file = tmp_path / "credential.pem"
    key_file.write_text(result.output)
    settings = config.load(str(tmp_path), {"SECRET_KEY": "x" * 40,
                                          "CREDENTIAL_SIGNING_KEY": str(key_file)})
    assert settings["CREDENTIAL_SIGNING_KEY"] == result.output.encode()


@pytest.mark.parametrize("value, message", [
    ("-----BEGIN PRIVATE KEY-----\nbm9wZQ==\n-----END PRIVATE KEY-----\n", "not an unencrypted PEM"),
    ("/nowhere/credential.pem", "neither PEM text nor the path"),
    ("ec", "not an Ed25519 key"),
])
def test_configuration_refuses_a_key_it_cannot_sign_with(tmp_path, value, message):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from college import config

    if value == "ec":
        value = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()
    with pytest.raises(config.ConfigError, match=message):
        config.load(str(tmp_path), {"SECRET_KEY": "x" * 40, "CREDENTIAL_SIGNING_KEY": value})


def test_cli_store_replaces_the_generated_key_and_the_old_one_stays_published(runner, client):
    first = runner.invoke(args=["college", "credential-key", "--store"])
    second = runner.invoke(args=["college", "credential-key", "--store"])
    assert first.exit_code == 0 and second.exit_code == 0
    old, new = db.session.scalars(select(CredentialKey).order_by(CredentialKey.id)).all()
    assert old.retired_at is not None and new.retired_at is None
    assert client.get(f"/credentials/keys/{old.id}").status_code == 200
    assert len(client.get("/credentials/issuer").get_json()["assertionMethod"]) == 2


@pytest.mark.parametrize("url", [
    "/credentials/keys/99999999999999999999", "/credentials/achievements/99999999999999999999",
    "/credentials/status/99999999999999999999", "/certificates/99999999999999999999/credential",
    "/credentials/keys/-1", "/credentials/status/x",
])
def test_an_absurd_address_is_missing_not_an_error(client, auth, make, url):
    auth.login_as(make.learner())
    assert client.get(url).status_code == 404
