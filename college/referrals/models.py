"""A referral of a caregiver to a hub, and what the hub did with it."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from college import timeutil
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db


class ReferralSource(enum.Enum):
    """Where the referral comes from."""

    GP = "gp"
    PHARMACY = "pharmacy"
    HOME_NURSING = "home_nursing"
    HOSPITAL = "hospital"  # the hospital's social service
    OTHER = "other"


class ReferralOutcome(enum.Enum):
    """What the hub recorded after phoning (or trying to)."""

    CONTACTED = "contacted"
    ENROLLED = "enrolled"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    NOT_REACHABLE = "not_reachable"


SOURCE_LABELS = {
    ReferralSource.GP: _l("GP"),
    ReferralSource.PHARMACY: _l("Pharmacy"),
    ReferralSource.HOME_NURSING: _l("Home nursing"),
    ReferralSource.HOSPITAL: _l("Hospital social service"),
    ReferralSource.OTHER: _l("Other"),
}
OUTCOME_LABELS = {
    ReferralOutcome.CONTACTED: _l("Contacted"),
    ReferralOutcome.ENROLLED: _l("Enrolled in a training"),
    ReferralOutcome.REFERRED_ELSEWHERE: _l("Referred elsewhere"),
    ReferralOutcome.NOT_REACHABLE: _l("Not reachable"),
}
#: What the caregiver needs, as the form offers it (stored as keys separated by spaces).
NEEDS = {
    "information": _l("Information"),
    "training": _l("A training"),
    "respite": _l("Respite care"),
    "someone_to_talk_to": _l("Someone to talk to"),
}


class Referral(db.Model):
    """A caregiver referred to an organiser's hub, who agreed to be contacted."""

    __table_args__ = (
        CheckConstraint("caregiver_phone IS NOT NULL OR caregiver_email IS NOT NULL",
                        name="caregiver_reachable"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), index=True)
    caregiver_name: Mapped[str] = mapped_column(String(120))
    caregiver_phone: Mapped[str | None] = mapped_column(String(40))
    caregiver_email: Mapped[str | None] = mapped_column(String(254))
    needs: Mapped[str] = mapped_column(String(100))
    source: Mapped[ReferralSource] = mapped_column(enum_column(ReferralSource, "referral_source"))
    #: When the referrer confirmed that the caregiver agreed to be contacted (required).
    consent_confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The logged-in professional or staff member who referred; None from the public form.
    referred_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: Where the public form's referrer is told that the hub took it up (optional).
    referrer_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    outcome: Mapped[ReferralOutcome | None] = mapped_column(
        enum_column(ReferralOutcome, "referral_outcome"))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The enrolment the caregiver got, when the outcome is "enrolled in a training".
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolment.id", ondelete="SET NULL"))

    @property
    def need_keys(self) -> list[str]:
        return self.needs.split()

    @property
    def taken_up(self) -> bool:
        """Has the hub recorded what it did (all the referrer is told)?"""
        return self.outcome is not None
