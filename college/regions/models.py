"""A region, its member organisers and its regional coordinators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from college import timeutil
from college.accounts.models import Organiser
from college.dbtypes import UTCDateTime
from college.extensions import db


class Region(db.Model):
    """Organisers that organise trainings together and report together."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    members: Mapped[list[RegionMember]] = relationship(
        back_populates="region", lazy="raise", cascade="all, delete-orphan")

    @classmethod
    def by_slug(cls, slug: str) -> Region | None:
        return db.session.scalar(select(cls).where(cls.slug == slug))

    def __repr__(self) -> str:
        return f"<Region {self.slug}>"


class RegionMember(db.Model):
    """An organiser that belongs to a region (it may belong to several)."""

    region_id: Mapped[int] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True)
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)

    region: Mapped[Region] = relationship(back_populates="members", lazy="raise")
    organiser: Mapped[Organiser] = relationship(lazy="raise")


class RegionCoordinator(db.Model):
    """A user's membership of a region in the role of regional coordinator: they read the
    members' aggregated figures, never a person."""

    region_id: Mapped[int] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now)
