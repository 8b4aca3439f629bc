"""Respite in the demo: "Omgaan met dementie" offers respite, the hub has two partners, and the
demo caregiver's respite for her next sessions is arranged through a partner's link."""

from __future__ import annotations

from sqlalchemy import select

from college import timeutil
from college.accounts.models import User
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.enrolment.services import enrol_learner
from college.extensions import db
from college.regions.models import Municipality
from college.respite import links, services


def arrange_respite_in_demo(caregiver_email: str, coordinator_email: str) -> None:
    """A caregiver asks respite with an enrolment, the hub asks a partner, the partner confirms."""
    coordinator = db.session.scalar(select(User).where(User.email == coordinator_email))
    caregiver = db.session.scalar(select(User).where(User.email == caregiver_email))
    organiser_id = coordinator.memberships[0].organiser_id
    courses = list(db.session.scalars(select(Course).where(
        Course.organiser_id == organiser_id, Course.title == "Omgaan met dementie")))
    for course in courses:
        course.offers_respite = True
    codes = {m.nis_code: m for m in db.session.scalars(select(Municipality))}
    served = [codes[code].id for code in ("44083", "44081", "44064") if code in codes]
    partner = services.save_partner(
        organiser_id=organiser_id, actor=coordinator, name="Oppasdienst Samana Leiestreek",
        email="oppas.leiestreek@example.be", phone="09 386 55 66", kinds=["company", "personal_care"],
        municipality_ids=served)
    services.save_partner(
        organiser_id=organiser_id, actor=coordinator, name="Dagcentrum De Linde",
        email="delinde@example.be", phone=None, kinds=["day_centre"], municipality_ids=served[:1])
    upcoming = db.session.scalar(
        select(Edition).where(Edition.course_id.in_([c.id for c in courses]),
                              Edition.id.in_(select(TrainingSession.edition_id).where(
                                  TrainingSession.starts_at > timeutil.now())))
        .order_by(Edition.starts_on))
    if upcoming is None:
        return
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.edition_id == upcoming.id, Enrolment.learner_id == caregiver.id,
        Enrolment.status.in_((EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED))))
    if enrolment is None:
        enrolment = enrol_learner(edition_id=upcoming.id, actor=caregiver)
    request = services.request_respite(
        enrolment_id=enrolment.id, actor=caregiver, kind="company",
        municipality_id=served[0] if served else next(iter(codes.values())).id,
        address="Kerkstraat 12, 9800 Deinze", mobility="Stapt met een rollator",
        language="Nederlands", note="Jef houdt van een kaartje leggen.", consent=True)
    services.ask_partner(request_id=request.id, partner_id=partner.id, actor=coordinator)
    services.answer_as_partner(links.make_token(request.id, partner.id), confirm=True,
                               helper_first_name="Greet")
    db.session.flush()
