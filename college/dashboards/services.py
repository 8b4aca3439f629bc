"""Reading the dashboards' inputs: the period filter and the CSV tables."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _

from college import timeutil
from college.dashboards.queries import OrganiserDashboard, Period
from college.errors import Invalid


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


TABLES = ("reach", "courses", "tracks", "months")


def table(dashboard: OrganiserDashboard, name: str) -> tuple[list[str], list[list[object]]]:
    """One of the coordinator dashboard's tables as a header and rows, for CSV export."""
    if name == "reach":
        header = [_("Stage"), _("Caregivers"), _("Professionals")]
        labels = {"enrolled": _("Enrolled"), "attended": _("Attended at least once"),
                  "completed": _("Completed")}
        rows = [[labels[stage], counts["caregiver"], counts["professional"]]
                for stage, counts in dashboard.reach.items()]
        rows.append([_("New learners"), dashboard.new_learners, ""])
        rows.append([_("Returning learners"), dashboard.returning_learners, ""])
        return header, rows
    if name in ("courses", "tracks"):
        header = [_("Course") if name == "courses" else _("Track"), _("Editions"),
                  _("Enrolments"), _("Fill rate (%)"), _("Waiting list"),
                  _("Attendance rate (%)"), _("Completion rate (%)"), _("Certificates issued")]
        source = dashboard.courses if name == "courses" else [row for _, row in dashboard.tracks]
        track_names = {"caregivers": _("Caregivers"), "professionals": _("Professionals")}
        rows = [[track_names.get(row.title, row.title), row.editions, row.enrolments,
                 row.fill_pct, row.waitlisted, row.attendance_pct, row.completion_pct,
                 row.certificates] for row in source]
        return header, rows
    if name == "months":
        header = [_("Month"), _("Enrolments"), _("Attended"), _("Attendance rate (%)")]
        rows = [[month, enrolments, attended, round(100 * attended / recorded, 1) if recorded else ""]
                for month, enrolments, attended, recorded in dashboard.months]
        return header, rows
    raise KeyError(name)
