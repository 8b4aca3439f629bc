"""Organisers, users and their roles."""

from __future__ import annotations

import enum
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, Select, String, bindparam, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from college import timeutil
from college.dbtypes import UTCDateTime, enum_column
from college.extensions import db

if TYPE_CHECKING:
    from college.catalogue.models import Course
    from college.regions.models import RegionCoordinator


class Kind(enum.Enum):
    """Which track a learner registered for."""

    CAREGIVER = "caregiver"
    PROFESSIONAL = "professional"


class Language(enum.Enum):
    NL = "nl"
    EN = "en"


class Role(enum.Enum):
    """A role; trainer and coordinator are held per organiser, learner on the user itself."""

    LEARNER = "learner"
    TRAINER = "trainer"
    COORDINATOR = "coordinator"


class Organiser(db.Model):
    """A municipality, hub or care organisation that organises courses."""

    __table_args__ = (
        CheckConstraint("waitlist_closes_hours_before BETWEEN 0 AND 720",
                        name="waitlist_closes_hours_before_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    municipality: Mapped[str] = mapped_column(String(120), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_mimetype: Mapped[str | None] = mapped_column(String(40))
    #: When a learner is deleted, may verification still show their certificate as valid?
    verify_anonymised_certificates: Mapped[bool] = mapped_column(default=True)
    #: Hours before an edition starts from which a freed seat stays free (nobody is moved up
    #: from the waiting list or mailed); 0: until the start.
    waitlist_closes_hours_before: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Whom learners call or mail with a question; shown on course pages, mails and the footer.
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_address: Mapped[str] = mapped_column(String(300), default="")
    contact_hours: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    courses: Mapped[list[Course]] = relationship(back_populates="organiser", lazy="raise")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organiser", lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_phone or self.contact_email or self.contact_address)

    @classmethod
    def by_slug(cls, slug: str) -> Organiser | None:
        return db.session.scalar(select(cls).where(cls.slug == slug))

    def __repr__(self) -> str:
        return f"<Organiser {self.slug}>"


class User(UserMixin, db.Model):
    """Anyone who uses the College: learners, trainers and coordinators."""

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "kind IS NOT NULL OR NOT is_learner", name="learner_has_kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; empty for a managed account created by a coordinator.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    #: When the owner of `email` proved it is theirs (a link mailed to it); None: not yet, and
    #: the College mails it nothing but that link (and account mails such as a reset link).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A new address the user asked for; it replaces `email` once its link is opened.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[Kind | None] = mapped_column(enum_column(Kind, "user_kind"))
    is_learner: Mapped[bool] = mapped_column(default=True)
    language: Mapped[Language] = mapped_column(
        enum_column(Language, "user_language"), default=Language.NL
    )
    profession: Mapped[str | None] = mapped_column(String(120))
    registration_number: Mapped[str | None] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(40))
    #: A coordinator's note about a managed account ("calls best in the morning").
    note: Mapped[str | None] = mapped_column(String(500))
    #: Bumped at logout and password change, so copied session cookies stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    #: Secret of the learner's private calendar feed; None when revoked or never made.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    managed_by_organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="SET NULL")
    )
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )
    #: The regions the user coordinates (college.regions), read with the signed-in user.
    region_roles: Mapped[list[RegionCoordinator]] = relationship(viewonly=True)

    # Flask-Login: the id carries the session version, so bumping it ends other sessions.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.anonymised_at is None

    @property
    def email_confirmed(self) -> bool:
        """Has the owner of the email address confirmed it (so the College may mail it)?"""
        return self.email is not None and self.email_confirmed_at is not None

    @property
    def is_managed(self) -> bool:
        """A managed account has no email and cannot log in; a coordinator acts for it."""
        return self.email is None

    @property
    def roles(self) -> set[Role]:
        roles = {membership.role for membership in self.memberships}
        if self.is_learner:
            roles.add(Role.LEARNER)
        return roles

    def organiser_ids(self, role: Role) -> set[int]:
        """Ids of the organisers where this user holds the role."""
        return {m.organiser_id for m in self.memberships if m.role == role}

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.email == email.strip().lower()))

    @classmethod
    def signed_in(cls, user_id: int) -> User | None:
        """The user of a login session or an API token, with their memberships, organisers and
        regional roles (every page's menu and every permission check reads them): one query."""
        return db.session.execute(
            _signed_in_statement(), {"user_id": user_id}).unique().scalar_one_or_none()

    @staticmethod
    def signed_in_query() -> Select[tuple[User]]:
        """How a signed-in user is read, by a page's session or an API token alike: with their
        memberships, organisers and regional roles joined in (call `.unique()` on the result)."""
        return select(User).options(joinedload(User.memberships), joinedload(User.region_roles))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email or '(managed)'}>"


class Membership(db.Model):
    """A staff role (trainer or coordinator) that a user holds at an organiser."""

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "membership_role"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    user: Mapped[User] = relationship(back_populates="memberships", lazy="raise")
    organiser: Mapped[Organiser] = relationship(back_populates="memberships", lazy="joined")

    __table_args__ = (CheckConstraint("role <> 'learner'", name="staff_role"),)


@cache
def _signed_in_statement() -> Select[tuple[User]]:
    """Built once: a request pays for loading its user, not for writing the query again."""
    return User.signed_in_query().where(User.id == bindparam("user_id"))
