"""The API's resources: one module per resource, each exposing its flask-smorest `blp`.

Adding a resource (say enrolments):
1. `college/api/resources/enrolments.py`: `blp = Blueprint("api_enrolments", __name__,
   url_prefix="/api/v1")` from `college.api.core`, with marshmallow schemas for what goes in
   and out (ids as `id_field()`, times as `AwareDateTime`, lists via `pagination.page_schema`).
2. Each view: `@blp.post("/editions/<id:edition_id>/enrolments")`, then `@blp.login_required`
   when it needs a token, `@blp.arguments(InSchema)`, `@blp.response(201, OutSchema)`; the body
   gets the user from `auth.current_user()`, asks `college.policy`, calls the feature's service.
3. Do not catch `ServiceError`: the blueprint turns it (and every abort) into problem+json.
4. Add `enrolments.blp` to RESOURCES below.
5. Add a row per new route to MATRIX in tests/api/test_authorisation_matrix.py (the test fails
   until you do); schemathesis then checks the new operations against the document.
"""

from college.api.resources import accounts, courses, tokens

from . import (
    accreditation,
    attendance,
    certificate_designs,
    certificates,
    credentials,
    dashboards,
    editions,
    enrolments,
    evaluations,
    imports,
    modules,
    municipalities,
    offers,
    organisers,
    questions,
    quizzes,
    referrals,
    regions,
    repeats,
    respite,
)

RESOURCES = [tokens.blp, accounts.blp, organisers.blp, courses.blp]
RESOURCES += [editions.blp, repeats.blp, enrolments.blp, imports.blp, attendance.blp, dashboards.blp]
RESOURCES += [modules.blp, quizzes.blp, certificates.blp, certificate_designs.blp]
RESOURCES += [offers.blp]
RESOURCES += [accreditation.blp]
RESOURCES += [evaluations.blp]
RESOURCES += [questions.blp]
RESOURCES += [regions.blp, municipalities.blp, referrals.blp]
RESOURCES += [respite.blp]
RESOURCES += [credentials.blp]
