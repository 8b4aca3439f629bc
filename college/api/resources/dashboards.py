"""The dashboards as numbers: an edition's (its trainers) and an organiser's figures (coordinators).

Each document carries the definitions of its figures, from the same registry as the pages.
"""

from __future__ import annotations

import marshmallow as ma

from college.api import auth
from college.api.core import Blueprint, Boolean
from college.dashboards import services
from college.dashboards.definitions import (
    EDITION_FUNNEL,
    ORGANISER_FIGURES,
    RATE_FIGURES,
    definitions,
)
from college.dashboards.edition import edition_dashboard
from college.dashboards.organiser import FIGURE_NAMES, Figures

blp = Blueprint("api_dashboards", __name__, url_prefix="/api/v1",
                description="How an edition is going, and an organiser's figures for a period.")


class DefinitionSchema(ma.Schema):
    """What one figure counts, in the request's language."""

    key = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    definition = ma.fields.String(required=True)


def _definitions(keys) -> list[dict]:
    return [{"key": key, "label": label, "definition": text}
            for key, label, text in definitions(keys)]


class DashboardSessionSchema(ma.Schema):
    """A session's attendance: those present or late out of those recorded (excused left out)."""

    id = ma.fields.Integer(required=True)
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    room = ma.fields.String(required=True)
    attended = ma.fields.Integer(required=True)
    recorded = ma.fields.Integer(required=True)
    rate_pct = ma.fields.Float(required=True, allow_none=True)


class QuizSummarySchema(ma.Schema):
    """The quiz attempts of the edition's learners."""

    attempts = ma.fields.Integer(required=True)
    pass_rate = ma.fields.Float(required=True, allow_none=True, metadata={"description": "Percent."})
    mean_score_pct = ma.fields.Float(required=True, allow_none=True)


class FunnelStepSchema(ma.Schema):
    """Learners at one step towards the certificate; each step is a part of the one before."""

    key = ma.fields.String(required=True, metadata={"enum": list(EDITION_FUNNEL)})
    learners = ma.fields.Integer(required=True)


class DashboardSchema(ma.Schema):
    """An edition's numbers; rates are percentages, null while nothing is recorded."""

    edition_id = ma.fields.Integer(required=True)
    capacity = ma.fields.Integer(required=True)
    enrolled = ma.fields.Integer(required=True)
    waitlisted = ma.fields.Integer(required=True)
    attendance_rate = ma.fields.Float(required=True, allow_none=True)
    sessions = ma.fields.List(ma.fields.Nested(DashboardSessionSchema), required=True)
    quiz = ma.fields.Nested(QuizSummarySchema, required=True)
    completed = ma.fields.Integer(required=True)
    certificates_issued = ma.fields.Integer(required=True)
    funnel = ma.fields.List(ma.fields.Nested(FunnelStepSchema), required=True, metadata={
        "description": "Attended enough, modules done and quiz passed are the completion "
                       "rule's own answers."})
    definitions = ma.fields.List(ma.fields.Nested(DefinitionSchema), required=True)


