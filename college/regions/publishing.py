"""A region's public list of upcoming trainings: its page, the script-free list a municipality's
website may frame, and the JSON feed, filtered by municipality (the edition's place), track
and month."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import Organiser
from college.catalogue.models import Course, Edition, Track
from college.errors import Invalid, NotFound
from college.extensions import db
from college.regions.models import Region, RegionMember

#: At most this many editions in one list (a region's season).
LIMIT = 200


@dataclass(frozen=True)
class Listing:
    region: Region
    track: Track | None
    place: str
    month: date | None
    editions: list[tuple[Edition, Course, Organiser]]
    places: list[str]


def parse_filters(track: str | None, place: str | None, month: str | None):
    """The filters of the query string; a wrong one is refused with a clear message."""
    try:
        chosen_track = Track(track) if track else None
    except ValueError as error:
        raise Invalid(_("Choose the track caregivers or professionals."), field="track") from error
    try:
        chosen_month = date.fromisoformat(f"{month}-01") if month else None
    except ValueError as error:
        raise Invalid(_("Give the month as year-month, like 2027-03."), field="month") from error
    return chosen_track, (place or "").strip()[:120], chosen_month


def region_listing(region: Region | None, track: str | None, place: str | None,
                   month: str | None) -> Listing:
    """The region's upcoming editions of published courses, soonest first (two queries)."""
    if region is None:
        raise NotFound(_("This region does not exist."))
    chosen_track, chosen_place, chosen_month = parse_filters(track, place, month)
    conditions = [RegionMember.region_id == region.id, Course.published.is_(True),
                  Edition.ends_on >= timeutil.today()]
    upcoming = list(conditions)
    if chosen_track is not None:
        conditions.append(Course.open_to(chosen_track))
    if chosen_place:
        conditions.append(func.lower(Edition.place) == chosen_place.lower())
    if chosen_month is not None:
        last_day = calendar.monthrange(chosen_month.year, chosen_month.month)[1]
        conditions += [Edition.starts_on <= chosen_month.replace(day=last_day),
                       Edition.ends_on >= chosen_month]
    base = (select(Edition, Course, Organiser)
            .join(Course, Course.id == Edition.course_id)
            .join(Organiser, Organiser.id == Course.organiser_id)
            .join(RegionMember, RegionMember.organiser_id == Organiser.id))
    editions = [tuple(row) for row in db.session.execute(
        base.where(*conditions).order_by(Edition.starts_on, Edition.id).limit(LIMIT))]
    places = sorted(set(db.session.scalars(
        select(Edition.place).join(Course, Course.id == Edition.course_id)
        .join(RegionMember, RegionMember.organiser_id == Course.organiser_id)
        .where(*upcoming, Edition.place != ""))))
    return Listing(region, chosen_track, chosen_place, chosen_month, editions, places)


def feed(listing: Listing, course_url) -> dict:
    """The listing as the JSON feed gives it."""
    return {
        "region": {"name": listing.region.name, "slug": listing.region.slug},
        "items": [{"course": course.title, "summary": course.summary, "organiser": organiser.name,
                   "place": edition.place, "starts_on": edition.starts_on.isoformat(),
                   "ends_on": edition.ends_on.isoformat(),
                   "caregivers": course.open_to_caregivers,
                   "professionals": course.open_to_professionals,
                   "url": course_url(course.id)}
                  for edition, course, organiser in listing.editions],
    }
