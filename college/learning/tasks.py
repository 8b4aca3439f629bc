"""Background work of the learning feature."""

from __future__ import annotations


def grade_expired_attempts() -> int:
    """Grade quiz attempts left open past their deadline; run periodically (RQ or cron)."""
    from flask import has_app_context

    from college.learning import services

    if has_app_context():
        return services.grade_expired_attempts()
    from college import create_app

    with create_app().app_context():
        return services.grade_expired_attempts()
