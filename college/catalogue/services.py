"""What changes the catalogue: courses, editions and sessions, and the rules they obey."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy import inspect as sqlalchemy_inspect

from college import signals, timeutil
from college.accounts.models import Membership, Organiser, Role, User
from college.attendance.models import Attendance
from college.catalogue.models import Course, Edition, Track, TrainingSession, course_organisers
from college.certificates.expiry import parse_validity_months
from college.enrolment.services import parse_capacity
from college.errors import Conflict, Invalid, NotAllowed
from college.extensions import db
from college.policy import can_manage_course, can_manage_organiser

_COMPLETION_RULE = ("min_attendance_pct", "modules_required", "quiz_pass_pct")


def require_coordinator(actor: User | None, organiser_id: int) -> None:
    """Refuse anyone but a coordinator of the organiser."""
    # actor None: the command line or the demo loader, which act as the system.
    if actor is not None and not can_manage_organiser(actor, organiser_id):
        raise NotAllowed(_("Only coordinators of this organiser can manage its courses."))


def require_course_manager(actor: User | None, course: Course) -> None:
    """Refuse anyone but a coordinator of the course's lead organiser or a co-organiser."""
    if actor is not None and not can_manage_course(actor, course):
        raise NotAllowed(_("Only coordinators of this organiser can manage its courses."))


def _text(value: str | None, field: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(_("This field is required."), field=field)
    if len(value) > max_length:
        raise Invalid(
            _("Use at most %(count)d characters.", count=max_length), field=field
        )
    return value


def _number(value, field: str, *, minimum: float = 0, maximum: float | None = None,
            whole: bool = False) -> float | int:
    if value is None or isinstance(value, bool):
        raise Invalid(_("Enter a number."), field=field)
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise Invalid(_("Enter a number."), field=field) from error
    if whole and number != int(number):
        raise Invalid(_("Enter a whole number."), field=field)
    if maximum is None and number < minimum:
        raise Invalid(_("Enter a number of at least %(minimum)s.", minimum=minimum), field=field)
    if maximum is not None and not minimum <= number <= maximum:
        raise Invalid(
            _("Enter a number between %(minimum)s and %(maximum)s.", minimum=minimum, maximum=maximum),
            field=field,
        )
    return int(number) if whole else number


def _tracks(tracks: Iterable[Track | str]) -> set[Track]:
    parsed = set()
    for track in tracks:
        try:
            parsed.add(Track(track) if not isinstance(track, Track) else track)
        except ValueError as error:
            raise Invalid(_("Choose caregivers, professionals or both."), field="tracks") from error
    if not parsed:
        raise Invalid(
            _("Choose who the course is for: caregivers, professionals or both."), field="tracks"
        )
    return parsed


def _merged(current: dict, fields: dict) -> dict:
    """The current values with the given ones on top: an update may name only what changes."""
    unknown = set(fields) - set(current)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    return {**current, **fields}


def _assign(obj, values: dict) -> None:
    # Values are checked completely before the first one is set, so a refusal changes nothing.
    for name, value in values.items():
        setattr(obj, name, value)


def _course_values(fields: dict) -> dict:
    tracks = _tracks(fields.get("tracks") or ())
    return {
        "title": _text(fields.get("title"), "title", 200, required=True),
        "summary": _text(fields.get("summary"), "summary", 500),
        "description": (fields.get("description") or "").strip(),
        "open_to_caregivers": Track.CAREGIVERS in tracks,
        "open_to_professionals": Track.PROFESSIONALS in tracks,
        "hours": _number(fields.get("hours", 0), "hours"),
        "published": bool(fields.get("published", False)),
        "min_attendance_pct": _number(
            fields.get("min_attendance_pct", 80), "min_attendance_pct", maximum=100, whole=True
        ),
        "modules_required": bool(fields.get("modules_required", False)),
        "quiz_pass_pct": _number(
            fields.get("quiz_pass_pct", 70), "quiz_pass_pct", maximum=100, whole=True
        ),
        "allow_companion": bool(fields.get("allow_companion", False)),
        "offers_respite": bool(fields.get("offers_respite", False)),
        "certificate_validity_months": parse_validity_months(
            fields.get("certificate_validity_months")),
    }


def create_course(actor: User | None, organiser: Organiser, **fields) -> Course:
    """Create a course of the organiser.

    Fields: title, summary, description, tracks (a set of Track), hours, published,
    min_attendance_pct, modules_required, quiz_pass_pct, allow_companion, offers_respite,
    certificate_validity_months (None: its certificates do not expire).
    """
    require_coordinator(actor, organiser.id)
    course = Course(organiser_id=organiser.id, **_course_values(fields))
    db.session.add(course)
    db.session.flush()
    return course


def _course_fields(course: Course) -> dict:
    return {
        "title": course.title, "summary": course.summary, "description": course.description,
        "tracks": course.tracks, "hours": course.hours,
        "published": course.published,
        "min_attendance_pct": course.min_attendance_pct,
        "modules_required": course.modules_required, "quiz_pass_pct": course.quiz_pass_pct,
        "allow_companion": course.allow_companion,
        "offers_respite": course.offers_respite,
        "certificate_validity_months": course.certificate_validity_months,
    }


def update_course(actor: User | None, course: Course, **fields) -> Course:
    """Change a course (fields left out keep theirs); a changed completion rule is signalled first."""
    require_course_manager(actor, course)
    values = _course_values(_merged(_course_fields(course), fields))
    rule_changed = any(getattr(course, name) != values[name] for name in _COMPLETION_RULE)
    _assign(course, values)
    if rule_changed:
        signals.completion_rule_changed.send(course, course_id=course.id)
    db.session.flush()
    return course


def trainers_of(course_id: int) -> list[User]:
    """The trainers who may teach the course's editions, by name: those of its lead organiser
    and of its co-organisers (who manage it too, `policy.can_manage_course`)."""
    organisers = course_organisers()
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(
                select(Membership.user_id)
                .join(organisers, organisers.c.organiser_id == Membership.organiser_id)
                .where(organisers.c.course_id == course_id, Membership.role == Role.TRAINER)))
            .order_by(User.name, User.id)
        )
    )


