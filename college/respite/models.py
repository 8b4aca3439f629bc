"""Respite partners of an organiser, and the respite a caregiver asks with an enrolment."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from college import timeutil
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db

if TYPE_CHECKING:
    from college.catalogue.models import TrainingSession
    from college.enrolment.models import Enrolment


class RespiteKind(enum.Enum):
    """The help the caregiver asks for while they are at the training."""

    COMPANY = "company"  # company and supervision at home
    PERSONAL_CARE = "personal_care"
    DAY_CENTRE = "day_centre"
    BRING_ALONG = "bring_along"  # the person cared for comes along (where the course allows it)


class RespiteState(enum.Enum):
    """Where the respite for one session stands."""

    NEW = "new"
    ASKED = "asked"  # a partner was asked and has not answered yet
    ARRANGED = "arranged"
    NOT_POSSIBLE = "not_possible"
    CANCELLED = "cancelled"


KIND_LABELS = {
    RespiteKind.COMPANY: _l("Company and supervision at home"),
    RespiteKind.PERSONAL_CARE: _l("Personal care at home"),
    RespiteKind.DAY_CENTRE: _l("A day in a day-care centre"),
    RespiteKind.BRING_ALONG: _l("The person I care for comes along to the training"),
}
STATE_LABELS = {
    RespiteState.NEW: _l("asked"),
    RespiteState.ASKED: _l("asked, a partner is looking"),
    RespiteState.ARRANGED: _l("arranged"),
    RespiteState.NOT_POSSIBLE: _l("not possible"),
    RespiteState.CANCELLED: _l("cancelled"),
}
#: States in which the hub still has work to do before the session.
OPEN_STATES = (RespiteState.NEW, RespiteState.ASKED)
#: The states the hub sets by hand (on the board or through the API); "asked" comes from
#: asking a partner.
HUB_STATES = (RespiteState.NEW, RespiteState.ARRANGED, RespiteState.NOT_POSSIBLE,
              RespiteState.CANCELLED)


class RespitePartner(db.Model):
    """A sitter service, home-care service or day centre an organiser arranges respite with."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Where the "ask partner" message goes.
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    #: The kinds of help it gives (RespiteKind values separated by spaces).
    kinds: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    municipalities: Mapped[list[PartnerMunicipality]] = relationship(
        cascade="all, delete-orphan", lazy="raise")

    @property
    def kind_list(self) -> list[RespiteKind]:
        return [RespiteKind(key) for key in self.kinds.split()]

    def __repr__(self) -> str:
        return f"<RespitePartner {self.id} {self.name!r}>"


class PartnerMunicipality(db.Model):
    """A municipality a respite partner serves."""

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("respite_partner.id", ondelete="CASCADE"), primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True, index=True)


class RespiteRequest(db.Model):
    """The respite a caregiver asked with an enrolment: what the helper must know, shared with
    the chosen partner only with the caregiver's consent. The care details are health data:
    erased with the learner, and by the retention job some days after the edition ends."""

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolment.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[RespiteKind] = mapped_column(enum_column(RespiteKind, "respite_kind"))
    #: Where the care is needed (None once erased).
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    mobility: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Who asked when it was not the caregiver (staff on the phone).
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    #: When the care details were erased (the counts stay for the figures).
    details_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship(lazy="raise")
    sessions: Mapped[list[RespiteSession]] = relationship(
        back_populates="request", cascade="all, delete-orphan", lazy="raise",
        order_by="RespiteSession.id")

    def __repr__(self) -> str:
        return f"<RespiteRequest {self.id} of enrolment {self.enrolment_id}>"


class RespiteSession(db.Model):
    """The respite for one session of the edition: its state, the partner, the helper."""

    __table_args__ = (
        Index("uq_respite_session", "request_id", "session_id", unique=True),
        Index("ix_respite_session_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("respite_request.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    state: Mapped[RespiteState] = mapped_column(
        enum_column(RespiteState, "respite_state"), default=RespiteState.NEW)
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("respite_partner.id", ondelete="SET NULL"), index=True)
    helper_first_name: Mapped[str | None] = mapped_column(String(60))
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    request: Mapped[RespiteRequest] = relationship(back_populates="sessions", lazy="raise")
    session: Mapped[TrainingSession] = relationship(lazy="raise")
    partner: Mapped[RespitePartner | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<RespiteSession {self.id} {self.state.value}>"
