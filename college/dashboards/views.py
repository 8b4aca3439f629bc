"""Dashboard pages, their CSV tables and the PDF report."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from college import timeutil
from college.certificates.models import CertificateStatus
from college.dashboards import charts, definitions, services
from college.dashboards.edition import edition_dashboard
from college.errors import Invalid
from college.evaluation import figures_cache, reports
from college.evaluation.burden import burden_report
from college.exports import csv_response
from college.pdf import render_pdf
from college.respite.figures import kept_respite_figures, respite_table

bp = Blueprint("dashboards", __name__)


CERTIFICATE_LABELS = {
    CertificateStatus.QUEUED: _l("being prepared"),
    CertificateStatus.ISSUED: _l("issued"),
    CertificateStatus.FAILED: _l("failed"),
    CertificateStatus.REVOKED: _l("revoked"),
}


def _certificate_labels() -> dict:
    labels = {status: str(label) for status, label in CERTIFICATE_LABELS.items()}
    labels[None] = "–"
    return labels


@bp.context_processor
def dashboard_helpers():
    return {
        "bar_chart": charts.bar_chart,
        "paired_bar_chart": charts.paired_bar_chart,
        # Plain strings, translated once per request rather than once per row.
        "certificate_label": _certificate_labels().get,
        "roster_url": lambda session_id: url_for("attendance.roster", session_id=session_id),
        # What each figure means, from the one registry (labels and "How we count").
        "figure_label": definitions.label,
        "figure_definitions": definitions.definitions,
        "table_figures": definitions.TABLE_FIGURES,
        "rate_figures": definitions.RATE_FIGURES,
        "funnel_stages": definitions.FUNNEL,
        "edition_funnel": definitions.EDITION_FUNNEL,
    }


@bp.get("/editions/<int:edition_id>/dashboard")
@login_required
def edition(edition_id: int):
    """The trainer's dashboard of one edition: seats, attendance, learning, completion."""
    return render_template("dashboards/edition.html", d=edition_dashboard(edition_id, current_user))


def _figures(organiser_id: int):
    """The organiser and the figures of the period in the query string."""
    return services.organiser_figures(current_user, organiser_id, request.args.get("start"),
                                      request.args.get("end"))


@bp.get("/organisers/<int:organiser_id>/dashboard")
@login_required
def organiser(organiser_id: int):
    """The coordinator's figures of a period's cohort: funnel, reach, courses, tracks, months."""
    try:
        organiser, dashboard = _figures(organiser_id)
    except Invalid as error:
        return render_template(
            "dashboards/organiser.html",
            organiser=services.organiser_to_report(current_user, organiser_id), d=None,
            error=error, error_anchor=error.field or "start",
            start=request.args.get("start", ""), end=request.args.get("end", ""),
        ), 400
    start, end = dashboard.period.start.isoformat(), dashboard.period.end.isoformat()
    return render_template(
        "dashboards/organiser.html", organiser=organiser, d=dashboard, error=None,
        start=start, end=end, respite_rows=kept_respite_figures(organiser.id, dashboard.period),
        csv=lambda name: url_for("dashboards.organiser_csv", organiser_id=organiser.id,
                                 name=name, start=start, end=end),
        evaluation=_evaluation(organiser.id, dashboard),
    )


# ---------------------------------------------- evaluation and burden figures (issue 19)
#: Their one home is college/evaluation/reports.py: the dashboard shows that report, summarised.

EVALUATION_TABLE = "evaluation"


def _evaluation(organiser_id: int, dashboard) -> reports.DashboardEvaluation:
    """The evaluation and burden figures of the dashboard's period (kept until a change)."""
    return figures_cache.kept_dashboard_evaluation(current_user, organiser_id, dashboard.period)


def _evaluation_csv(organiser_id: int):
    """The dashboard's evaluation table: the evaluation report's rows without open answers."""
    try:
        organiser, dashboard = _figures(organiser_id)
    except Invalid as error:
        return make_response(error.message, 400)
    start, end = dashboard.period.start.isoformat(), dashboard.period.end.isoformat()
    header, rows = reports.report_rows(
        reports.evaluation_report(current_user, organiser.id, start, end),
        burden_report(current_user, organiser.id, start, end), open_answers=False)
    period = f"{dashboard.period.start.isoformat()}_{dashboard.period.end.isoformat()}"
    return csv_response(f"{organiser.slug}-{CSV_NAMES[EVALUATION_TABLE]}-{period}.csv", header, rows)


#: The dashboard's tables as their downloads are named, in the reader's language.
CSV_NAMES = {
    "reach": _l("reach"), "courses": _l("trainings"), "tracks": _l("tracks"),
    "months": _l("months"), "definitions": _l("definitions"), "respite": _l("respite"),
    EVALUATION_TABLE: _l("evaluation"),
}


@bp.get("/organisers/<int:organiser_id>/dashboard/<name>.csv")
@login_required
def organiser_csv(organiser_id: int, name: str):
    """One table of the coordinator's dashboard as CSV for the policy report."""
    if name == EVALUATION_TABLE:
        return _evaluation_csv(organiser_id)
    if name not in (*services.TABLES, "respite"):
        abort(404)
    try:
        organiser, dashboard = _figures(organiser_id)
    except Invalid as error:
        return make_response(error.message, 400)
    if name == "respite":
        header, rows = respite_table(kept_respite_figures(organiser.id, dashboard.period))
    else:
        header, rows = services.table(dashboard, name)
    period = f"{dashboard.period.start.isoformat()}_{dashboard.period.end.isoformat()}"
    return csv_response(f"{organiser.slug}-{CSV_NAMES[name]}-{period}.csv", header, rows)


@bp.get("/organisers/<int:organiser_id>/dashboard/report.pdf")
@login_required
def organiser_pdf(organiser_id: int):
    """The whole coordinator dashboard as a PDF report, charts included."""
    try:
        organiser, dashboard = _figures(organiser_id)
    except Invalid as error:
        return make_response(error.message, 400)
    pdf = render_pdf(
        "dashboards/report.html",
        title=_("Figures of %(organiser)s", organiser=organiser.name),
        author=organiser.name,
        language=str(get_locale() or "nl"),
        organiser=organiser,
        d=dashboard,
        respite_rows=kept_respite_figures(organiser.id, dashboard.period),
        csv=None,
        generated_at=timeutil.now(),
        evaluation=_evaluation(organiser.id, dashboard),
    )
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        'attachment; filename="{}"'.format(_("%(organiser)s-report.pdf", organiser=organiser.slug))
    )
    return response
