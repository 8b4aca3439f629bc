"""Waiting-list offers: a freed seat held for the first on the list, who takes it or passes it on.

An edition in offer mode (`WaitlistMode.OFFER`) does not move people up by itself: a freed
seat is offered to the first person on the waiting list and held for them until the offer's
deadline (`services.offer_expires_at`, which with the holding itself lives next to the seat
counting in `services`). They answer by the signed links in their mail (no login), on
"My trainings", through the API, or by phone to a coordinator who answers for them on the
roster. Accepting takes the held seat; declining, or no answer by the deadline (the worker's
`expire_offers`), takes them off the list and offers the seat to the next person.

A held seat counts in `Edition.seats_taken` from the moment it is offered: it is not free for
anyone else. Every step locks the edition row first (as `services` does), so an acceptance and
the expiry of one offer, or two clicks on one link, are serialised and only the first counts.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from college import policy, timeutil
from college.accounts.models import User
from college.catalogue.models import Course, Edition, WaitlistMode
from college.enrolment import offer_messages
from college.enrolment.models import (
    Enrolment,
    EnrolmentStatus,
    OfferOutcome,
    WaitlistOffer,
)
from college.enrolment.services import (
    _close_up_waitlist,
    _edition_with_course,
    _lock_edition,
    _seats_taken,
    edition_starts_at,
    free_seats,
)
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.privacy.access import record_access

#: The longest hold an organiser can set: two weeks.
MAX_HOLD_HOURS = 336


# ---- answering ---------------------------------------------------------------------------


def offer_for_token(token: str) -> WaitlistOffer:
    """The offer a link names (whatever its state); a forged or mangled link names none."""
    named = offer_messages.token_names(token)
    offer = _offer_with_edition(named[0]) if named else None
    if offer is None or offer.enrolment.learner_id != named[1]:
        raise NotFound(_("This link is not valid. Use the link in your mail, or log in and look "
                         "under \"My trainings\"."))
    return offer


def _offer_with_edition(offer_id: int) -> WaitlistOffer | None:
    return db.session.scalar(
        select(WaitlistOffer).where(WaitlistOffer.id == offer_id)
        .options(selectinload(WaitlistOffer.enrolment).selectinload(Enrolment.learner),
                 selectinload(WaitlistOffer.enrolment).selectinload(Enrolment.edition)
                 .selectinload(Edition.course).selectinload(Course.organiser))
    )


def offer_to_answer(*, offer_id: int, actor: User) -> WaitlistOffer:
    """An offer the actor may answer: their own, or, for a coordinator, one of their organiser."""
    offer = _offer_with_edition(offer_id)
    if offer is None:
        raise NotFound(_("This offer does not exist."))
    course = offer.enrolment.edition.course
    if actor.id != offer.enrolment.learner_id:
        if not policy.is_course_staff(actor, course):
            raise NotFound(_("This offer does not exist."))
        if not policy.can_manage_course(actor, course):
            raise NotAllowed(_("Only the organiser's coordinators can answer for someone else."))
    return offer


def _refusal(offer: WaitlistOffer, edition: Edition) -> Conflict | None:
    """Why this offer cannot be answered now, or None."""
    deadline = timeutil.local(offer.expires_at).strftime("%d/%m/%Y %H:%M")
    if offer.outcome == OfferOutcome.ACCEPTED:
        return Conflict(_("This seat was already taken with this offer: the enrolment stands."))
    if offer.outcome == OfferOutcome.DECLINED:
        return Conflict(_("This offer was already declined, so the seat went to the next person "
                          "on the waiting list."))
    if offer.outcome == OfferOutcome.WITHDRAWN:
        return Conflict(_("This offer ended when the place on the waiting list was cancelled."))
    now = timeutil.now()
    if now >= edition_starts_at(edition):
        return Conflict(_("This edition has already started, so its seats are no longer "
                          "offered."))
    if offer.outcome == OfferOutcome.EXPIRED or now >= offer.expires_at:
        return Conflict(_("Sorry: the time to answer ended on %(deadline)s, so the seat went to "
                          "the next person on the waiting list. You can enrol again if there is "
                          "room.", deadline=deadline))
    return None


def check_answerable(offer: WaitlistOffer) -> None:
    """Raise why this offer cannot be answered now (used, expired, the edition started)."""
    refusal = _refusal(offer, _edition_with_course(offer.edition_id))
    if refusal is not None:
        raise refusal


def answer_offer(offer: WaitlistOffer, *, accept: bool, actor: User | None) -> WaitlistOffer:
    """Take the held seat, or pass it on; `actor` None is the learner by their mailed link."""
    edition = _edition_with_course(offer.edition_id)
    _lock_edition(edition.id)
    db.session.refresh(offer)  # the state after the lock, not before it
    refusal = _refusal(offer, edition)
    if refusal is not None:
        raise refusal
    enrolment = db.session.get(Enrolment, offer.enrolment_id)
    db.session.refresh(enrolment)
    learner = db.session.get(User, enrolment.learner_id)
    on_behalf = actor is not None and actor.id != learner.id
    offer.answered_at = timeutil.now()
    offer.answered_by_id = actor.id if on_behalf else None
    if accept:
        old_position = enrolment.waitlist_position
        offer.outcome = OfferOutcome.ACCEPTED
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.waitlist_position = None
        enrolment.promoted_at = offer.answered_at
        db.session.flush()
        _close_up_waitlist(edition.id, old_position)
        offer_messages.tell("offer_accepted", offer, learner, edition)
        _seats_taken(edition.id, [learner.id])
    else:
        _pass_on(offer, enrolment, edition, OfferOutcome.DECLINED,
                 cancelled_by_id=actor.id if actor is not None else learner.id)
        offer_messages.tell("offer_declined", offer, learner, edition)
    return offer


def _pass_on(offer: WaitlistOffer, enrolment: Enrolment, edition: Edition,
             outcome: OfferOutcome, cancelled_by_id: int | None) -> None:
    """End an offer without a taker: off the list, the held seat freed and offered on."""
    offer.outcome = outcome
    offer.answered_at = offer.answered_at or timeutil.now()
    old_position = enrolment.waitlist_position
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.waitlist_position = None
    enrolment.cancelled_at = offer.answered_at
    enrolment.cancelled_by_id = cancelled_by_id
    db.session.flush()
    _close_up_waitlist(edition.id, old_position)
    free_seats(edition, enrolment.seats)


def expire_offers(moment: datetime | None = None) -> int:
    """End every open offer whose deadline has passed and offer its seat on; returns how many."""
    moment = moment or timeutil.now()
    due = db.session.execute(
        select(WaitlistOffer.id, WaitlistOffer.edition_id)
        .where(WaitlistOffer.outcome == OfferOutcome.OPEN, WaitlistOffer.expires_at <= moment)
        .order_by(WaitlistOffer.expires_at, WaitlistOffer.id)
    ).all()
    expired = 0
    for offer_id, edition_id in due:
        edition = _edition_with_course(edition_id)
        _lock_edition(edition.id)
        offer = db.session.get(WaitlistOffer, offer_id)
        db.session.refresh(offer)
        if offer.outcome != OfferOutcome.OPEN:  # answered just before the lock was ours
            continue
        enrolment = db.session.get(Enrolment, offer.enrolment_id)
        db.session.refresh(enrolment)
        offer.answered_at = offer.expires_at  # it ended at its deadline, whenever this runs
        _pass_on(offer, enrolment, edition, OfferOutcome.EXPIRED, cancelled_by_id=None)
        offer_messages.tell("offer_expired", offer, db.session.get(User, enrolment.learner_id), edition)
        expired += 1
    return expired


# ---- the organiser's choice --------------------------------------------------------------


def parse_hold_hours(value: str | int | None) -> int:
    """A hold time from a form or the API: whole hours from 1 to MAX_HOLD_HOURS, else Invalid."""
    try:
        hours = int(str(value).strip())
    except (TypeError, ValueError) as error:
        raise Invalid(_("Enter the hold time in whole hours, like 48."),
                      field="offer_hold_hours") from error
    if not 1 <= hours <= MAX_HOLD_HOURS:
        raise Invalid(_("Enter a hold time from 1 to %(most)s hours.", most=MAX_HOLD_HOURS),
                      field="offer_hold_hours")
    return hours


def change_waitlist_mode(*, edition_id: int, actor: User, mode: str | WaitlistMode | None = None,
                         hold_hours: str | int | None = None) -> Edition:
    """Set how an edition's freed seats reach the waiting list, and how long an offer holds."""
    edition = _edition_with_course(edition_id)
    if not policy.can_manage_course(actor, edition.course):
        raise NotAllowed(_("Only the organiser's coordinators can change the waiting list."))
    hours = parse_hold_hours(hold_hours) if hold_hours is not None else None
    if mode is not None:
        try:
            edition.waitlist_mode = WaitlistMode(getattr(mode, "value", mode))
        except ValueError as error:
            raise Invalid(_("Choose how freed seats reach the waiting list."),
                          field="waitlist_mode") from error
    if hours is not None:
        edition.offer_hold_hours = hours
    db.session.flush()
    return edition


