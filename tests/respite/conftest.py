"""A hub that offers respite: a course with two sessions, a caregiver, a municipality, a partner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from college import timeutil
from college.extensions import db
from college.regions.models import Municipality
from college.respite.models import PartnerMunicipality, RespitePartner


@dataclass
class RespiteWorld:
    hub: object
    coordinator: object
    trainer: object
    caregiver: object
    course: object
    edition: object
    sessions: list
    gent: object
    partner: object
    other_hub: object
    other_coordinator: object
    other_partner: object
    stranger: object

    def respite_form(self, **changes) -> dict:
        """The enrol form's respite part as a caregiver fills it in."""
        form = {"respite": "y", "respite_sessions": [str(s.id) for s in self.sessions],
                "respite_kind": "company", "respite_municipality_id": str(self.gent.id),
                "respite_address": "Kerkstraat 1, 9000 Gent", "respite_mobility": "rolstoel",
                "respite_language": "Nederlands", "respite_note": "Jef houdt van kaarten",
                "respite_consent": "y"}
        return {key: value for key, value in (form | changes).items() if value is not None}

    def api_body(self, **changes) -> dict:
        body = {"session_ids": [s.id for s in self.sessions], "kind": "company",
                "municipality_id": self.gent.id, "address": "Kerkstraat 1, 9000 Gent",
                "mobility": "rolstoel", "language": "Nederlands", "note": "Jef houdt van kaarten",
                "consent": True}
        return {key: value for key, value in (body | changes).items() if value is not None}


def partner(hub, municipality, name="Oppasdienst Samana", kinds="company personal_care"):
    made = RespitePartner(organiser_id=hub.id, name=name, email=f"{name.split()[-1].lower()}@example.be",
                          kinds=kinds)
    db.session.add(made)
    db.session.flush()
    db.session.add(PartnerMunicipality(partner_id=made.id, municipality_id=municipality.id))
    db.session.commit()
    return made


@pytest.fixture()
def world(make) -> RespiteWorld:
    hub = make.organiser("Mantelzorghub Gent")
    other_hub = make.organiser("Mantelzorghub Aalst")
    course = make.course(hub, title="Omgaan met dementie", offers_respite=True)
    starts_on = timeutil.today() + timedelta(days=14)
    trainer = make.trainer(hub)
    edition = make.edition(course, starts_on=starts_on, sessions=2, trainers=[trainer])
    gent = Municipality(nis_code="44021", name="Gent", postcodes="9000")
    db.session.add(gent)
    db.session.commit()
    from sqlalchemy import select

    from college.catalogue.models import TrainingSession
    sessions = list(db.session.scalars(select(TrainingSession).where(
        TrainingSession.edition_id == edition.id).order_by(TrainingSession.starts_at)))
    return RespiteWorld(
        hub=hub, coordinator=make.coordinator(hub, name="Coördinator Gent"), trainer=trainer,
        caregiver=make.learner(name="Maria Peeters"), course=course, edition=edition,
        sessions=sessions, gent=gent, partner=partner(hub, gent), other_hub=other_hub,
        other_coordinator=make.coordinator(other_hub),
        other_partner=partner(other_hub, gent, name="Thuiszorg Aalst"),
        stranger=make.learner(name="Vreemde"))


def just_before(moment: datetime) -> datetime:
    return moment - timedelta(seconds=1)
