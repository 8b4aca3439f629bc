"""Issued attests are signed (PAdES): pyHanko finds the signature intact, a changed byte breaks it;
the key comes from the configuration or the database, never from one machine's disk."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from college import config
from college.certificates import keys, signing
from college.certificates.designs import LAYOUTS
from college.certificates.models import SigningKey
from college.certificates.services import verify_pdf
from college.certificates.signing import Verdict, _run
from college.extensions import db
from tests.certificates.helpers import (
    designed_edition,
    flip_byte_in_signed_range,
    issued_pdf,
    pdf_text,
    signature_of,
)


def validate(content: bytes):
    """pyHanko's own validation, trusting the certificate the PDF was signed with."""
    signature = signature_of(content)
    context = ValidationContext(trust_roots=[signature.signer_cert], allow_fetching=False)
    return _run(async_validate_pdf_signature(signature, signer_validation_context=context))


@pytest.mark.parametrize("layout", [None, *LAYOUTS])
def test_an_issued_attest_is_signed_intact_and_a_changed_byte_breaks_it(app, make, layout):
    certificate, content = issued_pdf(app, make, name="Maria Peeters",
                                      edition=designed_edition(make, layout))

    status = validate(content)
    assert status.intact and status.valid
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    signature = signature_of(content)
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES baseline
    assert signature.field_name == f"Attest-{certificate.verification_code}"
    # Signing appends to the PDF: its text still reads as before.
    text = pdf_text(content)
    assert "Maria Peeters" in text and certificate.verification_code in text

    tampered = flip_byte_in_signed_range(content)
    assert not validate(tampered).intact
    assert verify_pdf(tampered).verdict == Verdict.ALTERED
    assert verify_pdf(content).verdict == Verdict.VALID


def test_development_key_is_made_once_in_the_database_and_signs_every_attest(app, make):
    assert db.session.scalar(select(SigningKey)) is None
    _, first = issued_pdf(app, make)
    _, second = issued_pdf(app, make)

    [key] = db.session.scalars(select(SigningKey)).all()
    assert key.scope == "installation" and key.private_key_pem and key.retired_at is None
    for content in (first, second):
        assert keys.fingerprint_der(signature_of(content).signer_cert.dump()) == key.fingerprint


def test_a_new_key_retires_the_old_one_whose_attests_still_verify(app, make, runner):
    old_certificate, old = issued_pdf(app, make)

    result = runner.invoke(args=["college", "create-signing-key"])
    assert result.exit_code == 0, result.output
    assert "New signing key for the installation" in result.output
    _, new = issued_pdf(app, make)

    keys_by_state = {key.retired_at is None: key for key in db.session.scalars(select(SigningKey))}
    assert signature_of(new).signer_cert.sha256.hex() == keys_by_state[True].fingerprint
    assert signature_of(old).signer_cert.sha256.hex() == keys_by_state[False].fingerprint
    check = verify_pdf(old)
    assert check.verdict == Verdict.VALID and check.certificate.id == old_certificate.id


def test_an_organiser_with_its_own_key_signs_its_attests_with_it(app, make, runner):
    organiser = make.organiser("Zorgzaam Waasland")
    db.session.commit()
    result = runner.invoke(args=["college", "create-signing-key", "--organiser", str(organiser.id)])
    assert result.exit_code == 0, result.output
    assert "Zorgzaam Waasland" in result.output

    _, own = issued_pdf(app, make, edition=make.edition(make.course(organiser)))
    _, other = issued_pdf(app, make)

    assert "Zorgzaam Waasland" in signature_of(own).signer_cert.subject.human_friendly
    assert "Zorgzaam Waasland" not in signature_of(other).signer_cert.subject.human_friendly
    assert verify_pdf(own).verdict == verify_pdf(other).verdict == Verdict.VALID

    missing = runner.invoke(args=["college", "create-signing-key", "--organiser", "999999"])
    assert missing.exit_code != 0 and "No organiser has id 999999" in missing.output


@pytest.fixture()
def configured_key(app, monkeypatch, tmp_path):
    """A key and certificate as production configures them: a passphrase-protected key file
    and the certificate inline in the environment."""
    pair = keys.generate_self_signed("Mantelzorgacademie", "Mantelzorgacademie")
    key_file = tmp_path / "signing.key"
    key_file.write_bytes(
        serialization.load_pem_private_key(pair.key_pem, None).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"geheim wachtwoord")))
    settings = config.load(str(tmp_path), {
        "SECRET_KEY": "x" * 40, "CERTIFICATE_SIGNING_KEY": str(key_file),
        "CERTIFICATE_SIGNING_CERT": keys.certificate_pem(pair.certificate),
        "CERTIFICATE_SIGNING_KEY_PASSPHRASE": "geheim wachtwoord",
    })
    for name in ("CERTIFICATE_SIGNING_KEY", "CERTIFICATE_SIGNING_CERT",
                 "CERTIFICATE_SIGNING_KEY_PASSPHRASE"):
        monkeypatch.setitem(app.config, name, settings[name])
    return pair


def test_a_configured_key_signs_and_only_its_certificate_is_recorded(app, make, configured_key):
    _, content = issued_pdf(app, make)

    assert signature_of(content).signer_cert.sha256.hex() == keys.fingerprint(configured_key.certificate)
    [row] = db.session.scalars(select(SigningKey)).all()
    assert (row.scope, row.private_key_pem) == ("configured", None)
    assert verify_pdf(content).verdict == Verdict.VALID


def test_production_without_a_key_does_not_sign_with_a_made_up_one(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNING_GENERATE_KEY", False)
    with pytest.raises(signing.SigningUnavailable, match="CERTIFICATE_SIGNING_KEY"):
        signing.signing_pair(None)
    assert db.session.scalar(select(SigningKey)) is None


def _pem_file(tmp_path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize("case, message", [
    ("key only", "Set both CERTIFICATE_SIGNING_KEY and CERTIFICATE_SIGNING_CERT"),
    ("missing file", "neither PEM text nor the path of a readable file"),
    ("wrong passphrase", "wrong passphrase"),
    ("another key's certificate", "is not the certificate of the signing key"),
])
def test_a_signing_key_that_cannot_sign_stops_the_start(tmp_path, case, message):
    pair = keys.generate_self_signed("A", "A")
    other = keys.generate_self_signed("B", "B")
    encrypted = serialization.load_pem_private_key(pair.key_pem, None).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"juist"))
    environ = {
        "key only": {"CERTIFICATE_SIGNING_KEY": pair.key_pem.decode()},
        "missing file": {"CERTIFICATE_SIGNING_KEY": str(tmp_path / "nowhere.key"),
                         "CERTIFICATE_SIGNING_CERT": keys.certificate_pem(pair.certificate)},
        "wrong passphrase": {"CERTIFICATE_SIGNING_KEY": _pem_file(tmp_path, "k.pem", encrypted),
                             "CERTIFICATE_SIGNING_CERT": keys.certificate_pem(pair.certificate),
                             "CERTIFICATE_SIGNING_KEY_PASSPHRASE": "fout"},
        "another key's certificate": {"CERTIFICATE_SIGNING_KEY": pair.key_pem.decode(),
                                      "CERTIFICATE_SIGNING_CERT": keys.certificate_pem(other.certificate)},
    }[case]
    with pytest.raises(config.ConfigError, match=message):
        config.load(str(tmp_path), {"SECRET_KEY": "x" * 40, **environ})
