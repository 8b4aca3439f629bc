"""An independent verifier accepts the College's credentials: the W3C/Digital Bazaar reference
libraries from npm (tests/credentials/verify.mjs), not the College's own code."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from college.credentials.services import LIST_SIZE
from college.extensions import db
from tests.certificates.helpers import organiser_of
from tests.credentials.helpers import issued_certificate

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("verify.mjs")
NODE = shutil.which("node")


@pytest.fixture(autouse=True)
def _reference_libraries():
    """The suite never skips: `make test` installs node and the npm packages (browser-deps)."""
    if NODE is None or not (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        pytest.fail("the independent verifier needs node and the npm packages: run "
                    "`make browser-deps` (npm ci)", pytrace=False)


BASE = "http://localhost"


def _fetch(client, url: str) -> dict:
    response = client.get(url.removeprefix(BASE))
    assert response.status_code == 200, url
    return response.get_json()


def verify(client, credential: dict) -> dict:
    """What the reference verifier says, given the College's published documents as they are now."""
    status_url = credential["credentialStatus"]["statusListCredential"]
    issuer = _fetch(client, credential["issuer"]["id"])
    documents = {issuer["id"]: issuer, status_url: _fetch(client, status_url)}
    for key_url in issuer["assertionMethod"]:
        documents[key_url] = _fetch(client, key_url)
    result = subprocess.run(
        [NODE, str(SCRIPT)], input=json.dumps({"credential": credential, "documents": documents}),
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_reference_verifier_accepts_ours_refuses_a_tampered_one_and_sees_revocation(
        client, auth, make):
    certificate = issued_certificate(make, name="Maria Peeters", email="maria@example.be")
    from college.accounts.models import User

    maria = db.session.get(User, certificate.learner_id)
    auth.login_as(maria)
    credential = json.loads(client.get(f"/certificates/{certificate.id}/credential").data)
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate.id % LIST_SIZE)

    valid = verify(client, credential)
    assert valid["verified"] is True, valid["errors"]
    assert valid["status"] == {"verified": True, "revoked": False}

    tampered = json.loads(json.dumps(credential))
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    refused = verify(client, tampered)
    assert refused["verified"] is False and refused["errors"]

    from college.certificates.services import revoke_certificate

    revoke_certificate(certificate.id, make.coordinator(organiser_of(certificate.edition_id)),
                       "Deelname niet bevestigd")
    db.session.commit()
    revoked = verify(client, credential)
    assert revoked["status"] == {"verified": True, "revoked": True}


def test_demo_home_nurse_downloads_an_open_badge_naming_the_nurses_scheme(runner, app, client, auth):
    from sqlalchemy import select

    from college.accounts.models import User
    from college.catalogue.models import Course, Edition
    from college.certificates.models import Certificate, CertificateStatus
    from college.demo import DEMO_PASSWORD
    from tests.conftest import _empty_tables, run_worker

    _empty_tables()  # the demo loads only into an empty database
    result = runner.invoke(args=["college", "demo"])
    assert result.exit_code == 0, result.output
    run_worker(app)
    nurse = User.by_email("professional@example.be")
    certificate = db.session.scalar(
        select(Certificate).join(Edition, Edition.id == Certificate.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Certificate.learner_id == nurse.id, Certificate.status == CertificateStatus.ISSUED,
               Course.title == "Mantelzorgers herkennen en doorverwijzen"))
    auth.login("professional@example.be", DEMO_PASSWORD)
    assert f"/certificates/{certificate.id}/credential" in client.get("/certificates").get_data(
        as_text=True)
    credential = json.loads(client.get(f"/certificates/{certificate.id}/credential").data)

    achievement = credential["credentialSubject"]["achievement"]
    assert ("Accreditatie Permanente vorming verpleegkundigen, nummer PV-2026-0412: 4 uur "
            "(Psychosociale zorg).") in achievement["description"]
    [nurses] = [item["id"] for item in achievement["resultDescription"]
                if item["name"] == "Permanente vorming verpleegkundigen PV-2026-0412"]
    earned = {result["resultDescription"]: result["value"]
              for result in credential["credentialSubject"]["result"]}
    assert earned[nurses] == "4 uur"
    outcome = verify(client, credential)
    assert outcome["verified"] is True, outcome["errors"]
    assert outcome["status"] == {"verified": True, "revoked": False}
