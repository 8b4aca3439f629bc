"""Digital credentials: an issued certificate as a signed Open Badges 3.0 credential."""

from __future__ import annotations

import json

from flask import Response

from college.api import auth
from college.api.core import Blueprint
from college.credentials import services

blp = Blueprint("api_credentials", __name__, url_prefix="/api/v1",
                description="Open Badges 3.0 credentials of issued certificates.")

CREDENTIAL = {
    "type": "object",
    "description": "A W3C Verifiable Credential (OpenBadgeCredential) with an eddsa-rdfc-2022 "
                   "Data Integrity proof. Its issuer, achievement, key and status list are at "
                   "the public addresses it names under /credentials/.",
}


@blp.get("/certificates/<id:certificate_id>/credential")
@blp.login_required
@blp.response(200, CREDENTIAL, content_type="application/json",
              description="The signed credential, to add to a wallet.")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def certificate_credential(certificate_id: int):
    """An issued certificate as an Open Badges 3.0 credential (its learner and its coordinators)."""
    _, credential = services.certificate_credential(auth.current_user(), certificate_id)
    response = Response(json.dumps(credential, ensure_ascii=False), mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store"
    return response
