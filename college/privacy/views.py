"""Privacy pages: my data, its download, deleting my account, who looked at my data."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from college.accounts.models import User
from college.errors import ServiceError
from college.extensions import db
from college.forms import ConfirmForm, attach_error, safe_next
from college.privacy import notice, services
from college.privacy.access import context_label
from college.privacy.forms import ConsentForm, DeleteAccountForm, ExportForm
from college.privacy.models import DataExport

bp = Blueprint("privacy", __name__)

#: Pages open to someone who has not agreed to the current notice yet: the notice, their
#: data (to download it or delete the account instead), logging out, and the plumbing.
CONSENT_FREE = {
    "static", "privacy.notice", "privacy.consent", "privacy.my_data", "privacy.request_export",
    "privacy.download_export", "privacy.delete_account", "accounts.logout",
    "main.switch_language", "main.liveness", "main.readiness",
}


@bp.before_app_request
def ask_consent_first():
    """Someone logged in who has not agreed to the current privacy notice reads it first."""
    if request.endpoint is None or request.endpoint in CONSENT_FREE or request.path.startswith("/api/"):
        return None
    if not notice.needs_consent(current_user):
        return None
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("privacy.consent", next=back) if back else url_for("privacy.consent"))


@bp.get("/privacy", endpoint="notice")
def notice_page():
    """The privacy notice of this installation (who, what, why, how long, rights, contact)."""
    return render_template("privacy/notice.html", facts=notice.facts())


@bp.route("/privacy/consent", methods=["GET", "POST"])
@login_required
def consent():
    """Agree to the current privacy notice (at registration, and after it changed)."""
    if request.method == "GET" and not notice.needs_consent(current_user):
        return redirect(safe_next())
    form = ConsentForm()
    if form.validate_on_submit():
        notice.record_consent(current_user)
        flash(_("Thank you. You agreed to version %(version)s of the privacy notice.",
                version=notice.current_version()), "success")
        return redirect(safe_next())
    status = 422 if form.is_submitted() else 200
    return render_template("privacy/consent.html", form=form, facts=notice.facts()), status


def _page(delete_form: DeleteAccountForm, status: int = 200):
    return render_template(
        "privacy/my_data.html",
        access_context_label=context_label,
        exports=services.exports_of(current_user),
        log=services.access_log(current_user),
        delete_form=delete_form,
        export_form=ExportForm(formdata=None),
    ), status


@bp.get("/account/privacy")
@login_required
def my_data():
    """My data: download it, delete the account, see who looked at it."""
    return _page(DeleteAccountForm())


@bp.post("/account/privacy/export")
@login_required
def request_export():
    """Ask for a ZIP of all my data, built in the background."""
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        form.create_once(DataExport, lambda: services.request_export(current_user))
    except ServiceError as error:
        flash(error.message, "warning")
        return redirect(url_for("privacy.my_data")), 303
    flash(_("Your download is being prepared. Reload this page in a moment."), "success")
    return redirect(url_for("privacy.my_data")), 303


@bp.get("/account/privacy/exports/<int:export_id>.zip")
@login_required
def download_export(export_id: int):
    """Download one of my data exports."""
    try:
        content = services.export_file(current_user, export_id)
    except ServiceError:
        abort(404)
    if content is None:  # the row says ready but its file is gone: nothing to hand out
        abort(404)
    response = make_response(content)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = 'attachment; filename="{}"'.format(
        _("my-data-%(id)s.zip", id=export_id))
    return response


@bp.post("/account/delete")
@login_required
def delete_account():
    """Delete my account: my personal data is removed, anonymous figures remain."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_own_account(current_user, form.password.data)
        except ServiceError as error:
            attach_error(form, error)
            return _page(form, error.status)
        logout_user()
        session.clear()
        flash(_("Your account has been deleted. Thank you for taking part."), "success")
        return redirect(url_for("main.index"))
    return _page(form, 422)


@bp.route("/organisers/<int:organiser_id>/people/<int:user_id>/delete", methods=["GET", "POST"])
@login_required
def delete_managed(organiser_id: int, user_id: int):
    """Say what deleting a managed account means; delete it when confirmed on that page."""
    form = ConfirmForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    learner = db.session.get(User, user_id)
    if (learner is None or learner.managed_by_organiser_id != organiser_id
            or learner.anonymised_at is not None):
        abort(404)
    try:
        if not form.is_confirmed():
            services.check_may_delete_managed(current_user, learner)
            return render_template("privacy/delete_managed.html", learner=learner,
                                   organiser_id=organiser_id, form=ConfirmForm(formdata=None))
        services.delete_managed_account(current_user, learner)
    except ServiceError:
        abort(403)
    flash(_("The account and its personal data have been deleted."), "success")
    return redirect(url_for("accounts.people", organiser_id=organiser_id))
