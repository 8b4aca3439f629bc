"""Signing keys and their X.509 certificates, without the database: load, check, generate.

Kept apart from `signing` so that `college.config` can check a configured key at start-up
without importing the models.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

#: How long a generated (development or demo) certificate is valid.
GENERATED_VALIDITY = timedelta(days=5 * 365)


@dataclass(frozen=True)
class KeyPair:
    """A private key with its certificate and the certificates that chain it to a CA (if any)."""

    key_pem: bytes
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


def fingerprint(certificate: x509.Certificate) -> str:
    """The SHA-256 fingerprint of a certificate, in hex: how a signer is recognised."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def fingerprint_der(der: bytes) -> str:
    """The SHA-256 fingerprint of a DER-encoded certificate."""
    return hashlib.sha256(der).hexdigest()


def certificate_pem(certificate: x509.Certificate) -> str:
    """A certificate as PEM text."""
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def load_key_pair(key_pem: bytes, certificates_pem: bytes, passphrase: bytes | None = None) -> KeyPair:
    """A key and its certificate (then any intermediate certificates), checked to belong together.

    Raises ValueError with a message an operator understands.
    """
    try:
        key = serialization.load_pem_private_key(key_pem, password=passphrase or None)
    except TypeError as error:  # a passphrase missing, or given for an unencrypted key
        raise ValueError(f"the signing key and its passphrase do not match ({error})") from error
    except ValueError as error:
        raise ValueError(f"the signing key cannot be read: wrong passphrase, or not a PEM "
                         f"private key ({error})") from error
    try:
        certificates = x509.load_pem_x509_certificates(certificates_pem)
    except ValueError as error:
        raise ValueError(f"the signing certificate is not a PEM certificate ({error})") from error
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    signer = certificates[0]
    if signer.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != public:
        raise ValueError("the signing certificate (the first in the file) is not the "
                         "certificate of the signing key")
    unencrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return KeyPair(key_pem=unencrypted, certificate=signer, chain=tuple(certificates[1:]))


def generate_self_signed(common_name: str, organisation: str, now: datetime | None = None) -> KeyPair:
    """A new ECDSA P-256 key with a self-signed certificate for signing documents."""
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
    ])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + GENERATED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                          crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return KeyPair(key_pem=key_pem, certificate=certificate)
