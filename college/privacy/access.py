"""The access log: which trainers and coordinators saw a learner's personal data, or a referred
caregiver's (who has no account: the referral is the subject), and where.

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
    "referrals-to-phone": _l("list of referred caregivers to phone"),
    "referrals": _l("list of referrals"),
}


def context_label(context: str) -> str:
    """The words a learner reads for where their data was seen."""
    return str(CONTEXTS.get(context, context))


def record_access(viewer: User, learner_ids: Iterable[int], context: str) -> None:
    """Log that staff saw these learners' personal data (not a learner looking at themselves).

    Written in the caller's unit of work: the read and its log line are committed together;
    a page that shows the data with a refusal keeps the line (the data was seen).
    """
    _insert(viewer, context, [{"learner_id": learner_id} for learner_id in set(learner_ids)
                              if learner_id != viewer.id])


def _insert(viewer: User, context: str, subjects: list[dict]) -> None:
    """One line per subject ({"learner_id": ...} or {"referral_id": ...}), kept if refused."""
    if context not in CONTEXTS:
        raise ValueError(f"unknown access-log context {context!r}")
    rows = [{"viewer_id": viewer.id, "context": context, "viewed_at": timeutil.now(), **subject}
            for subject in subjects]
    if rows:
        db.session.execute(PersonalDataAccess.__table__.insert(), rows)
        keep_if_refused(PersonalDataAccess.__table__, rows)


def record_referral_access(viewer: User, referral_ids: Iterable[int], context: str) -> None:
    """Log that staff saw referred caregivers' names and contact details (as record_access)."""
    _insert(viewer, context, [{"referral_id": referral_id} for referral_id in set(referral_ids)])


def referral_access_log(referral_ids: Iterable[int]) -> dict[int, list[tuple[str, str, object]]]:
    """Who looked at each referred caregiver's data, newest first, per referral (one query)."""
    log: dict[int, list[tuple[str, str, object]]] = {}
    ids = list(referral_ids)
    if not ids:
        return log
    for referral_id, name, context, when in db.session.execute(
        select(PersonalDataAccess.referral_id, func.coalesce(User.name, ANONYMOUS_NAME),
               PersonalDataAccess.context, PersonalDataAccess.viewed_at)
        .outerjoin(User, User.id == PersonalDataAccess.viewer_id)
        .where(PersonalDataAccess.referral_id.in_(ids))
        .order_by(PersonalDataAccess.viewed_at.desc(), PersonalDataAccess.id.desc())
    ):
        log.setdefault(referral_id, []).append((name, context, when))
    return log


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


