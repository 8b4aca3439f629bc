"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C), and Multikey encoding.

A proof signs, with Ed25519, the SHA-256 of the RDF-canonical (RDFC-1.0, alias URDNA2015) proof
options followed by that of the canonical credential, exactly as the cryptosuite specifies; any
conforming verifier (tests/credentials/verify.mjs runs one) can check it.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from college.credentials.contexts import document_loader
from college.credentials.multikey import base58btc, from_base58btc

CRYPTOSUITE = "eddsa-rdfc-2022"
def canonical(document: dict) -> str:
    """The document as canonical N-Quads (RDFC-1.0), with the bundled contexts only."""
    return jsonld.normalize(document, {
        "algorithm": "URDNA2015", "format": "application/n-quads",
        "documentLoader": document_loader, "safe": True,
    })


def _hash_data(document: dict, proof_options: dict) -> bytes:
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof_options.items() if key != "proofValue"}
    options["@context"] = unsigned["@context"]
    return (hashlib.sha256(canonical(options).encode()).digest()
            + hashlib.sha256(canonical(unsigned).encode()).digest())


def sign(document: dict, key: Ed25519PrivateKey, verification_method: str,
         created: datetime) -> dict:
    """A copy of the document with an eddsa-rdfc-2022 proof for the assertion purpose."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signed = copy.deepcopy(document)
    proof["proofValue"] = "z" + base58btc(key.sign(_hash_data(signed, proof)))
    signed["proof"] = proof
    return signed


def verify(document: dict, public_key: Ed25519PublicKey) -> bool:
    """Whether the document's eddsa-rdfc-2022 proof was made by this key over these very contents."""
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    value = proof.get("proofValue", "")
    try:
        signature = from_base58btc(value[1:]) if value.startswith("z") else b""
        public_key.verify(signature, _hash_data(document, proof))
    except (InvalidSignature, ValueError):
        return False
    return True
