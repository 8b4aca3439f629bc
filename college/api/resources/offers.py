"""Waiting-list offers: an edition's offers for its staff, and answering one (logged in or by link)."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy import select

from college import policy
from college.api import auth
from college.api.core import Blueprint
from college.api.pagination import PageArgs, page_schema, paginate
from college.catalogue import queries
from college.enrolment import offers
from college.enrolment.models import OfferOutcome, WaitlistOffer

blp = Blueprint("api_offers", __name__, url_prefix="/api/v1",
                description="Seats offered from an edition's waiting list, and the answers.")


class OfferSchema(ma.Schema):
    """A seat held for someone on the waiting list, and what became of it."""

    id = ma.fields.Integer(required=True)
    edition_id = ma.fields.Integer(required=True)
    enrolment_id = ma.fields.Integer(required=True)
    offered_at = ma.fields.AwareDateTime(required=True)
    expires_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "The seat is held until then; no answer by then passes it on."})
    answered_at = ma.fields.AwareDateTime(required=True, allow_none=True, metadata={
        "description": "When it was accepted, declined, withdrawn, or expired (its deadline)."})
    outcome = ma.fields.Enum(OfferOutcome, by_value=True, required=True)


@blp.get("/editions/<id:edition_id>/offers")
@blp.login_required
@blp.staff_only()
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(OfferSchema))
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_offers(args: dict, edition_id: int):
    """An edition's offers, open and answered (the edition's trainers and coordinators)."""
    user = auth.current_user()
    edition = queries.visible_edition(edition_id, user)
    if not policy.can_teach_edition(user, edition.id, edition.course):
        abort(403, message=_("Only this edition's trainers and the organiser's coordinators "
                             "can see its offers."))
    page = paginate(select(WaitlistOffer).where(WaitlistOffer.edition_id == edition.id),
                    WaitlistOffer.id, args)
    offers.record_offer_access(user, page["items"])
    return page


def _answer(offer_id: int, accept: bool) -> WaitlistOffer:
    user = auth.current_user()
    offer = offers.offer_to_answer(offer_id=offer_id, actor=user)
    return offers.answer_offer(offer, accept=accept, actor=user)


@blp.post("/offers/<id:offer_id>/accept")
@blp.login_required
@blp.response(200, OfferSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def accept_offer(offer_id: int):
    """Take the seat held for you: you are enrolled (or, as coordinator, for someone who phoned)."""
    return _answer(offer_id, accept=True)


@blp.post("/offers/<id:offer_id>/decline")
@blp.login_required
@blp.response(200, OfferSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def decline_offer(offer_id: int):
    """Let the seat held for you go to the next person; you leave the waiting list."""
    return _answer(offer_id, accept=False)


@blp.post("/offer-links/<token>/accept")
@blp.response(200, OfferSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def accept_offer_by_link(token: str):
    """Take the seat with the token of the mailed link, without logging in; it works once."""
    return offers.answer_offer(offers.offer_for_token(token), accept=True, actor=None)


@blp.post("/offer-links/<token>/decline")
@blp.response(200, OfferSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def decline_offer_by_link(token: str):
    """Let the seat go with the token of the mailed link, without logging in; it works once."""
    return offers.answer_offer(offers.offer_for_token(token), accept=False, actor=None)
