"""A region's pages for its regional coordinators: their regions, the figures, CSV and PDF."""

from __future__ import annotations

from flask import Blueprint, abort, g, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from college import policy, timeutil
from college.dashboards import definitions
from college.errors import Invalid
from college.exports import csv_response
from college.pdf import render_pdf
from college.regions import services

bp = Blueprint("regions", __name__)


def _coordinated_regions(user) -> list:
    """The menu's regions of the user, asked once per request (the menu is drawn twice)."""
    if "coordinated_regions" not in g:
        g.coordinated_regions = services.regions_of(user)
    return g.coordinated_regions


@bp.app_context_processor
def region_helpers():
    # Called by the menu only for someone logged in.
    return {"coordinated_regions": _coordinated_regions}


@bp.context_processor
def figure_helpers():
    return {
        "figure_label": definitions.label,
        "figure_definitions": definitions.definitions,
        "table_figures": definitions.TABLE_FIGURES,
        "rate_figures": definitions.RATE_FIGURES,
        "funnel_stages": definitions.FUNNEL,
        "withheld_text": services.withheld_text,
        "min_group_size": services.MIN_GROUP_SIZE,
    }


@bp.get("/regions")
@login_required
def index():
    """The regions the regional coordinator reads the figures of."""
    policy.require(policy.is_regional_coordinator(current_user))
    return render_template("regions/index.html", regions=services.regions_of(current_user))


def _report(region_id: int):
    return services.region_report(current_user, region_id, request.args.get("start"),
                                  request.args.get("end"))


@bp.get("/regions/<int:region_id>/figures")
@login_required
def figures(region_id: int):
    """The members' figures side by side and the region's total, for a period."""
    try:
        report = _report(region_id)
    except Invalid as error:
        return render_template(
            "regions/figures.html", region=services.region_to_report(current_user, region_id),
            r=None, error=error, start=request.args.get("start", ""),
            end=request.args.get("end", ""),
        ), error.status
    start, end = report.period.start.isoformat(), report.period.end.isoformat()
    return render_template(
        "regions/figures.html", region=report.region, r=report, error=None, start=start, end=end,
        csv=lambda name: url_for("regions.figures_csv", region_id=region_id, name=name,
                                 start=start, end=end),
    )


#: The region's tables as their downloads are named, in the reader's language.
CSV_NAMES = {"members": _l("members"), "reach": _l("reach"), "definitions": _l("definitions")}


@bp.get("/regions/<int:region_id>/figures/<name>.csv")
@login_required
def figures_csv(region_id: int, name: str):
    """One table of the region's figures as CSV for the policy report."""
    if name not in services.TABLES:
        abort(404)
    try:
        report = _report(region_id)
    except Invalid as error:
        return make_response(error.message, error.status)
    header, rows = services.table(report, name)
    period = f"{report.period.start.isoformat()}_{report.period.end.isoformat()}"
    return csv_response(f"{report.region.slug}-{CSV_NAMES[name]}-{period}.csv", header, rows)


@bp.get("/regions/<int:region_id>/figures/report.pdf")
@login_required
def figures_pdf(region_id: int):
    """The region's figures as a PDF report."""
    try:
        report = _report(region_id)
    except Invalid as error:
        return make_response(error.message, error.status)
    pdf = render_pdf(
        "regions/report.html",
        title=_("Figures of %(region)s", region=report.region.name),
        author=report.region.name,
        language=str(get_locale() or "nl"),
        r=report,
        csv=None,
        generated_at=timeutil.now(),
    )
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'attachment; filename="{}"'.format(
        _("%(region)s-report.pdf", region=report.region.slug))
    return response
