"""RQ jobs of respite: the message to a partner asked, and the retention of care details."""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from college import timeutil
from college.accounts.models import Organiser
from college.accounts.tasks import _deliver
from college.catalogue.models import Course, Edition
from college.enrolment.models import Enrolment
from college.extensions import db
from college.respite import links
from college.respite.models import RespitePartner, RespiteRequest, RespiteSession, RespiteState
from college.respite.services import erase_expired
from college.transactions import unit_of_work

log = logging.getLogger(__name__)


def mail_partner(request_id: int, partner_id: int) -> str:
    """Mail the partner the sessions asked and its link; the details are behind the link."""
    app = current_app._get_current_object()
    partner = db.session.get(RespitePartner, partner_id)
    request = db.session.get(RespiteRequest, request_id)
    if partner is None or request is None:
        return "nothing to ask"
    asked = list(db.session.scalars(
        select(RespiteSession).where(RespiteSession.request_id == request.id,
                                     RespiteSession.partner_id == partner.id,
                                     RespiteSession.state == RespiteState.ASKED)
        .options(selectinload(RespiteSession.session))))
    if not asked:
        return "already answered"
    edition = db.session.scalar(
        select(Edition).join(Enrolment, Enrolment.edition_id == Edition.id)
        .where(Enrolment.id == request.enrolment_id))
    course = db.session.get(Course, edition.course_id)
    organiser = db.session.get(Organiser, course.organiser_id)
    with force_locale("nl"):
        when = "\n".join(
            "- " + timeutil.local(s.session.starts_at).strftime("%d/%m/%Y %H:%M") for s in asked)
        subject = _("Respite asked by %(organiser)s", organiser=organiser.name)
        body = _("Hello %(partner)s,\n\n%(organiser)s asks whether you can take over the care "
                 "for a caregiver who follows a training, at these moments:\n\n%(when)s\n\n"
                 "What the helper needs to know, and the buttons to confirm or decline, are "
                 "here (the link works %(hours)s hours):\n\n%(link)s\n\nThe Caregivers College",
                 partner=partner.name, organiser=organiser.name, when=when,
                 hours=app.config["RESPITE_LINK_HOURS"],
                 link=links.partner_link(request.id, partner.id))
    return _deliver(app, partner.email, subject, body, "respite request")


def erase_expired_respite() -> int:
    """The daily job: erase care details kept RESPITE_RETENTION_DAYS after the edition ended."""
    with unit_of_work():
        erased = erase_expired()
    log.info("respite care details past their retention erased: %s", erased)
    return erased
