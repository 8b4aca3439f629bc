"""Ed25519 keys as Multikey values (base58btc multibase), and loading one from PEM.

Without the database or JSON-LD, so that `college.config` can check a configured key at start-up.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

#: The multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint).
ED25519_PUBLIC = b"\xed\x01"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    """Bitcoin's base58 alphabet, leading zero bytes as "1" (multibase prefix "z" not included)."""
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, rest = divmod(number, 58)
        digits = BASE58[rest] + digits
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + digits


def from_base58btc(text: str) -> bytes:
    """The bytes of a base58btc text; ValueError for a character outside the alphabet."""
    number = 0
    for character in text:
        number = number * 58 + BASE58.index(character)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey form of an Ed25519 public key: "z6Mk..."."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58btc(ED25519_PUBLIC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 key of a Multikey "z6Mk..." value; ValueError when it is not one."""
    if not value.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    data = from_base58btc(value[1:])
    if not data.startswith(ED25519_PUBLIC) or len(data) != 34:
        raise ValueError("not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM; ValueError with a message an operator understands."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (TypeError, ValueError) as error:
        raise ValueError(f"it is not an unencrypted PEM private key ({error})") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("it is not an Ed25519 key (make one with `flask college credential-key`"
                         " or `openssl genpkey -algorithm ed25519`)")
    return key


def private_key_pem(key: Ed25519PrivateKey) -> str:
    """A private key as unencrypted PKCS#8 PEM text."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")
