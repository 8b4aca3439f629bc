"""Attendance: rosters, self check-in, sign-in sheets, and the completion engine."""
