"""What changes enrolments: enrol, cancel, promote from the waiting list (or offer a freed seat),
change capacity.

Seats are counted in `Edition.seats_taken` and waiting-list places in
`Edition.waitlist_length`, changed only by single conditional UPDATEs. Every service first
writes to the edition row, which locks it until commit (PostgreSQL row lock, SQLite database
write lock), so concurrent changes of one edition are serialised and never overbook.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from college import policy, timeutil
from college.accounts.models import Kind, User
from college.accounts.services import normalise_email
from college.catalogue.models import Course, Edition, Track, TrainingSession, WaitlistMode
from college.enrolment import offer_messages, questions
from college.enrolment.models import (
    LIVE_STATUSES,
    Enrolment,
    EnrolmentStatus,
    Notification,
    NotificationStatus,
    OfferOutcome,
    WaitlistOffer,
)
from college.enrolment.notifications import write_notification
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.privacy.access import record_access
from college.respite.services import respite_failed
from college.signals import enrolment_cancelled, seat_taken

TRACK_OF_KIND = {Kind.CAREGIVER: Track.CAREGIVERS, Kind.PROFESSIONAL: Track.PROFESSIONALS}


def _edition_with_course(edition_id: int) -> Edition:
    edition = db.session.scalar(
        select(Edition).where(Edition.id == edition_id)
        .options(selectinload(Edition.course).selectinload(Course.organiser))
    )
    if edition is None:
        raise NotFound(_("This edition does not exist."))
    return edition


def edition_starts_at(edition: Edition) -> datetime:
    """The moment an edition starts: its first session, else the morning of its first day."""
    if "sessions" in edition.__dict__:  # already loaded (a course page): no query per edition
        starts = [session.starts_at for session in edition.sessions]
        return min(starts) if starts else timeutil.brussels(edition.starts_on, time(0, 0))
    first = db.session.scalar(
        select(func.min(TrainingSession.starts_at)).where(TrainingSession.edition_id == edition.id)
    )
    if first is not None:
        return first
    return timeutil.brussels(edition.starts_on, time(0, 0))


def edition_ends_at(edition: Edition) -> datetime:
    """The moment an edition is over: the end of its last session, else the end of its last day."""
    last = db.session.scalar(
        select(func.max(TrainingSession.ends_at)).where(TrainingSession.edition_id == edition.id)
    )
    return last if last is not None else timeutil.brussels(edition.ends_on, time.max)


def enrolment_closed_reason(edition: Edition, moment: datetime | None = None, *,
                            by_staff: bool = False) -> str | None:
    """Why enrolment in this edition is not possible now, or None when it is open.

    Learners enrol themselves within the enrolment window and before the edition starts. The
    edition's staff enrol others until its last session ends: before the window opens, after it
    closes and during the edition (from its start on only into a free seat, see enrol_learner).
    """
    moment = moment or timeutil.now()
    if by_staff:
        if moment >= edition_ends_at(edition):
            return _("This edition is over: nobody can be enrolled any more.")
        return None
    if edition.enrolment_opens_at and moment < edition.enrolment_opens_at:
        return _(
            "Enrolment for this edition opens on %(day)s.",
            day=timeutil.local(edition.enrolment_opens_at).strftime("%d/%m/%Y %H:%M"),
        )
    if edition.enrolment_closes_at and moment >= edition.enrolment_closes_at:
        return _("Enrolment for this edition is closed.")
    if moment >= edition_starts_at(edition):
        return _("This edition has already started; enrolment is closed.")
    return None


def _check_track(course: Course, learner: User) -> None:
    track = TRACK_OF_KIND.get(learner.kind) if learner.kind else None
    if track is None or not course.is_open_to(track):
        if course.open_to_professionals and not course.open_to_caregivers:
            raise NotAllowed(_("This course is only for care professionals."))
        raise NotAllowed(_("This course is only for caregivers."))


def _learner_to_enrol(
    actor: User, edition: Edition, learner_id: int | None, email: str | None
) -> User:
    """Whom the actor names: themselves, a learner their organiser knows (by id), or anyone by
    their exact email address. An id out of reach is refused exactly like one that does not
    exist, so no answer tells whether a stranger's id is taken."""
    organiser_id = edition.course.organiser_id
    if learner_id is not None and email:
        raise Invalid(_("Name the learner by id or by email address, not both."), field="email")
    address = normalise_email(email) if email else None
    if address is None and learner_id in (None, actor.id):
        return actor
    if address is not None and address == actor.email:
        return actor
    if not policy.can_teach_edition(actor, edition.id, edition.course):
        raise NotAllowed(
            _("Only the organiser's coordinators and this edition's trainers can enrol others.")
        )
    if address is not None:
        learner = User.by_email(address)  # accounts without email are never found this way
        if learner is None or not learner.is_active or not learner.is_learner:
            raise NotFound(_("No learner with this email address was found."), field="email")
        return learner
    learner = (db.session.get(User, learner_id)
               if policy.can_reach_learner(actor, learner_id, organiser_id) else None)
    if learner is None or not learner.is_active:
        raise NotFound(_("This learner does not exist."), field="learner")
    return learner


