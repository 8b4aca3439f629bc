"""What the catalogue pages read, each in a fixed number of queries."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from college import timeutil
from college.accounts.models import Kind, Organiser, User
from college.accreditation.models import CourseAccreditation
from college.catalogue.models import CoOrganiser, Course, Edition, Track
from college.errors import NotFound
from college.extensions import db
from college.policy import can_see_course, can_see_edition


def track_for(user: User) -> Track:
    """The track a learner sees first: professionals theirs, everyone else the caregivers'."""
    if user.is_authenticated and user.kind == Kind.PROFESSIONAL:
        return Track.PROFESSIONALS
    return Track.CAREGIVERS


@dataclass(frozen=True)
class CatalogueFilter:
    """What a visitor asked the catalogue for."""

    track: Track
    organiser_id: int | None = None
    municipality: str = ""
    place: str = ""
    month: date | None = None  # the first day of the month
    words: str = ""

    def query_args(self) -> dict:
        """The filters as the catalogue's query string has them (to link to another page)."""
        args = {"track": self.track.value, "organiser": self.organiser_id,
                "municipality": self.municipality, "place": self.place,
                "month": self.month.strftime("%Y-%m") if self.month else None, "q": self.words}
        return {key: value for key, value in args.items() if value}

    def edition_conditions(self) -> list:
        """Conditions on the editions shown: upcoming, and in the chosen place and month."""
        conditions = [Edition.ends_on >= timeutil.today()]
        if self.place:
            conditions.append(func.lower(Edition.place) == self.place.lower())
        if self.month:
            last_day = calendar.monthrange(self.month.year, self.month.month)[1]
            conditions.append(Edition.starts_on <= self.month.replace(day=last_day))
            conditions.append(Edition.ends_on >= self.month)
        return conditions


#: Courses on one page of the catalogue.
PAGE_SIZE = 20


@dataclass(frozen=True)
class CataloguePage:
    """One page of the catalogue: its courses, and how many match in all."""

    courses: list[Course]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def catalogue(filters: CatalogueFilter, page: int = 1) -> CataloguePage:
    """A page of published courses of a track with their matching upcoming editions, and
    their accreditations for professionals (3 or 4 queries)."""
    edition_conditions = filters.edition_conditions()
    statement = (
        select(Course)
        .join(Course.organiser)
        .where(Course.published.is_(True), Course.open_to(filters.track))
    )
    if filters.organiser_id:
        statement = statement.where(Course.organiser_id == filters.organiser_id)
    if filters.municipality:
        statement = statement.where(Organiser.municipality == filters.municipality)
    if filters.words.strip():
        statement = statement.where(Course.matching(filters.words))
    if filters.place or filters.month:
        statement = statement.where(
            exists().where(Edition.course_id == Course.id, *edition_conditions)
        )
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    options = [contains_eager(Course.organiser),
               selectinload(Course.editions.and_(*edition_conditions))]
    if filters.track == Track.PROFESSIONALS:  # only professionals are shown accreditations
        options.append(selectinload(Course.accreditations).joinedload(CourseAccreditation.scheme))
    courses = list(db.session.scalars(
        statement.options(*options)
        .order_by(Course.title, Course.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).unique())
    return CataloguePage(courses=courses, total=total, page=page)


def catalogue_organisers(track: Track) -> list[Organiser]:
    """Organisers with published courses in the track, for the filter."""
    has_courses = exists().where(
        Course.organiser_id == Organiser.id, Course.published.is_(True), Course.open_to(track)
    )
    return list(db.session.scalars(select(Organiser).where(has_courses).order_by(Organiser.name)))


def catalogue_places(track: Track) -> list[str]:
    """Places of upcoming editions of published courses in the track, for the filter."""
    return list(
        db.session.scalars(
            select(Edition.place)
            .join(Course, Course.id == Edition.course_id)
            .where(
                Course.published.is_(True),
                Course.open_to(track),
                Edition.ends_on >= timeutil.today(),
                Edition.place != "",
            )
            .distinct()
            .order_by(Edition.place)
        )
    )


def coming_months(count: int = 12) -> list[date]:
    """The first days of this month and the next ones, for the month filter."""
    first = timeutil.today().replace(day=1)
    months = []
    for offset in range(count):
        year, month = divmod(first.month - 1 + offset, 12)
        months.append(date(first.year + year, month + 1, 1))
    return months


def _course_with_editions(course_id: int, *edition_conditions) -> Course | None:
    editions = Course.editions.and_(*edition_conditions) if edition_conditions else Course.editions
    return db.session.execute(
        select(Course)
        .where(Course.id == course_id)
        .options(
            joinedload(Course.organiser),
            # In the course's own query: a page of a course pays nothing for its partners.
            joinedload(Course.co_organisers).joinedload(CoOrganiser.organiser),
            selectinload(editions).selectinload(Edition.sessions),
            selectinload(editions).selectinload(Edition.trainers),
            selectinload(Course.accreditations).joinedload(CourseAccreditation.scheme),
        )
    ).unique().scalar_one_or_none()


def course_page(course_id: int, user: User | None) -> Course:
    """A course with its upcoming editions, sessions and trainers; NotFound unless visible."""
    course = _course_with_editions(course_id, Edition.ends_on >= timeutil.today())
    if course is None or not can_see_course(user, course):
        raise NotFound(_("This course does not exist."))
    return course


def visible_course(course_id: int, user: User | None) -> Course:
    """The course with its organiser, if the user may see it; else NotFound.

    A draft answers exactly like a course that does not exist, on every surface.
    """
    course = db.session.scalar(
        select(Course).where(Course.id == course_id).options(joinedload(Course.organiser))
    )
    if course is None or not can_see_course(user, course):
        raise NotFound(_("This course does not exist."))
    return course


def visible_edition(edition_id: int, user: User | None) -> Edition:
    """The edition with its course, organiser, sessions and trainers, if visible; else NotFound."""
    edition = edition_with_course(edition_id)
    if edition is None or not can_see_edition(user, edition):
        raise NotFound(_("This edition does not exist."))
    return edition


def managed_course(course_id: int) -> Course | None:
    """A course with all its editions, sessions and trainers, for its coordinators."""
    return _course_with_editions(course_id)


def organiser_courses(organiser_id: int) -> list[Course]:
    """All courses an organiser organises (alone or with others) with their editions, for its
    coordinators."""
    return list(
        db.session.scalars(
            select(Course)
            .where(Course.organised_by(organiser_id))
            .options(selectinload(Course.editions))
            .order_by(Course.title, Course.id)
        )
    )


def edition_with_course(edition_id: int) -> Edition | None:
    """An edition with its course, organiser, sessions and trainers."""
    return db.session.scalar(
        select(Edition)
        .where(Edition.id == edition_id)
        .options(
            joinedload(Edition.course).joinedload(Course.organiser),
            selectinload(Edition.sessions),
            selectinload(Edition.trainers),
        )
    )
