"""What a waiting-list offer says, and the signed links in its mail.

Each step of an offer (offered, accepted, declined, expired) is an outbox row, in the
learner's language: mail, held until the address is confirmed, or "To phone" for people
without email (then without links: the coordinator answers for them on the roster). The
links carry a token signed with the SECRET_KEY naming the offer and its learner; it works
without logging in, and only while the offer is open (see `offers.answer_offer`).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from college import timeutil
from college.accounts.models import User
from college.addresses import public_base_url
from college.catalogue.models import Edition
from college.enrolment.models import WaitlistOffer
from college.enrolment.notifications import write_notification

_SALT = "college-waitlist-offer"


def _serializer() -> URLSafeSerializer:
    # No time in the token: the offer's deadline and outcome decide, so a late click gets the
    # offer's own answer ("the time to answer ended"), not a vague "invalid link".
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_offer_token(offer: WaitlistOffer, learner_id: int) -> str:
    """The signed token of an offer's links; it works until the offer is answered or ends."""
    return _serializer().dumps({"offer": offer.id, "learner": learner_id})


def offer_links(offer: WaitlistOffer, learner_id: int) -> dict[str, str]:
    """The "I'll take it" and "I can't" addresses of an offer."""
    base = f"{public_base_url()}/offers/{make_offer_token(offer, learner_id)}"
    return {"accept": f"{base}/accept", "decline": f"{base}/decline"}


def token_names(token: str) -> tuple[int, int] | None:
    """The offer and learner ids a link's token names, or None when it is forged or mangled."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    offer_id, learner_id = payload.get("offer"), payload.get("learner")
    if not (isinstance(offer_id, int) and isinstance(learner_id, int)):
        return None
    return offer_id, learner_id


def tell(kind: str, offer: WaitlistOffer, learner: User, edition: Edition) -> None:
    """Write the step to the outbox (the enrolment's history); mail, held or "To phone"."""
    write_notification(kind, learner=learner, course=edition.course, edition=edition,
                       dedupe_key=f"{kind}:{offer.id}",
                       texts=_texts(kind, offer, learner, edition))


def _texts(kind: str, offer: WaitlistOffer, learner: User, edition: Edition) -> tuple[str, str]:
    """Subject and body of an offer's step, in the learner's language."""
    course = edition.course
    organiser = course.organiser
    with force_locale(learner.language.value):
        facts = {"name": learner.name, "course": course.title,
                 "when": edition.starts_on.strftime("%d/%m/%Y"),
                 "deadline": timeutil.local(offer.expires_at).strftime("%d/%m/%Y %H:%M"),
                 "organiser": organiser.name}
        if kind == "offered":
            subject = _("A seat is free for you: %(course)s", course=course.title)
            if learner.email:
                links = offer_links(offer, learner.id)
                how = _("Do you take it? Choose one:\n\nI'll take it: %(accept)s\n\nI can't: "
                        "%(decline)s\n\nThe links work without logging in, once.", **links)
            else:
                how = _("Let %(organiser)s know whether you take it.", **facts)
            body = _("Dear %(name)s,\n\nA seat became free in \"%(course)s\" (%(when)s) and you "
                     "are first on the waiting list. We hold it for you until %(deadline)s.\n\n"
                     "%(how)s\n\nNo answer by then? Then the seat goes to the next person on the "
                     "waiting list.\n\nCaregivers College", how=how, **facts)
        elif kind == "offer_accepted":
            subject = _("You are enrolled: %(course)s", course=course.title)
            body = _("Dear %(name)s,\n\nYou took the free seat in \"%(course)s\" (%(when)s): "
                     "you are enrolled. We look forward to seeing you.\n\nCaregivers College",
                     **facts)
        elif kind == "offer_declined":
            subject = _("Seat passed on: %(course)s", course=course.title)
            body = _("Dear %(name)s,\n\nYou let the free seat in \"%(course)s\" (%(when)s) go, "
                     "so it goes to the next person and you are off the waiting list. You are "
                     "welcome to enrol again later.\n\nCaregivers College", **facts)
        else:
            subject = _("The seat held for you went on: %(course)s", course=course.title)
            body = _("Dear %(name)s,\n\nWe held a seat in \"%(course)s\" (%(when)s) for you until "
                     "%(deadline)s. We did not hear from you, so it went to the next person and "
                     "you are off the waiting list. You are welcome to enrol again.\n\n"
                     "Caregivers College", **facts)
    return subject, body
