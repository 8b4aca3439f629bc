"""The JSON-LD contexts credentials use, bundled in the package: nothing is fetched from the network.

Signing and checking a Data Integrity proof canonicalises the credential as RDF, which needs
every context it names. A context the College does not ship is refused, never downloaded.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pyld.jsonld import JsonLdError

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

FILES = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OPEN_BADGES_V3: "ob-v3p0-3.0.3.json",
    MULTIKEY_V1: "multikey-v1.jsonld",
}

FOLDER = Path(__file__).parent / "contexts"


@cache
def context(url: str) -> dict:
    """The bundled context at this address (KeyError when the College does not ship it)."""
    return json.loads((FOLDER / FILES[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld's document loader over the bundled contexts; any other address is an error."""
    if url not in FILES:
        raise JsonLdError(f"The context {url} is not bundled with the College.",
                          "jsonld.LoadDocumentError", code="loading document failed")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": context(url)}