# ---- what staff and learners see ---------------------------------------------------------


def offers_of_edition(edition_id: int) -> list[WaitlistOffer]:
    """An edition's offers, open ones first, newest first: the roster's history of them.

    Their learners are the edition's enrolments, whose reading `roster_of` logs.
    """
    offers = list(db.session.scalars(
        select(WaitlistOffer).where(WaitlistOffer.edition_id == edition_id)
        .options(selectinload(WaitlistOffer.enrolment).selectinload(Enrolment.learner))
        .order_by((WaitlistOffer.outcome != OfferOutcome.OPEN), WaitlistOffer.offered_at.desc(),
                  WaitlistOffer.id.desc())
    ))
    return offers


def record_offer_access(viewer: User, shown: list[WaitlistOffer]) -> None:
    """Log that the viewer saw these offers' learners (the API's list)."""
    learner_ids = db.session.scalars(
        select(Enrolment.learner_id).join(WaitlistOffer, WaitlistOffer.enrolment_id == Enrolment.id)
        .where(WaitlistOffer.id.in_([offer.id for offer in shown]))
    )
    record_access(viewer, sorted(set(learner_ids)), "enrolments")


def open_offers_of(learner_id: int) -> dict[int, WaitlistOffer]:
    """The learner's open offers by enrolment id (for "My trainings", in one query)."""
    rows = db.session.scalars(
        select(WaitlistOffer).join(Enrolment, Enrolment.id == WaitlistOffer.enrolment_id)
        .where(Enrolment.learner_id == learner_id, WaitlistOffer.outcome == OfferOutcome.OPEN)
    )
    return {offer.enrolment_id: offer for offer in rows}
