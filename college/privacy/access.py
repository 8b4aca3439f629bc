"""The access log: which trainers and coordinators saw a learner's personal data, and where.

Written by the services that read personal data for staff (pages, CSV, PDF and the API alike),
in the same unit of work as the read. It imports no other feature, so every feature can use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import User
from college.extensions import db
from college.privacy.models import PersonalDataAccess
from college.transactions import keep_if_refused

#: How an erased person (or viewer) is named from then on.
ANONYMOUS_NAME = "—"

#: Where staff saw a learner's data, as the learner reads it under "Who looked at my data".
CONTEXTS = {
    "people": _l("list of people"),
    "to-phone": _l("list of people to phone"),
    "roster": _l("attendance list"),
    "attendance-export": _l("attendance list, downloaded (spreadsheet or sign-in sheet)"),
    "history": _l("history of attendance changes"),
    "enrolments": _l("enrolment list"),
    "enrolments-export": _l("enrolment list, downloaded"),
    "dashboard": _l("dashboard"),
    "progress": _l("learning progress"),
    "certificates": _l("certificates"),
    "accreditation": _l("accreditation list with registration numbers"),
    "respite": _l("respite requests (what the helper must know)"),
}


def context_label(context: str) -> str:
    """The words a learner reads for where their data was seen."""
    return str(CONTEXTS.get(context, context))


def record_access(viewer: User, learner_ids: Iterable[int], context: str) -> None:
    """Log that staff saw these learners' personal data (not a learner looking at themselves).

    Written in the caller's unit of work: the read and its log line are committed together;
    a page that shows the data with a refusal keeps the line (the data was seen).
    """
    if context not in CONTEXTS:
        raise ValueError(f"unknown access-log context {context!r}")
    rows = [
        {"viewer_id": viewer.id, "learner_id": learner_id, "context": context,
         "viewed_at": timeutil.now()}
        for learner_id in set(learner_ids) if learner_id != viewer.id
    ]
    if rows:
        db.session.execute(PersonalDataAccess.__table__.insert(), rows)
        keep_if_refused(PersonalDataAccess.__table__, rows)


def access_log(user: User, limit: int = 200) -> list[tuple[str, str, object]]:
    """Who looked at this learner's data, newest first: (viewer name, page, when)."""
    return list(db.session.execute(
        select(func.coalesce(User.name, ANONYMOUS_NAME), PersonalDataAccess.context,
               PersonalDataAccess.viewed_at)
        .outerjoin(User, User.id == PersonalDataAccess.viewer_id)
        .where(PersonalDataAccess.learner_id == user.id)
        .order_by(PersonalDataAccess.viewed_at.desc(), PersonalDataAccess.id.desc())
        .limit(limit)
    ))


