"""Idle and absolute session timeouts: a forgotten login on a shared computer ends by itself."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from college import timeutil

#: The last-seen time in the session cookie moves at most this often: refreshing it at every
#: request would re-sign and re-send the cookie with every answer.
SEEN_RESOLUTION_SECONDS = 60


def mark_login() -> None:
    """Record when this session logged in and was last used."""
    stamp = timeutil.now().timestamp()
    session["auth_at"] = stamp
    session["seen_at"] = stamp


#: How long before a session ends the page warns (see static/session_warning.js).
WARN_SECONDS = 5 * 60


def seconds_left() -> int | None:
    """Seconds until this login ends if nothing happens (idle or absolute); None: not logged in."""
    if not current_user.is_authenticated:
        return None
    now = timeutil.now().timestamp()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]).total_seconds()
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"]).total_seconds()
    left = min(session.get("seen_at", now) + idle, session.get("auth_at", now) + absolute) - now
    return max(round(left), 0)


def enforce_timeouts() -> None:
    """Log out a session that has been idle or alive for too long."""
    if not current_user.is_authenticated:
        return
    now = timeutil.now().timestamp()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]).total_seconds()
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"]).total_seconds()
    auth_at, seen_at = session.get("auth_at", 0), session.get("seen_at", 0)
    if now - seen_at > idle or now - auth_at > absolute:
        logout_user()
        language = session.get("language")
        session.clear()
        if language:
            session["language"] = language
        flash(_("You were logged out because you were away for a while. Please log in again."),
              "info")
        return
    if now - seen_at >= SEEN_RESOLUTION_SECONDS:
        session["seen_at"] = now
