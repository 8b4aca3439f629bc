"""Reading the coordinator's figures: the period, who may see them, and their CSV tables."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from college import policy, timeutil
from college.accounts.models import Organiser, User
from college.dashboards import cache
from college.dashboards.definitions import (
    FUNNEL,
    ORGANISER_FIGURES,
    RATE_FIGURES,
    definitions,
    label,
)
from college.dashboards.organiser import (
    FIGURE_NAMES,
    KINDS,
    Figures,
    OrganiserDashboard,
    Period,
)
from college.errors import Invalid, NotAllowed, NotFound
from college.extensions import db


def parse_period(start: str | None, end: str | None) -> Period:
    """The period of ?start=YYYY-MM-DD&end=YYYY-MM-DD; default the last twelve months."""
    today = timeutil.today()
    try:
        end_date = date.fromisoformat(end) if end else today
    except ValueError as error:
        raise Invalid(_("The end date is not a valid date. Use the form day/month/year."),
                      field="end") from error
    try:
        start_date = date.fromisoformat(start) if start else end_date - timedelta(days=365)
    except ValueError as error:
        raise Invalid(_("The start date is not a valid date. Use the form day/month/year."),
                      field="start") from error
    if end_date < start_date:
        raise Invalid(_("The end date is before the start date."), field="end")
    if (end_date - start_date).days > 366 * 10:
        raise Invalid(_("Choose a period of at most ten years."), field="start")
    return Period(start_date, end_date)


def organiser_to_report(viewer: User, organiser_id: int) -> Organiser:
    """The organiser whose figures the viewer asks for: its coordinators only."""
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None:
        raise NotFound(_("This organiser does not exist."))
    if not policy.can_manage_organiser(viewer, organiser.id):
        raise NotAllowed(_("Only the organiser's coordinators can see its figures."))
    return organiser


def organiser_figures(viewer: User, organiser_id: int, start: str | None,
                      end: str | None) -> tuple[Organiser, OrganiserDashboard]:
    """The coordinator's figures of a period, for the page, its CSV tables, the PDF and the API
    (kept in Redis until a change they count: `college.dashboards.cache`)."""
    organiser = organiser_to_report(viewer, organiser_id)
    return organiser, cache.organiser_figures(organiser.id, parse_period(start, end))


TABLES = ("reach", "courses", "tracks", "months", "definitions")


def _rate_label(key: str) -> str:
    return f"{label(key)} (%)"


def _figure_cells(figures: Figures) -> list[object]:
    rates = [getattr(figures, key) for key in RATE_FIGURES]
    return [getattr(figures, key) for key in FIGURE_NAMES] + ["" if r is None else r for r in rates]


def table(dashboard: OrganiserDashboard, name: str) -> tuple[list[str], list[list[object]]]:
    """One of the coordinator dashboard's tables as a header and rows, for CSV export.

    The headers are the figures' labels; the "definitions" table says what each one counts.
    """
    if name == "reach":
        header = [_("Stage"), _("Caregivers"), _("Professionals")]
        rows = [[label(stage)] + [dashboard.reach[stage][kind] for kind in KINDS]
                for stage in FUNNEL]
        rows.append([label("new_learners"), dashboard.new_learners, ""])
        rows.append([label("returning_learners"), dashboard.returning_learners, ""])
        return header, rows
    figure_header = [label(key) for key in FIGURE_NAMES] + [_rate_label(key) for key in RATE_FIGURES]
    if name == "courses":
        rows = [[row.title, *_figure_cells(row.figures)] for row in dashboard.courses]
        rows.append([_("Total"), *_figure_cells(dashboard.total)])
        return [_("Course"), *figure_header], rows
    if name == "tracks":
        names = {"caregivers": _("Caregivers"), "professionals": _("Professionals")}
        rows = [[names[track], *_figure_cells(figures)] for track, figures in dashboard.tracks]
        return [label("track"), *figure_header], rows
    if name == "months":
        rows = [[month, *_figure_cells(figures)] for month, figures in dashboard.months]
        rows.append([_("Total"), *_figure_cells(dashboard.total)])
        return [label("month"), *figure_header], rows
    if name == "definitions":
        return [_("Figure"), _("Key"), _("How we count")], [
            [figure_label, key, text] for key, figure_label, text in definitions(ORGANISER_FIGURES)
        ]
    raise KeyError(name)