def _chosen_trainers(course_id: int, trainer_ids: Iterable[int | str]) -> list[User]:
    try:
        wanted = {int(trainer_id) for trainer_id in trainer_ids}
    except (TypeError, ValueError) as error:
        raise Invalid(_("Choose trainers from the list."), field="trainer_ids") from error
    trainers = [user for user in trainers_of(course_id) if user.id in wanted]
    if len(trainers) != len(wanted):
        raise Invalid(
            _("Choose trainers of this organiser only."), field="trainer_ids"
        )
    return trainers


def _as_date(value, field: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise Invalid(_("Enter a date."), field=field)
    return value


def _moment(value, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise Invalid(_("Enter a date and a time."), field=field)
    # A form gives wall-clock time; it means Brussels.
    return value if value.tzinfo else timeutil.brussels(value.date(), value.time())


def _edition_values(course_id: int, fields: dict) -> dict:
    online_url = _text(fields.get("online_url"), "online_url", 500)
    if online_url and not online_url.startswith(("https://", "http://")):
        raise Invalid(_("Enter a web address starting with https://."), field="online_url")
    starts_on = _as_date(fields.get("starts_on"), "starts_on")
    ends_on = _as_date(fields.get("ends_on") or starts_on, "ends_on")
    if ends_on < starts_on:
        raise Invalid(_("The last day cannot be before the first day."), field="ends_on")
    opens = _moment(fields.get("enrolment_opens_at"), "enrolment_opens_at")
    closes = _moment(fields.get("enrolment_closes_at"), "enrolment_closes_at")
    if opens and closes and closes <= opens:
        raise Invalid(_("Enrolment must close after it opens."), field="enrolment_closes_at")
    return {
        "venue": _text(fields.get("venue"), "venue", 200),
        "address": _text(fields.get("address"), "address", 300),
        "place": _text(fields.get("place"), "place", 120, required=True),
        "what_to_bring": _text(fields.get("what_to_bring"), "what_to_bring", 500),
        "online_url": online_url or None,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "enrolment_opens_at": opens,
        "enrolment_closes_at": closes,
        "trainers": _chosen_trainers(course_id, fields.get("trainer_ids") or ()),
    }


def create_edition(actor: User | None, course: Course, *, capacity, **fields) -> Edition:
    """Add an edition to a course; its capacity is set here and later changed by enrolment.

    Fields: venue, address, place, what_to_bring, online_url, starts_on, ends_on, enrolment_opens_at,
    enrolment_closes_at (aware, or naive meaning Brussels), trainer_ids.
    """
    require_course_manager(actor, course)
    capacity = parse_capacity(capacity)
    values = _edition_values(course.id, fields)
    edition = Edition(course_id=course.id, capacity=capacity, **values)
    db.session.add(edition)
    db.session.flush()
    return edition


def edition_fields(edition: Edition) -> dict:
    """An edition's changeable fields as `create_edition` and `update_edition` take them."""
    if "trainers" not in sqlalchemy_inspect(edition).dict:
        db.session.refresh(edition, ["trainers"])  # replacing a list needs the old one loaded
    names = ("venue", "address", "place", "what_to_bring", "online_url", "starts_on", "ends_on",
             "enrolment_opens_at", "enrolment_closes_at")
    return {
        **{name: getattr(edition, name) for name in names},
        "trainer_ids": [trainer.id for trainer in edition.trainers],
    }


def update_edition(actor: User | None, edition: Edition, **fields) -> Edition:
    """Change an edition's place, dates and trainers (fields left out keep their value).

    Capacity is not changed here: enrolment's service does that, promoting from the waiting list.
    """
    course = _edition_course(edition)
    require_course_manager(actor, course)
    values = _edition_values(course.id, _merged(edition_fields(edition), fields))
    _check_sessions_within(edition.id, values["starts_on"], values["ends_on"])
    _assign(edition, values)
    db.session.flush()
    return edition


def _check_sessions_within(edition_id: int, starts_on: date, ends_on: date) -> None:
    first = timeutil.brussels(starts_on, time.min)
    last = timeutil.brussels(ends_on, time.max)
    outside = db.session.scalar(
        select(
            exists().where(
                TrainingSession.edition_id == edition_id,
                (TrainingSession.starts_at < first) | (TrainingSession.starts_at > last),
            )
        )
    )
    if outside:
        raise Invalid(
            _("Some sessions fall outside these dates. Move or delete them first."),
            field="starts_on",
        )


def session_values(edition: Edition, fields: dict) -> dict:
    """A session's checked columns from its day, starts, ends (Brussels), title and room."""
    day = _as_date(fields.get("day"), "day")
    starts, ends = fields.get("starts"), fields.get("ends")
    if not isinstance(starts, time):
        raise Invalid(_("Enter a start time, like 14:00."), field="starts")
    if not isinstance(ends, time):
        raise Invalid(_("Enter an end time, like 16:00."), field="ends")
    if not edition.starts_on <= day <= edition.ends_on:
        raise Invalid(
            _("Choose a day between the edition's first and last day."), field="day"
        )
    starts_at, ends_at = timeutil.brussels(day, starts), timeutil.brussels(day, ends)
    if ends_at <= starts_at:
        raise Invalid(_("The session must end after it starts."), field="ends")
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "title": _text(fields.get("title"), "title", 200),
        "room": _text(fields.get("room"), "room", 120),
    }


def _edition_course(edition: Edition) -> Course:
    return db.session.get(Course, edition.course_id)


def create_session(actor: User | None, edition: Edition, **fields) -> TrainingSession:
    """Add a session to an edition: day, starts and ends (Brussels wall-clock), title, room."""
    require_course_manager(actor, _edition_course(edition))
    session = TrainingSession(edition_id=edition.id, **session_values(edition, fields))
    db.session.add(session)
    db.session.flush()
    # One more session changes every learner's attendance share: completion follows.
    signals.attendance_changed.send(edition_id=edition.id, learner_ids=None)
    return session


def update_session(actor: User | None, session: TrainingSession, **fields) -> TrainingSession:
    """Change a session's day, times, title or room (fields left out keep their value)."""
    edition = db.session.get(Edition, session.edition_id)
    require_course_manager(actor, _edition_course(edition))
    starts, ends = timeutil.local(session.starts_at), timeutil.local(session.ends_at)
    current = {"day": starts.date(), "starts": starts.time(), "ends": ends.time(),
               "title": session.title, "room": session.room}
    _assign(session, session_values(edition, _merged(current, fields)))
    db.session.flush()
    # A session moved to a day still to come means the training is not over yet (and one
    # moved back may end it): completion follows the calendar.
    signals.attendance_changed.send(edition_id=edition.id, learner_ids=None)
    return session


def delete_session(actor: User | None, session: TrainingSession) -> None:
    """Delete a session, unless attendance was already recorded for it."""
    edition = db.session.get(Edition, session.edition_id)
    require_course_manager(actor, _edition_course(edition))
    recorded = db.session.scalar(
        select(exists().where(Attendance.session_id == session.id))
    )
    if recorded:
        raise Conflict(
            _("Attendance was already recorded for this session, so it cannot be deleted.")
        )
    db.session.delete(session)
    db.session.flush()
    signals.attendance_changed.send(edition_id=edition.id, learner_ids=None)