def _check_managed_here(learner: User, organiser_id: int) -> None:
    if learner.is_managed and learner.managed_by_organiser_id != organiser_id:
        raise NotAllowed(_("This person's account is managed by another organiser."))


def _live_enrolment(learner_id: int, edition_id: int) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(
            Enrolment.learner_id == learner_id,
            Enrolment.edition_id == edition_id,
            Enrolment.status.in_(LIVE_STATUSES),
        )
    )


def _already_enrolled(actor: User, learner: User, organiser_id: int) -> Conflict:
    if actor.id == learner.id:
        return Conflict(_("You are already enrolled in this edition (or on its waiting list)."))
    if policy.can_reach_learner(actor, learner.id, organiser_id):
        return Conflict(_("%(name)s is already enrolled in this edition (or on its waiting list).",
                          name=learner.name))
    return Conflict(_("This person is already enrolled in this edition (or on its waiting list)."))


def _take_seat(edition_id: int, seats: int = 1) -> bool:
    """Take free seats (2 with a companion) if there are, in one statement the database serialises."""
    taken = db.session.execute(
        update(Edition)
        .where(Edition.id == edition_id, Edition.seats_taken + seats <= Edition.capacity)
        .values(seats_taken=Edition.seats_taken + seats)
        .returning(Edition.seats_taken)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    return taken is not None


def _join_waitlist(edition_id: int) -> int:
    """Add a place at the end of the waiting list and return its position."""
    return db.session.execute(
        update(Edition)
        .where(Edition.id == edition_id)
        .values(waitlist_length=Edition.waitlist_length + 1)
        .returning(Edition.waitlist_length)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def enrol_learner(
    *, edition_id: int, actor: User, learner_id: int | None = None, email: str | None = None,
    walk_in: bool = False, answers: dict | None = None, companion: bool = False,
) -> Enrolment:
    """Enrol a learner in an edition, or put them on its waiting list when it is full.

    Without `learner_id` and `email` the actor enrols themselves. Staff name someone else by
    id only when their organiser knows the person (`policy.can_reach_learner`), anyone else by
    their exact email address; the confirmation names who enrolled them.
    A walk-in is someone a trainer enrols at a session they came to: the enrolment window
    does not apply, and without a free seat they are refused rather than put on the list.
    `answers` (by question id) answer the course's questions; `companion` asks a second seat
    for the person a caregiver cares for (refused when only one seat is left).
    """
    edition = _edition_with_course(edition_id)
    course = edition.course
    learner = _learner_to_enrol(actor, edition, learner_id, email)
    if not learner.is_learner or learner.kind is None:
        raise NotAllowed(_("Only learners (caregivers and professionals) can enrol in a course."))
    _check_managed_here(learner, course.organiser_id)
    if not course.published:
        raise NotFound(_("This course is not published, so nobody can enrol yet."))
    # Naming someone else needs the edition's staff (checked in _learner_to_enrol).
    by_staff = learner.id != actor.id
    reason = None if walk_in else enrolment_closed_reason(edition, by_staff=by_staff)
    if reason:
        raise Conflict(reason)
    # Once the edition has started nobody joins its waiting list: a seat or nothing.
    seat_or_nothing = walk_in or timeutil.now() >= edition_starts_at(edition)
    _check_track(course, learner)
    if _live_enrolment(learner.id, edition.id) is not None:
        raise _already_enrolled(actor, learner, course.organiser_id)
    answers = questions.clean_answers(course, learner, answers, companion, by_staff=by_staff)
    seats = 2 if companion else 1

    # Lock first: between a failed seat and the waiting list, no cancellation may slip in.
    _lock_edition(edition.id)
    if _take_seat(edition.id, seats):
        enrolment = Enrolment(status=EnrolmentStatus.ENROLLED, waitlist_position=None)
    elif seats > 1 and _seats_left(edition.id) > 0:
        raise Conflict(_("Only one seat is left, so there is no room for a companion. Enrol "
                         "without a companion, or choose another edition."), field="companion")
    elif walk_in:
        raise Conflict(_("This edition is full: there is no seat for a walk-in."))
    elif seat_or_nothing:
        raise Conflict(_("This edition has started and is full: nobody can join its waiting "
                         "list any more."))
    else:
        enrolment = Enrolment(
            status=EnrolmentStatus.WAITLISTED, waitlist_position=_join_waitlist(edition.id)
        )
    enrolment.learner_id = learner.id
    enrolment.edition_id = edition.id
    enrolment.enrolled_by_id = None if actor.id == learner.id else actor.id
    enrolment.seats = seats
    try:
        # A savepoint: the same learner enrolling twice at once meets the partial unique index.
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError as error:
        raise _already_enrolled(actor, learner, course.organiser_id) from error
    questions.store_answers(enrolment, answers)
    # Someone enrolled by another person learns who did it (and can ask the organiser to undo it).
    enrolled_by = None if actor.id == learner.id else actor
    if enrolment.status == EnrolmentStatus.ENROLLED:
        write_notification("enrolled", learner=learner, course=course, edition=edition,
                           dedupe_key=f"enrolled:{enrolment.id}", enrolled_by=enrolled_by)
        _seats_taken(edition.id, [learner.id])
    else:
        write_notification("waitlisted", learner=learner, course=course, edition=edition,
                           dedupe_key=f"waitlisted:{enrolment.id}",
                           position=enrolment.waitlist_position, enrolled_by=enrolled_by)
    return enrolment


def _seats_left(edition_id: int) -> int:
    return db.session.scalar(
        select(Edition.capacity - Edition.seats_taken).where(Edition.id == edition_id))


def _lock_edition(edition_id: int) -> None:
    """Hold the edition row until commit, so its seats and waiting list change one at a time."""
    db.session.execute(
        update(Edition)
        .where(Edition.id == edition_id)
        .values(seats_taken=Edition.seats_taken)
        .execution_options(synchronize_session=False)
    )


def _close_up_waitlist(edition_id: int, after_position: int) -> None:
    db.session.execute(
        update(Enrolment)
        .where(
            Enrolment.edition_id == edition_id,
            Enrolment.status == EnrolmentStatus.WAITLISTED,
            Enrolment.waitlist_position > after_position,
        )
        .values(waitlist_position=Enrolment.waitlist_position - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Edition)
        .where(Edition.id == edition_id)
        .values(waitlist_length=Edition.waitlist_length - 1)
        .execution_options(synchronize_session=False)
    )


def waitlist_closes_at(edition: Edition) -> datetime:
    """From this moment a freed seat stays free: the edition's start, less the organiser's lead."""
    lead = timedelta(hours=edition.course.organiser.waitlist_closes_hours_before)
    return edition_starts_at(edition) - lead


def _promote_from_waitlist(edition: Edition) -> list[int]:
    """Give free seats to the waiting list in strict order; the edition row must be locked.

    Someone who brings a companion moves up when two seats are free; until then nobody behind
    them does (first come, first served).

    Once the edition has started (or within the organiser's lead time before it) nobody is
    moved up or mailed: a seat in a training that is already running helps nobody. An edition
    in offer mode holds the seat for the first on the list instead (see `offers`).
    """
    if timeutil.now() >= waitlist_closes_at(edition):
        return []
    if edition.waitlist_mode == WaitlistMode.OFFER:
        _offer_free_seats(edition)
        return []
    promoted, promoted_learners = [], []
    while True:
        first = _next_without_offer(edition.id)  # a seat is already held for those with one
        if first is None or not _take_seat(edition.id, first.seats):
            break
        db.session.execute(
            update(Enrolment)
            .where(Enrolment.id == first.id)
            .values(status=EnrolmentStatus.ENROLLED, waitlist_position=None,
                    promoted_at=timeutil.now())
            .execution_options(synchronize_session=False)
        )
        _close_up_waitlist(edition.id, first.waitlist_position)
        learner = db.session.get(User, first.learner_id)
        write_notification("promoted", learner=learner, course=edition.course, edition=edition,
                           dedupe_key=f"promoted:{first.id}")
        promoted.append(first.id)
        promoted_learners.append(first.learner_id)
    _seats_taken(edition.id, promoted_learners)
    return promoted


# ---- waiting-list offers: a freed seat held for the first on the list (see offers.py) ----


def offer_expires_at(edition: Edition, moment: datetime) -> datetime:
    """Until when a seat offered at `moment` is held: the edition's hold time, but no later than
    halfway between `moment` and the moment the waiting list closes (`waitlist_closes_at`),
    so that a declined or unanswered seat can still go to the next person before it closes."""
    halfway = moment + (waitlist_closes_at(edition) - moment) / 2
    return min(moment + timedelta(hours=edition.offer_hold_hours), halfway)


def _next_without_offer(edition_id: int):
    """The first on the waiting list for whom no seat is held yet (id, learner, position, and
    the seats they need: two with a companion)."""
    open_offer = exists().where(WaitlistOffer.enrolment_id == Enrolment.id,
                                WaitlistOffer.outcome == OfferOutcome.OPEN)
    return db.session.execute(
        select(Enrolment.id, Enrolment.learner_id, Enrolment.waitlist_position, Enrolment.seats)
        .where(Enrolment.edition_id == edition_id, Enrolment.status == EnrolmentStatus.WAITLISTED,
               ~open_offer)
        .order_by(Enrolment.waitlist_position)
        .limit(1)
    ).first()


def _offer_free_seats(edition: Edition) -> None:
    """Hold free seats for the next on the waiting list without an open offer (two for someone
    with a companion, in strict order like moving up), and tell them; the edition row must be
    locked. A held seat counts in `seats_taken`."""
    moment = timeutil.now()
    while True:
        first = _next_without_offer(edition.id)
        if first is None or not _take_seat(edition.id, first.seats):
            break
        offer = WaitlistOffer(enrolment_id=first.id, edition_id=edition.id, offered_at=moment,
                              expires_at=offer_expires_at(edition, moment))
        db.session.add(offer)
        db.session.flush()
        offer_messages.tell("offered", offer, db.session.get(User, first.learner_id), edition)


def free_seats(edition: Edition, seats: int) -> None:
    """Seats were let go (a cancelled enrolment; a held offer declined, expired or withdrawn):
    free them and pass them on to the waiting list; the edition row must be locked."""
    db.session.execute(
        update(Edition)
        .where(Edition.id == edition.id)
        .values(seats_taken=Edition.seats_taken - seats)
        .execution_options(synchronize_session=False)
    )
    _promote_from_waitlist(edition)


def _withdraw_open_offer(enrolment_id: int, edition: Edition) -> None:
    """The learner left the waiting list: their open offer ends and its seat goes on."""
    withdrawn = db.session.execute(
        update(WaitlistOffer)
        .where(WaitlistOffer.enrolment_id == enrolment_id,
               WaitlistOffer.outcome == OfferOutcome.OPEN)
        .values(outcome=OfferOutcome.WITHDRAWN, answered_at=timeutil.now())
        .returning(WaitlistOffer.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if withdrawn is not None:
        free_seats(edition, db.session.get(Enrolment, enrolment_id).seats)


def _seats_taken(edition_id: int, learner_ids: list[int]) -> None:
    """Tell the completion engine: the rule may already be met (modules or quiz done before)."""
    if learner_ids:
        seat_taken.send(current_app._get_current_object(), edition_id=edition_id,
                        learner_ids=learner_ids)


def enrolment_to_cancel(*, enrolment_id: int, actor: User) -> Enrolment:
    """The enrolment the actor may cancel now (learner, edition and course loaded); else raises."""
    enrolment = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.id == enrolment_id)
        .options(selectinload(Enrolment.learner), selectinload(Enrolment.edition))
    )
    if enrolment is None:
        raise NotFound(_("This enrolment does not exist."))
    edition = _edition_with_course(enrolment.edition_id)
    is_coordinator = policy.can_manage_course(actor, edition.course)
    if not (actor.id == enrolment.learner_id or is_coordinator):
        raise NotAllowed(_("You can only cancel your own enrolments."))
    # Respite the hub could not arrange lets the caregiver cancel late: it is no no-show.
    if (not is_coordinator and timeutil.now() >= edition_starts_at(edition)
            and not respite_failed(enrolment.id)):
        raise Conflict(
            _("This edition has already started. Please contact the organiser to cancel.")
        )
    if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED):
        raise Conflict(_("This enrolment is already cancelled or completed."))
    return enrolment


def cancel_enrolment(*, enrolment_id: int, actor: User) -> Enrolment:
    """Cancel an enrolment or waiting-list place; the first on the waiting list moves up."""
    enrolment = enrolment_to_cancel(enrolment_id=enrolment_id, actor=actor)
    edition = enrolment.edition
    _lock_edition(edition.id)
    db.session.refresh(enrolment)  # the state after the lock, not before it
    if enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED):
        raise Conflict(_("This enrolment is already cancelled or completed."))
    was_enrolled = enrolment.status == EnrolmentStatus.ENROLLED
    old_position = enrolment.waitlist_position
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.waitlist_position = None
    enrolment.cancelled_at = timeutil.now()
    enrolment.cancelled_by_id = actor.id
    db.session.flush()
    if was_enrolled:
        free_seats(edition, enrolment.seats)
    else:
        _close_up_waitlist(edition.id, old_position)
        _withdraw_open_offer(enrolment.id, edition)  # a seat held for them goes on
    enrolment_cancelled.send(current_app._get_current_object(), enrolment_id=enrolment.id)
    return enrolment


