"""The trainer's dashboard of an edition, as numbers."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import abort

from college import policy
from college.api import auth
from college.api.core import Blueprint
from college.dashboards.queries import edition_dashboard

blp = Blueprint("api_dashboards", __name__, url_prefix="/api/v1",
                description="How an edition is going: seats, attendance, quiz and completion.")


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


@blp.get("/editions/<id:edition_id>/dashboard")
@blp.login_required
@blp.response(200, DashboardSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_dashboard(edition_id: int):
    """An edition's dashboard (its trainers and the organiser's coordinators)."""
    dashboard = edition_dashboard(edition_id)
    if dashboard is None:
        abort(404)
    if not policy.can_teach_edition(auth.current_user(), edition_id, dashboard.course.organiser_id):
        abort(403)
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
    }
