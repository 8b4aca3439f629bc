"""Rotating self check-in codes: an HMAC of the session's secret and the current minute."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update

from college.catalogue.models import TrainingSession
from college.extensions import db

#: A code is valid in its own window and the one after it (so 60 to 120 seconds).
WINDOW_SECONDS = 60
CODE_LENGTH = 6
#: Attendance opens this long before a session starts: from then on the roster can be saved
#: and learners can check in (check-in closes when the session ends; the roster stays open,
#: so a paper sign-in sheet is entered afterwards).
OPENS_BEFORE = timedelta(minutes=30)


def opens_at(session: TrainingSession) -> datetime:
    """The moment attendance of a session can first be recorded."""
    return session.starts_at - OPENS_BEFORE


def window_of(moment: datetime) -> int:
    """The number of the 60-second window a moment falls in."""
    return int(moment.timestamp()) // WINDOW_SECONDS


def code_for(secret: str, session_id: int, window: int) -> str:
    """The six-digit code of a session in a window (digits: a phone shows a number pad)."""
    digest = hmac.new(secret.encode(), f"{session_id}:{window}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_LENGTH).zfill(CODE_LENGTH)


def current_code(session: TrainingSession, moment: datetime) -> str:
    """The code to show now."""
    return code_for(session.checkin_secret or "", session.id, window_of(moment))


def code_matches(session: TrainingSession, code: str, moment: datetime) -> bool:
    """Is the code the one of this window or the previous one?"""
    if not session.checkin_secret:
        return False
    window = window_of(moment)
    return any(
        hmac.compare_digest(code, code_for(session.checkin_secret, session.id, w))
        for w in (window, window - 1)
    )


def normalise_code(code: str | None) -> str:
    """Digits only: spaces and dashes a learner types along are dropped."""
    return "".join(ch for ch in (code or "") if ch.isdigit())


def is_open(session: TrainingSession, moment: datetime) -> bool:
    """Is check-in open: from 30 minutes before the start until the end?"""
    return opens_at(session) <= moment <= session.ends_at


def ensure_secret(session: TrainingSession) -> str:
    """The session's check-in secret, made once (a concurrent request's secret wins)."""
    if not session.checkin_secret:
        db.session.execute(
            update(TrainingSession)
            .where(TrainingSession.id == session.id, TrainingSession.checkin_secret.is_(None))
            .values(checkin_secret=secrets.token_hex(32))
        )
        db.session.refresh(session)
    return session.checkin_secret
