"""Participant lists by file: a preview of every row, then the import (the organiser's coordinators).

The file is sent again to import it; a list sent twice enrols nobody twice (every row names an
email address or a phone number, so the second time finds the accounts and their enrolments).
"""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from college.api import auth
from college.api.core import Blueprint
from college.catalogue import queries
from college.enrolment import imports

blp = Blueprint("api_imports", __name__, url_prefix="/api/v1",
                description="Participant lists uploaded as CSV or XLSX, checked before import.")


class ImportFileSchema(ma.Schema):
    """The list: a CSV or XLSX file whose first row names the columns."""

    file = Upload(required=True, metadata={
        "description": "Columns naam/name, e-mail/email, telefoon/phone, soort/kind "
                       "(mantelzorger or zorgprofessional); at most 500 rows and 1 MB."})


class ImportRowSchema(ma.Schema):
    """One row of the file and what happens to it."""

    line = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    phone = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    outcome = ma.fields.Enum(imports.Outcome, by_value=True, required=True)
    reason = ma.fields.String(required=True, metadata={"description": "Why a row is not used."})


class ImportPreviewSchema(ma.Schema):
    """What importing the file will do; nothing is saved."""

    rows = ma.fields.List(ma.fields.Nested(ImportRowSchema), required=True)
    ignored_columns = ma.fields.List(ma.fields.String(), required=True)


class ImportResultSchema(ma.Schema):
    """What the import did."""

    enrolled = ma.fields.List(ma.fields.String(), required=True)
    waitlisted = ma.fields.List(ma.fields.String(), required=True)
    refused = ma.fields.List(ma.fields.Nested(ImportRowSchema), required=True)


def _rows(edition_id: int, data: dict):
    edition = queries.visible_edition(edition_id, auth.current_user())
    imports.check_may_import(auth.current_user(), edition)
    upload = data["file"]
    rows, ignored = imports.read_file(upload.filename or "", upload.read(imports.MAX_BYTES + 1))
    return edition, rows, ignored


@blp.post("/editions/<id:edition_id>/imports/preview")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(ImportFileSchema, location="files")
@blp.response(200, ImportPreviewSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def preview_import(data: dict, edition_id: int):
    """Check a participant list row by row; nothing is saved."""
    edition, rows, ignored = _rows(edition_id, data)
    plan = imports.plan_import(auth.current_user(), edition, rows)
    return {"rows": plan.rows, "ignored_columns": ignored}


@blp.post("/editions/<id:edition_id>/imports")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(ImportFileSchema, location="files")
@blp.response(201, ImportResultSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def run_import(data: dict, edition_id: int):
    """Create the accounts (managed where there is no email) and enrol the usable rows."""
    edition, rows, _ignored = _rows(edition_id, data)
    return imports.run_import(auth.current_user(), edition, rows)
