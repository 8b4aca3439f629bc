"""The notification outbox: rows written in the transaction of the change, sent by a job.

Who gets what: a learner with a confirmed address gets mail; a learner whose address is not
confirmed yet gets nothing but the confirmation link, so their mails wait (held) and go out
once the address is confirmed (those about a training that has ended by then are dropped);
a learner without email is phoned by a coordinator ("To phone"), who also sees the held mails
of learners who gave a phone number.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from college import timeutil
from college.accounts.models import Organiser, User
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment.models import Notification, NotificationStatus
from college.extensions import db
from college.jobs import enqueue_after_commit
from college.timeutil import local


def _insert_ignoring_duplicates(values: dict) -> int | None:
    """Insert an outbox row unless its dedupe_key exists; return the new id or None."""
    dialect = db.session.get_bind().dialect.name
    # The College runs on PostgreSQL and SQLite; both know ON CONFLICT DO NOTHING.
    dialect_insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        dialect_insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id)
    )
    return db.session.execute(statement).scalar_one_or_none()


def _when(edition: Edition) -> str:
    if edition.starts_on == edition.ends_on:
        return edition.starts_on.strftime("%d/%m/%Y")
    return f"{edition.starts_on:%d/%m/%Y} - {edition.ends_on:%d/%m/%Y}"


def _texts(kind: str, learner: User, course: Course, edition: Edition, **extra) -> tuple[str, str]:
    """Subject and body of a notification, in the learner's language."""
    with force_locale(learner.language.value):
        where = ", ".join(part for part in (edition.venue, edition.place) if part)
        facts = {"name": learner.name, "course": course.title, "when": _when(edition), "where": where}
        enrolled_by: User | None = extra.get("enrolled_by")
        if enrolled_by is not None:
            # Enrolled by someone else: say who, so a person who never asked can have it undone.
            facts.update(staff=enrolled_by.name, organiser=course.organiser.name)
        if kind == "enrolled":
            subject = _("You are enrolled: %(course)s", course=course.title)
            if enrolled_by is not None:
                body = _(
                    "Dear %(name)s,\n\n%(staff)s of %(organiser)s enrolled you in \"%(course)s\" "
                    "(%(when)s, %(where)s). We look forward to seeing you.\n\nDid you not ask for "
                    "this? Let %(organiser)s know, and they will cancel the enrolment.\n\n"
                    "Caregivers College",
                    **facts,
                )
            else:
                body = _(
                    "Dear %(name)s,\n\nYou are enrolled in \"%(course)s\" (%(when)s, %(where)s). "
                    "We look forward to seeing you.\n\nCaregivers College",
                    **facts,
                )
        elif kind == "waitlisted":
            subject = _("You are on the waiting list: %(course)s", course=course.title)
            if enrolled_by is not None:
                body = _(
                    "Dear %(name)s,\n\n%(staff)s of %(organiser)s put you on the waiting list of "
                    "\"%(course)s\" (%(when)s, %(where)s): it is full. You are number %(position)s. "
                    "When a seat becomes free you get it automatically, and we let you know.\n\n"
                    "Did you not ask for this? Let %(organiser)s know, and they will take you off "
                    "the list.\n\nCaregivers College",
                    position=extra["position"],
                    **facts,
                )
            else:
                body = _(
                    "Dear %(name)s,\n\n\"%(course)s\" (%(when)s, %(where)s) is full. You are number "
                    "%(position)s on the waiting list. When a seat becomes free you get it "
                    "automatically, and we let you know.\n\nCaregivers College",
                    position=extra["position"],
                    **facts,
                )
        elif kind == "promoted":
            subject = _("A seat became free: you are enrolled in %(course)s", course=course.title)
            body = _(
                "Dear %(name)s,\n\nA seat became free in \"%(course)s\" (%(when)s, %(where)s). "
                "You moved up from the waiting list and are now enrolled.\n\nCaregivers College",
                **facts,
            )
        else:
            session: TrainingSession = extra["session"]
            start = local(session.starts_at)
            subject = _("Reminder: %(course)s on %(day)s", course=course.title,
                        day=start.strftime("%d/%m/%Y"))
            body = _(
                "Dear %(name)s,\n\nA reminder: the session of \"%(course)s\" starts on %(day)s "
                "at %(time)s (%(where)s %(room)s).\n\nCaregivers College",
                day=start.strftime("%d/%m/%Y"),
                time=start.strftime("%H:%M"),
                room=session.room,
                **facts,
            )
    extra_lines = _practicalities(kind, learner, course, edition)
    if extra_lines:
        # Above the signature, which every body ends with after a blank line.
        message, _blank, signature = body.rpartition("\n\n")
        body = f"{message}\n\n{extra_lines}\n\n{signature}"
    return subject, body


def _practicalities(kind: str, learner: User, course: Course, edition: Edition) -> str:
    """What to bring and whom to call, below a confirmation (empty when nothing is known)."""
    if kind not in ("enrolled", "waitlisted", "promoted"):
        return ""
    organiser = db.session.get(Organiser, course.organiser_id)
    lines = []
    with force_locale(learner.language.value):
        if edition.what_to_bring and kind != "waitlisted":
            lines.append(_("What to bring: %(what)s", what=edition.what_to_bring))
        contact = [part for part in (organiser.contact_phone, organiser.contact_email) if part]
        if contact:
            lines.append(_("Questions? Contact %(organiser)s: %(contact)s", organiser=organiser.name,
                           contact=", ".join(contact)))
            if organiser.contact_hours:
                lines.append(_("Reachable: %(hours)s", hours=organiser.contact_hours))
    return "\n".join(lines)


def write_notification(
    kind: str, *, learner: User, course: Course, edition: Edition, dedupe_key: str,
    texts: tuple[str, str] | None = None, **extra
) -> int | None:
    """Add an outbox row to the current transaction and queue its sending after commit.

    `texts=(subject, body)` gives the words (a feature that words its own steps, in the
    learner's language); else they follow `kind`. Learners without email get a row for the
    coordinator to phone them instead; a learner whose address is not confirmed yet gets a held
    row, sent once it is. Returns the new row's id, or None when this event was already written
    (nothing is sent twice).
    """
    subject, body = texts or _texts(kind, learner, course, edition, **extra)
    if not learner.email:
        status = NotificationStatus.TO_PHONE
    elif learner.email_confirmed_at is None:
        status = NotificationStatus.HELD
    else:
        status = NotificationStatus.PENDING
    notification_id = _insert_ignoring_duplicates(
        {
            "user_id": learner.id,
            "edition_id": edition.id,
            "kind": kind,
            "dedupe_key": dedupe_key,
            "subject": subject[:200],
            "body": body,
            "status": status,
        }
    )
    if notification_id is not None and status == NotificationStatus.PENDING:
        enqueue_after_commit("mail", "college.enrolment.tasks.send_notification", notification_id)
    return notification_id


def release_held_notifications(user_id: int) -> int:
    """The learner's address is confirmed: queue the mails held for it; returns how many.

    Mails about an edition that has ended by now are no longer worth sending (expired).
    """
    ended = select(Edition.id).where(Edition.ends_on < timeutil.today())
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.status == NotificationStatus.HELD,
               Notification.edition_id.in_(ended))
        .values(status=NotificationStatus.EXPIRED)
        .execution_options(synchronize_session=False)
    )
    released = list(db.session.scalars(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.status == NotificationStatus.HELD)
        .values(status=NotificationStatus.PENDING)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ))
    for notification_id in released:
        enqueue_after_commit("mail", "college.enrolment.tasks.send_notification", notification_id)
    return len(released)
