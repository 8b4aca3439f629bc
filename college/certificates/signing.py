"""Signing attest PDFs (PAdES baseline B-B, with pyHanko) and checking an uploaded one.

Which key signs: the organiser's own generated key when it has one; else the installation's
key from the configuration (CERTIFICATE_SIGNING_KEY/_CERT); else the installation's generated
key in the database, made when first needed where CERTIFICATE_SIGNING_GENERATE_KEY allows it
(development and the demo). Keys live in the configuration or the database, never on one
machine's disk, so every worker signs alike. Every certificate that ever signed is kept in
`SigningKey`, so a PDF signed before a key was replaced still verifies.
"""

from __future__ import annotations

import asyncio
import enum
import io
import logging
from concurrent.futures import ThreadPoolExecutor

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from flask import current_app
from flask_babel import gettext as _
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from college import timeutil
from college.accounts.models import Organiser
from college.certificates import keys
from college.certificates.models import Certificate, SigningKey
from college.errors import Invalid, ServiceError
from college.extensions import db

log = logging.getLogger(__name__)

INSTALLATION = "installation"
CONFIGURED = "configured"
#: The signature field's name carries the attest's code, inside the signed bytes.
FIELD_PREFIX = "Attest-"
#: An attest PDF is some 100 kB; anything far larger is not one of ours.
MAX_PDF_BYTES = 2 * 1024 * 1024


class SigningUnavailable(RuntimeError):
    """No key to sign with: production needs one configured (see README, Signed attests)."""


class TooLarge(ServiceError):
    """An uploaded file above the limit (413)."""

    status = 413


def organiser_scope(organiser_id: int) -> str:
    return f"organiser-{organiser_id}"


# ---- keys -------------------------------------------------------------------------------------


def _current_generated(scope: str) -> SigningKey | None:
    return db.session.scalar(
        select(SigningKey)
        .where(SigningKey.scope == scope, SigningKey.retired_at.is_(None),
               SigningKey.private_key_pem.is_not(None))
        .options(undefer(SigningKey.private_key_pem))
    )


def create_signing_key(organiser: Organiser | None = None) -> SigningKey:
    """A new self-signed key for the installation or one organiser; the previous one is retired.

    Its certificate stays known, so attests it signed still verify. No commit.
    """
    scope = organiser_scope(organiser.id) if organiser else INSTALLATION
    previous = _current_generated(scope)
    if previous is not None:
        previous.retired_at = timeutil.now()
        db.session.flush()
    name = organiser.name if organiser else "Caregivers College"
    pair = keys.generate_self_signed(f"{name} (self-signed)", name, timeutil.now())
    key = SigningKey(
        scope=scope,
        organiser_id=organiser.id if organiser else None,
        fingerprint=keys.fingerprint(pair.certificate),
        certificate_pem=keys.certificate_pem(pair.certificate),
        private_key_pem=pair.key_pem.decode("ascii"),
    )
    db.session.add(key)
    db.session.flush()
    return key


def _generated_installation_key() -> SigningKey:
    """The installation's generated key, made now if missing (two workers at once: one wins)."""
    key = _current_generated(INSTALLATION)
    if key is not None:
        return key
    try:
        with db.session.begin_nested():
            key = create_signing_key()
    except IntegrityError:
        return _current_generated(INSTALLATION)
    log.warning("no signing key is configured: generated a self-signed one (development, demo)")
    return key


def _record_configured(pair: keys.KeyPair) -> None:
    """Remember a configured certificate, so its attests verify after the key is replaced."""
    fingerprint = keys.fingerprint(pair.certificate)
    if db.session.scalar(select(SigningKey.id).where(SigningKey.fingerprint == fingerprint)):
        return
    try:
        with db.session.begin_nested():
            db.session.add(SigningKey(scope=CONFIGURED, fingerprint=fingerprint,
                                      certificate_pem=keys.certificate_pem(pair.certificate)))
    except IntegrityError:
        pass  # another worker recorded it first


def _configured_pair() -> keys.KeyPair | None:
    config = current_app.config
    if not config.get("CERTIFICATE_SIGNING_KEY"):
        return None
    return keys.load_key_pair(config["CERTIFICATE_SIGNING_KEY"], config["CERTIFICATE_SIGNING_CERT"],
                              config.get("CERTIFICATE_SIGNING_KEY_PASSPHRASE"))


def _pair_of(key: SigningKey) -> keys.KeyPair:
    return keys.load_key_pair(key.private_key_pem.encode("ascii"), key.certificate_pem.encode("ascii"))