@blp.get("/editions/<id:edition_id>/dashboard")
@blp.login_required
@blp.response(200, DashboardSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_dashboard(edition_id: int):
    """An edition's dashboard (its trainers and the organiser's coordinators); logged as a view."""
    dashboard = edition_dashboard(edition_id, auth.current_user())
    return {
        "edition_id": edition_id,
        "capacity": dashboard.edition.capacity,
        "enrolled": dashboard.enrolled,
        "waitlisted": dashboard.waitlisted,
        "attendance_rate": dashboard.attendance_rate,
        "sessions": dashboard.sessions,
        "quiz": {"attempts": dashboard.quiz_attempts, "pass_rate": dashboard.quiz_pass_rate,
                 "mean_score_pct": dashboard.quiz_mean_score},
        "completed": dashboard.completed,
        "certificates_issued": dashboard.certificates_issued,
        "funnel": [{"key": key, "learners": count} for key, count in dashboard.funnel],
        "definitions": _definitions(EDITION_FUNNEL),
    }


_DAY_OR_EMPTY = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"


class PeriodArgsSchema(ma.Schema):
    """The period: editions whose first day falls in it, both days included."""

    # Not `format: date`: empty means "the default", as in the Figures page's form.
    start = ma.fields.String(metadata={"pattern": _DAY_OR_EMPTY, "description": (
        "YYYY-MM-DD; left out or empty: a year before the end.")})
    end = ma.fields.String(metadata={"pattern": _DAY_OR_EMPTY, "description": (
        "YYYY-MM-DD; left out or empty: today.")})


class FiguresSchema(ma.Schema):
    """The figures of a cohort or of a part of it; rates are percentages, null when nothing counts.

    Each stage is a part of the one before: enrolled >= took_part >= completed >= certified.
    The document's `definitions` say what each figure counts.
    """

    editions = ma.fields.Integer(required=True)
    capacity = ma.fields.Integer(required=True)
    seats_taken = ma.fields.Integer(required=True)
    waitlisted = ma.fields.Integer(required=True)
    enrolled = ma.fields.Integer(required=True)
    took_part = ma.fields.Integer(required=True)
    completed = ma.fields.Integer(required=True)
    certified = ma.fields.Integer(required=True)
    attended_marks = ma.fields.Integer(required=True)
    recorded_marks = ma.fields.Integer(required=True)
    fill_rate = ma.fields.Float(required=True, allow_none=True)
    attendance_rate = ma.fields.Float(required=True, allow_none=True)
    completion_rate = ma.fields.Float(required=True, allow_none=True)


class CourseFiguresSchema(ma.Schema):
    """A course with at least one edition in the period, and its figures."""

    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    open_to_caregivers = Boolean(required=True)
    open_to_professionals = Boolean(required=True)
    figures = ma.fields.Nested(FiguresSchema, required=True)


class TrackFiguresSchema(ma.Schema):
    """A track's figures: its courses' added up (a course open to both counts in both)."""

    track = ma.fields.String(required=True, metadata={"enum": ["caregivers", "professionals"]})
    figures = ma.fields.Nested(FiguresSchema, required=True)


class MonthFiguresSchema(ma.Schema):
    """The figures of the editions whose first day falls in this month."""

    month = ma.fields.String(required=True, metadata={"example": "2026-03"})
    figures = ma.fields.Nested(FiguresSchema, required=True)


class OrganiserDashboardSchema(ma.Schema):
    """An organiser's figures of the editions that started in the period (the cohort)."""

    organiser_id = ma.fields.Integer(required=True)
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    total = ma.fields.Nested(FiguresSchema, required=True)
    courses = ma.fields.List(ma.fields.Nested(CourseFiguresSchema), required=True)
    tracks = ma.fields.List(ma.fields.Nested(TrackFiguresSchema), required=True)
    months = ma.fields.List(ma.fields.Nested(MonthFiguresSchema), required=True)
    reach = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Dict(keys=ma.fields.String(),
                                                       values=ma.fields.Integer()),
        required=True,
        metadata={"description": "Distinct people per stage (enrolled, took_part, completed, "
                                 "certified) and kind (caregiver, professional).",
                  "example": {"enrolled": {"caregiver": 12, "professional": 3}}},
    )
    new_learners = ma.fields.Integer(required=True)
    returning_learners = ma.fields.Integer(required=True)
    definitions = ma.fields.List(ma.fields.Nested(DefinitionSchema), required=True)


def _figures(figures: Figures) -> dict:
    return {key: getattr(figures, key) for key in (*FIGURE_NAMES, *RATE_FIGURES)}


@blp.get("/organisers/<id:organiser_id>/dashboard")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200, OrganiserDashboardSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_organiser_dashboard(args: dict, organiser_id: int):
    """An organiser's figures for a period, as on its "Figures" page (its coordinators)."""
    organiser, dashboard = services.organiser_figures(
        auth.current_user(), organiser_id, args.get("start"), args.get("end"))
    return {
        "organiser_id": organiser.id,
        "start": dashboard.period.start,
        "end": dashboard.period.end,
        "total": _figures(dashboard.total),
        "courses": [{"id": row.id, "title": row.title,
                     "open_to_caregivers": row.open_to_caregivers,
                     "open_to_professionals": row.open_to_professionals,
                     "figures": _figures(row.figures)} for row in dashboard.courses],
        "tracks": [{"track": track, "figures": _figures(figures)}
                   for track, figures in dashboard.tracks],
        "months": [{"month": month, "figures": _figures(figures)}
                   for month, figures in dashboard.months],
        "reach": dashboard.reach,
        "new_learners": dashboard.new_learners,
        "returning_learners": dashboard.returning_learners,
        "definitions": _definitions(ORGANISER_FIGURES),
    }
