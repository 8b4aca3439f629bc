"""Coordinators' page to import a participant list: upload, check every row, then enrol."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from college import policy
from college.catalogue.models import Edition
from college.enrolment import imports
from college.enrolment.forms import ImportConfirmForm, ImportUploadForm
from college.errors import Invalid, ServiceError
from college.extensions import db
from college.forms import attach_error

bp = Blueprint("enrolment_import", __name__)

#: How long a preview can be confirmed.
PREVIEW_SECONDS = 3600


def _edition(edition_id: int) -> Edition:
    edition = db.session.scalar(select(Edition).where(Edition.id == edition_id)
                                .options(selectinload(Edition.course)))
    if edition is None:
        abort(404)
    policy.require(policy.can_manage_course(current_user, edition.course))
    return edition


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="participant-import")


def _sign(edition: Edition, plan: imports.Plan) -> str:
    """The previewed rows, signed for this edition and coordinator: what confirming enrols."""
    return _signer().dumps({"edition": edition.id, "by": current_user.id,
                            "rows": [row.as_dict() for row in plan.rows]})


def _signed_rows(edition: Edition, token: str) -> list[dict]:
    try:
        sent = _signer().loads(token, max_age=PREVIEW_SECONDS)
    except BadSignature as error:  # SignatureExpired is a BadSignature
        raise Invalid(_("This check is more than an hour old or was changed. Upload the file "
                        "again.")) from error
    if sent.get("edition") != edition.id or sent.get("by") != current_user.id:
        raise Invalid(_("This check belongs to another list. Upload the file again."))
    return sent["rows"]


def _page(edition: Edition, form: ImportUploadForm, status: int = 200, **context):
    return render_template("enrolment/import.html", edition=edition, course=edition.course,
                           form=form, **context), status


@bp.route("/editions/<int:edition_id>/import", methods=["GET", "POST"])
@login_required
def import_participants(edition_id: int):
    """Upload a list; every row is checked and shown, and nothing is saved yet."""
    edition = _edition(edition_id)
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _page(edition, form, 422 if form.is_submitted() else 200)
    try:
        upload = form.file.data
        rows, ignored = imports.read_file(upload.filename or "",
                                          upload.read(imports.MAX_BYTES + 1))
        plan = imports.plan_import(current_user, edition, rows)
    except ServiceError as error:
        attach_error(form, error)
        return _page(edition, form, error.status)
    confirm = ImportConfirmForm(rows=_sign(edition, plan))
    return _page(edition, form, plan=plan, ignored=ignored, confirm=confirm, outcomes=imports.Outcome)


@bp.post("/editions/<int:edition_id>/import/confirm")
@login_required
def confirm_import(edition_id: int):
    """Enrol the checked list: new accounts are created, everyone by the usual rules."""
    edition = _edition(edition_id)
    confirm = ImportConfirmForm()
    try:
        if not confirm.validate_on_submit():
            raise Invalid(_("Upload the file again."))
        result = imports.run_import(current_user, edition, _signed_rows(edition, confirm.rows.data))
    except ServiceError as error:
        form = ImportUploadForm()
        form.file.errors = [error.message]
        return _page(edition, form, error.status)
    return render_template("enrolment/import_done.html", edition=edition, course=edition.course,
                           result=result)
