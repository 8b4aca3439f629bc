"""A region's figures as downloads (CSV tables and the PDF report), one home for the page and
the API: the same service, the same rows, the same file names."""

from __future__ import annotations

from flask import Response
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from college import timeutil
from college.dashboards import definitions
from college.dashboards.disclosure import MIN_GROUP_SIZE
from college.exports import csv_response
from college.pdf import render_pdf
from college.regions import services

#: The region's tables as their downloads are named, in the reader's language.
CSV_NAMES = {"members": _l("members"), "reach": _l("reach"), "evaluation": _l("evaluation"),
             "respite": _l("respite"), "definitions": _l("definitions")}


def figure_helpers() -> dict:
    """What the region's figure templates (page and PDF) use to name and explain figures."""
    return {
        "figure_label": definitions.label,
        "figure_definitions": definitions.definitions,
        "table_figures": definitions.TABLE_FIGURES,
        "rate_figures": (*definitions.RATE_FIGURES, "evaluation_response_rate",
                         *services.RESPITE_RATES),
        "evaluation_figures": services.EVALUATION_FIGURES,
        "respite_figures": services.RESPITE_FIGURES,
        "funnel_stages": definitions.FUNNEL,
        "withheld_text": services.withheld_text,
        "min_group_size": MIN_GROUP_SIZE,
    }


def figures_csv(report: services.RegionReport, name: str) -> Response:
    """One table of the region's figures as a CSV download (`name` one of services.TABLES)."""
    header, rows = services.table(report, name)
    period = f"{report.period.start.isoformat()}_{report.period.end.isoformat()}"
    return csv_response(f"{report.region.slug}-{CSV_NAMES[name]}-{period}.csv", header, rows)


def figures_pdf(report: services.RegionReport) -> Response:
    """The region's figures as a PDF report download."""
    pdf = render_pdf(
        "regions/report.html",
        title=_("Figures of %(region)s", region=report.region.name),
        author=report.region.name,
        language=str(get_locale() or "nl"),
        r=report,
        csv=None,
        generated_at=timeutil.now(),
        **figure_helpers(),
    )
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="{}"'.format(
            _("%(region)s-report.pdf", region=report.region.slug))})