def signing_pair(organiser_id: int | None) -> keys.KeyPair:
    """The key an organiser's attests are signed with (see the module's docstring for the order)."""
    if organiser_id is not None:
        own = _current_generated(organiser_scope(organiser_id))
        if own is not None:
            return _pair_of(own)
    configured = _configured_pair()
    if configured is not None:
        _record_configured(configured)
        return configured
    key = _current_generated(INSTALLATION)
    if key is None:
        if not current_app.config.get("CERTIFICATE_SIGNING_GENERATE_KEY"):
            raise SigningUnavailable(
                "No key to sign certificates with: set CERTIFICATE_SIGNING_KEY and "
                "CERTIFICATE_SIGNING_CERT (see the README, Signed attests).")
        key = _generated_installation_key()
    return _pair_of(key)


def pdf_signer(pair: keys.KeyPair) -> signers.SimpleSigner:
    """pyHanko's signer for a key pair, embedding its certificate and intermediates."""

    def asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))

    chain = [asn1(pair.certificate), *map(asn1, pair.chain)]
    return signers.SimpleSigner(
        signing_cert=chain[0],
        signing_key=load_private_key_from_pemder_data(pair.key_pem, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


def sign_certificate_pdf(certificate: Certificate, pdf: bytes) -> bytes:
    """The rendered attest with the College's PAdES signature over every byte (no commit).

    The certificate needs its edition's course and organiser loaded (`load_for_rendering`).
    """
    organiser = certificate.edition.course.organiser
    pair = signing_pair(organiser.id)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_PREFIX + certificate.verification_code,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=organiser.name,
        reason=f"Attest {certificate.verification_code}",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    signed = _run(signers.async_sign_pdf(writer, metadata, signer=pdf_signer(pair)))
    return signed.getvalue()


def _run(coroutine):
    """Run one of pyHanko's coroutines to the end from plain code. pyHanko's own blocking
    wrappers call asyncio.run, which fails in a thread whose event loop is already running (a
    process that also drives a browser, for one); there the coroutine runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


# ---- checking an uploaded PDF -----------------------------------------------------------------


class Verdict(enum.Enum):
    VALID = "valid"  # unaltered, signed by the College, the attest is valid
    REVOKED = "revoked"  # unaltered and the College's, but the attest was revoked
    EXPIRED = "expired"  # unaltered and the College's, but the attest is past its last valid day
    UNKNOWN = "unknown"  # unaltered and the College's, but no attest can be shown for it
    ALTERED = "altered"  # the College's signature, but the file changed after signing
    UNSIGNED = "unsigned"  # no signature at all
    FOREIGN = "foreign"  # signed, but not by the College


def _known_fingerprints() -> set[str]:
    return set(db.session.scalars(select(SigningKey.fingerprint)))


def read_upload(data: bytes) -> bytes:
    """The uploaded bytes when they may be a PDF of ours; else Invalid or TooLarge."""
    if not data:
        raise Invalid(_("The file is empty. Choose the attest's PDF file."), field="file")
    if len(data) > MAX_PDF_BYTES:
        raise TooLarge(_("This file is larger than 2 MB, so it is not an attest of the College."),
                       field="file")
    if not data.lstrip()[:5] == b"%PDF-":
        raise Invalid(_("This is not a PDF file. Choose the attest's PDF file."), field="file")
    return data


def check_signature(data: bytes) -> tuple[Verdict, str | None]:
    """VALID and the attest's code when the College signed every byte of this PDF; else why not."""
    data = read_upload(data)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError) as error:
        raise Invalid(_("This PDF file cannot be read. Choose the attest's PDF file as you "
                        "received it."), field="file") from error
    if not signatures:
        return Verdict.UNSIGNED, None
    known = _known_fingerprints()
    ours = [sig for sig in signatures if keys.fingerprint_der(sig.signer_cert.dump()) in known]
    if not ours:
        return Verdict.FOREIGN, None
    if len(signatures) > 1 or not _intact(ours[0]):
        return Verdict.ALTERED, None
    return Verdict.VALID, (ours[0].field_name or "").removeprefix(FIELD_PREFIX) or None


def _intact(signature) -> bool:
    """The signature is sound and covers the whole file: not one byte changed or added since."""
    context = ValidationContext(trust_roots=[signature.signer_cert], allow_fetching=False)
    try:
        status = _run(async_validate_pdf_signature(signature, signer_validation_context=context))
    except (SignatureValidationError, PdfError, ValueError) as error:
        log.info("uploaded PDF: signature does not validate: %s", error)
        return False
    return status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
