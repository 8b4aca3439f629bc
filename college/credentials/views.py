"""Digital credentials: the learner's download, and the public documents verifiers read."""

from __future__ import annotations

import json

from flask import Blueprint, Response
from flask_babel import gettext as _
from flask_login import current_user, login_required

from college.credentials import services

bp = Blueprint("credentials", __name__)

#: JSON-LD, so verifiers and wallets read the documents as linked data.
LINKED_DATA = "application/ld+json"


def _public(document: dict) -> Response:
    """A public document any verifier (also a web page elsewhere) may read."""
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype=LINKED_DATA)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/credentials/issuer")
def issuer():
    """The College's issuer profile, with the keys that sign its credentials."""
    return _public(services.issuer_profile())


@bp.get("/credentials/keys/<int:key_id>")
def key(key_id: int):
    """A signing key as a Multikey verification method."""
    return _public(services.key_document(key_id))


@bp.get("/credentials/achievements/<int:course_id>")
def achievement(course_id: int):
    """A training as an Open Badges achievement."""
    return _public(services.achievement(course_id))


@bp.get("/credentials/status/<int:list_number>")
def status_list(list_number: int):
    """A Bitstring Status List: which credentials are revoked, as of now."""
    return _public(services.status_list(list_number))


@bp.get("/certificates/<int:certificate_id>/credential")
@login_required
def download(certificate_id: int):
    """The certificate as a signed Open Badges 3.0 credential, to add to a wallet."""
    certificate, credential = services.certificate_credential(current_user, certificate_id)
    response = Response(json.dumps(credential, ensure_ascii=False, indent=2),
                        mimetype="application/json")
    filename = _("open-badge-%(code)s.json", code=certificate.verification_code)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
