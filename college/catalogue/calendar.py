"""Calendar feeds (RFC 5545): per edition, per organiser, and a learner's private feed."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from college import timeutil
from college.accounts.models import Organiser, User
from college.addresses import public_base_url, public_url
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db

#: How often calendar apps should fetch a feed again.
REFRESH_INTERVAL = timedelta(hours=6)

#: Sessions of these enrolments appear in the learner's feed.
FEED_STATUSES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)


def _sessions(*conditions) -> list[TrainingSession]:
    return list(
        db.session.scalars(
            select(TrainingSession)
            .join(TrainingSession.edition)
            .join(Edition.course)
            .where(*conditions)
            .options(contains_eager(TrainingSession.edition).contains_eager(Edition.course))
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
    )


def stable_uid(kind: str, id_: int | str) -> str:
    """A UID that stays the same for a thing, so calendar apps update it instead of duplicating."""
    host = urlsplit(public_base_url()).hostname or "localhost"
    return f"{kind}-{id_}@{host}"


def _location(session: TrainingSession) -> str:
    edition = session.edition
    parts = [session.room, edition.venue, edition.address, edition.place]
    return ", ".join(part for part in parts if part)


def _event(session: TrainingSession, stamp, with_online_link: bool) -> Event:
    course = session.edition.course
    summary = f"{course.title}: {session.title}" if session.title else course.title
    page = public_url("catalogue.course", course_id=course.id)
    description = "\n\n".join(part for part in (course.summary, page) if part)
    event = Event.new(
        uid=stable_uid("session", session.id),
        summary=summary,
        start=timeutil.local(session.starts_at),
        end=timeutil.local(session.ends_at),
        stamp=stamp,
        location=_location(session) or None,
        description=description,
        url=page,
    )
    # The video link is for enrolled learners only, as the course page promises.
    if with_online_link and session.edition.online_url:
        event.add("conference", session.edition.online_url, parameters={"value": "URI"})
    return event


def render_calendar(
    name: str, uid: str, sessions: Iterable[TrainingSession], with_online_links: bool = False
) -> bytes:
    """An iCalendar file of the sessions, in Europe/Brussels with its VTIMEZONE."""
    stamp = timeutil.now()
    calendar = Calendar.new(
        name=name,
        uid=uid,
        prodid="-//Caregivers College//Mantelzorgacademie//NL",
        subcomponents=[_event(session, stamp, with_online_links) for session in sessions],
    )
    # RFC 7986 requires the VALUE parameter (icalendar leaves it out): strict readers need it.
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add_missing_timezones()
    return calendar.to_ical()


def edition_sessions(edition_id: int) -> list[TrainingSession]:
    """All sessions of an edition."""
    return _sessions(TrainingSession.edition_id == edition_id)


def organiser_sessions(organiser_id: int) -> list[TrainingSession]:
    """Upcoming sessions of the organiser's published courses."""
    return _sessions(
        Course.organiser_id == organiser_id,
        Course.published.is_(True),
        TrainingSession.ends_at >= timeutil.now(),
    )


def learner_sessions(learner_id: int) -> list[TrainingSession]:
    """Sessions of the editions where the learner holds a seat (enrolled or completed)."""
    live = select(Enrolment.edition_id).where(
        Enrolment.learner_id == learner_id, Enrolment.status.in_(FEED_STATUSES)
    )
    return _sessions(TrainingSession.edition_id.in_(live))


def organiser_by_slug(slug: str) -> Organiser | None:
    """The organiser of a public feed URL."""
    return Organiser.by_slug(slug)


def learner_by_calendar_token(token: str) -> User | None:
    """The active user whose private feed this token opens; None for a wrong or revoked one."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    return user if user is not None and user.is_active else None


def renew_calendar_token(user: User) -> str:
    """Give the user a new private feed address; the old one stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return user.calendar_token


def revoke_calendar_token(user: User) -> None:
    """Switch the user's private feed off."""
    user.calendar_token = None
    db.session.flush()

