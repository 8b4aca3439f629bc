"""A region, its member organisers and its regional coordinators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, select
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


class Municipality(db.Model):
    """A municipality of the installation's list (its NIS code, name and postcodes); learners
    choose theirs from it. The population, where the installation knows it, gives the reach
    per 1,000 inhabitants."""

    __table_args__ = (CheckConstraint("population IS NULL OR population > 0",
                                      name="population_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The five-digit code Statbel gives the municipality.
    nis_code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Its postcodes, separated by spaces ("9800 9810").
    postcodes: Mapped[str] = mapped_column(String(200), default="")
    population: Mapped[int | None] = mapped_column()

    @property
    def label(self) -> str:
        """How the list shows it: "Deinze (9800 9810)"."""
        return f"{self.name} ({self.postcodes})" if self.postcodes else self.name


class ServedMunicipality(db.Model):
    """A municipality an organiser serves (its hub's area)."""

    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True, index=True)


class RegionMunicipality(db.Model):
    """A municipality a region serves, with the population the region counts for it where
    it wishes (its own figure wins over the installation's list in the region's reach)."""

    __table_args__ = (CheckConstraint("population IS NULL OR population > 0",
                                      name="population_positive"),)

    region_id: Mapped[int] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True, index=True)
    population: Mapped[int | None] = mapped_column()

    municipality: Mapped[Municipality] = relationship(lazy="joined")


class Residence(db.Model):
    """The municipality a learner says they live in: optional, theirs to change or remove,
    in their export and gone with their erasure."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=timeutil.now,
                                                 onupdate=timeutil.now)

    municipality: Mapped[Municipality] = relationship(lazy="joined")