def parse_capacity(value: str | int | None) -> int:
    """A capacity from a form: a whole number of zero or more, else Invalid."""
    try:
        capacity = int(str(value).strip())
    except (TypeError, ValueError) as error:
        raise Invalid(_("Enter the number of seats as a whole number, like 20."),
                      field="capacity") from error
    if capacity < 0:
        raise Invalid(_("The number of seats cannot be negative."), field="capacity")
    if capacity > 10000:
        raise Invalid(_("Enter at most 10000 seats."), field="capacity")
    return capacity


def change_capacity(*, edition_id: int, capacity: str | int, actor: User) -> Edition:
    """Change an edition's seats; more seats promote from the waiting list."""
    edition = _edition_with_course(edition_id)
    if not policy.can_manage_course(actor, edition.course):
        raise NotAllowed(_("Only the organiser's coordinators can change the number of seats."))
    capacity = parse_capacity(capacity)
    changed = db.session.execute(
        update(Edition)
        .where(Edition.id == edition.id, Edition.seats_taken <= capacity)
        .values(capacity=capacity)
        .returning(Edition.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if changed is None:
        enrolled = db.session.scalar(select(Edition.seats_taken).where(Edition.id == edition.id))
        raise Invalid(
            _("%(enrolled)s seats are taken (a companion takes one too), so the edition needs "
              "at least %(enrolled)s seats. Cancel enrolments first to go lower.",
              enrolled=enrolled),
            field="capacity",
        )
    _promote_from_waitlist(edition)
    db.session.refresh(edition)
    return edition


def live_enrolments_of(learner_id: int) -> dict[int, Enrolment]:
    """The learner's live enrolments by edition id (for enrol buttons, in one query)."""
    rows = db.session.scalars(
        select(Enrolment).where(
            Enrolment.learner_id == learner_id, Enrolment.status.in_(LIVE_STATUSES)
        )
    )
    return {enrolment.edition_id: enrolment for enrolment in rows}


def trainings_of(learner_id: int) -> list[Enrolment]:
    """A learner's enrolments (not cancelled) with their editions, courses and sessions.

    Two queries whatever the number: the enrolments joined to their editions, courses and
    organisers, then the sessions.
    """
    edition = contains_eager(Enrolment.edition)
    return list(
        db.session.scalars(
            select(Enrolment)
            .join(Enrolment.edition)
            .join(Edition.course)
            .join(Course.organiser)
            .where(Enrolment.learner_id == learner_id, Enrolment.status.in_(LIVE_STATUSES))
            .options(
                edition.contains_eager(Edition.course).contains_eager(Course.organiser),
                edition.selectinload(Edition.sessions),
            )
            .order_by(Edition.starts_on, Enrolment.id)
        )
    )


_STATUS_ORDER = case(
    (Enrolment.status == EnrolmentStatus.ENROLLED, 0),
    (Enrolment.status == EnrolmentStatus.COMPLETED, 1),
    (Enrolment.status == EnrolmentStatus.WAITLISTED, 2),
    else_=3,
)


def roster_of(edition_id: int, viewer: User, context: str = "enrolments") -> list[Enrolment]:
    """Everyone enrolled, waiting or cancelled in an edition, with who enrolled whom (logged:
    what the roster shows includes the answers to the course's questions)."""
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.edition_id == edition_id)
            .options(selectinload(Enrolment.learner), selectinload(Enrolment.enrolled_by))
            .order_by(_STATUS_ORDER, Enrolment.waitlist_position, Enrolment.created_at)
        )
    )
    record_access(viewer, [enrolment.learner_id for enrolment in enrolments], context)
    return enrolments


