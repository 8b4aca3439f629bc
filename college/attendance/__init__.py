"""Attendance: rosters, self check-in, sign-in sheets, and the completion engine."""

from flask import Blueprint

bp = Blueprint("attendance", __name__)

from college.attendance import completion, views  # noqa: E402,F401  (connects receivers)
