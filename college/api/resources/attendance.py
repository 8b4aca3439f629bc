"""Attendance: a session's roster, and the statuses a trainer records for it."""

from __future__ import annotations

import marshmallow as ma

from college.api import auth
from college.api.core import Blueprint, id_field
from college.attendance import queries
from college.attendance.models import AttendanceSource, AttendanceStatus
from college.attendance.recording import record_attendance
from college.catalogue.models import TrainingSession

blp = Blueprint("api_attendance", __name__, url_prefix="/api/v1",
                description="Who came to a session: the roster of its trainers and coordinators.")


class RosterLineSchema(ma.Schema):
    """A learner holding a seat, with their status in this session (null: not recorded yet)."""

    user_id = ma.fields.Function(lambda line: line.learner.id, required=True,
                                 metadata={"type": "integer"})
    name = ma.fields.Function(lambda line: line.learner.name, required=True,
                              metadata={"type": "string"})
    status = ma.fields.Function(
        lambda line: line.status.value if line.status else None, required=True,
        metadata={"type": "string", "nullable": True, "enum": [s.value for s in AttendanceStatus]},
    )
    source = ma.fields.Function(
        lambda line: line.attendance.source.value if line.attendance else None, required=True,
        metadata={"type": "string", "nullable": True, "enum": [s.value for s in AttendanceSource]},
    )
    recorded_at = ma.fields.Function(
        lambda line: line.attendance.recorded_at.isoformat() if line.attendance else None,
        required=True, metadata={"type": "string", "format": "date-time", "nullable": True},
    )


class RosterSchema(ma.Schema):
    """A session's roster: every learner holding a seat in its edition, by name."""

    session_id = ma.fields.Integer(required=True)
    edition_id = ma.fields.Integer(required=True)
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    learners = ma.fields.List(ma.fields.Nested(RosterLineSchema), required=True)


class RecordSchema(ma.Schema):
    """One learner's status in the session."""

    user_id = id_field(required=True)
    status = ma.fields.Enum(AttendanceStatus, by_value=True, required=True)


class RecordsSchema(ma.Schema):
    """The statuses to record; learners left out keep theirs. All or nothing."""

    records = ma.fields.List(ma.fields.Nested(RecordSchema), required=True,
                             validate=ma.validate.Length(min=1, max=1000))


def _roster(session: TrainingSession) -> dict:
    return {"session_id": session.id, "edition_id": session.edition_id, "starts_at": session.starts_at,
            "ends_at": session.ends_at, "learners": queries.roster(session, auth.current_user())}


def _session_to_teach(session_id: int) -> TrainingSession:
    """The session, if the caller runs its edition's rosters (else NotAllowed, or NotFound)."""
    session = queries.get_session(session_id)
    queries.ensure_may_teach(auth.current_user(), session.edition)
    return session


@blp.get("/sessions/<id:session_id>/attendance")
@blp.login_required
@blp.response(200, RosterSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_attendance(session_id: int):
    """The session's roster with each learner's status (the edition's trainers and coordinators)."""
    return _roster(_session_to_teach(session_id))


@blp.put("/sessions/<id:session_id>/attendance")
@blp.login_required
@blp.staff_only()
@blp.arguments(RecordsSchema)
@blp.response(200, RosterSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def put_attendance(data: dict, session_id: int):
    """Record learners' statuses in the session; answers with the roster as it now stands."""
    actor = auth.current_user()
    records = {}
    for record in data["records"]:
        records[record["user_id"]] = record["status"]  # the last one for a learner counts
    record_attendance(session_id=session_id, records=records, actor=actor,
                               source=AttendanceSource.API)
    return _roster(_session_to_teach(session_id))