def enrollable_accounts(organiser_id: int) -> list[User]:
    """The organiser's managed learner accounts (no email), for enrolment on their behalf."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.managed_by_organiser_id == organiser_id, User.is_learner.is_(True),
                   User.anonymised_at.is_(None))
            .order_by(User.name)
        )
    )


def reminder_window(moment: datetime | None = None) -> tuple[datetime, datetime]:
    """Sessions starting in this window get their reminder (one to two days ahead)."""
    moment = moment or timeutil.now()
    return moment + timedelta(days=1), moment + timedelta(days=2)


def write_reminders(moment: datetime | None = None) -> int:
    """Write a reminder for every enrolled learner of sessions starting in about two days."""
    start, end = reminder_window(moment)
    rows = db.session.execute(
        select(TrainingSession, Enrolment.learner_id)
        .join(Enrolment, Enrolment.edition_id == TrainingSession.edition_id)
        .where(
            TrainingSession.starts_at > start,
            TrainingSession.starts_at <= end,
            Enrolment.status == EnrolmentStatus.ENROLLED,
        )
        .options(selectinload(TrainingSession.edition).selectinload(Edition.course))
    ).all()
    learners = {
        user.id: user
        for user in db.session.scalars(select(User).where(User.id.in_({r[1] for r in rows})))
    }
    written = 0
    for session, learner_id in rows:
        if write_notification(
            "reminder",
            learner=learners[learner_id],
            course=session.edition.course,
            edition=session.edition,
            dedupe_key=f"reminder:{session.id}:{learner_id}",
            session=session,
        ):
            written += 1
    return written


def to_phone_list(organiser_id: int, viewer: User) -> list[tuple[Notification, User]]:
    """Messages about the organiser's editions to pass on by phone, oldest first (logged).

    Those for learners without email, and those held for learners who gave a phone number
    but have not confirmed their email address yet.
    """
    rows = [
        (row[0], row[1])
        for row in db.session.execute(
            select(Notification, User)
            .join(User, User.id == Notification.user_id)
            .join(Edition, Edition.id == Notification.edition_id)
            .join(Course, Course.id == Edition.course_id)
            .where(Course.organiser_id == organiser_id,
                   (Notification.status == NotificationStatus.TO_PHONE)
                   | ((Notification.status == NotificationStatus.HELD) & User.phone.is_not(None)))
            .order_by(Notification.created_at, Notification.id)
        )
    ]
    record_access(viewer, [person.id for _notification, person in rows], "to-phone")
    return rows


def mark_phoned(*, notification_id: int, actor: User) -> int:
    """A coordinator passed a message on by phone; returns the organiser's id."""
    row = db.session.execute(
        select(Notification, Course.organiser_id)
        .join(Edition, Edition.id == Notification.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Notification.id == notification_id)
    ).first()
    if row is None:
        raise NotFound(_("This message does not exist."))
    notification, organiser_id = row
    if not policy.can_manage_organiser(actor, organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators can do this."))
    if notification.status not in (NotificationStatus.TO_PHONE, NotificationStatus.HELD):
        raise Conflict(_("This message was already passed on."))
    notification.status = NotificationStatus.SENT
    notification.sent_at = timeutil.now()
    db.session.flush()
    return organiser_id
