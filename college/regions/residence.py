"""Where learners live: the installation's list of municipalities, the one a learner may give,
the ones an organiser or a region serves, and the reach per municipality of residence and year."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, delete, extract, func, select

from college import policy
from college.accounts.models import Kind, Organiser, User
from college.catalogue.models import Edition, course_organisers
from college.dashboards.disclosure import too_few, withhold
from college.dashboards.organiser import Period
from college.dashboards.services import organiser_to_report, parse_period
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.errors import Invalid, NotAllowed, NotFound
from college.extensions import db
from college.regions.models import (
    Municipality,
    RegionMember,
    RegionMunicipality,
    Residence,
    ServedMunicipality,
)
from college.regions.services import region_to_report, withheld_text


def municipalities() -> list[Municipality]:
    """The installation's list, by name."""
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


def residence_of(user: User) -> Municipality | None:
    """The municipality the user gave, if any."""
    residence = db.session.get(Residence, user.id)
    return residence.municipality if residence else None


def set_residence(user: User, municipality_id: int | None) -> Municipality | None:
    """The learner gives (or, with None, removes) the municipality they live in."""
    if municipality_id is None:
        db.session.execute(delete(Residence).where(Residence.user_id == user.id))
        return None
    municipality = db.session.get(Municipality, municipality_id)
    if municipality is None:
        raise Invalid(_("Choose your municipality from the list."), field="municipality_id")
    residence = db.session.get(Residence, user.id)
    if residence is None:
        db.session.add(Residence(user_id=user.id, municipality_id=municipality.id))
    else:
        residence.municipality_id = municipality.id
    db.session.flush()
    return municipality


def erase_residence(user_id: int) -> None:
    """Erasure: the municipality a learner gave goes with their personal data."""
    db.session.execute(delete(Residence).where(Residence.user_id == user_id))


def import_municipalities(text: str) -> int:
    """Add or update the list from CSV lines "nis_code;name;postcodes;population" (a header
    line first; postcodes separated by spaces; population may be empty). Returns the count."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))[1:]
    known = {m.nis_code: m for m in municipalities()}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row] + [""] * 4
        nis_code, name, postcodes, population = cells[:4]
        if not (len(nis_code) == 5 and nis_code.isdigit() and name):
            raise Invalid(_("Line %(number)d: give a five-digit NIS code and a name.", number=number))
        if population and not (population.isdigit() and int(population) > 0):
            raise Invalid(_("Line %(number)d: the population is not a whole number.", number=number))
        municipality = known.get(nis_code) or Municipality(nis_code=nis_code)
        municipality.name, municipality.postcodes = name, " ".join(postcodes.split())
        municipality.population = int(population) if population else None
        db.session.add(municipality)
        known[nis_code] = municipality
    db.session.flush()
    return len(known)


def served_by(organiser_id: int) -> list[Municipality]:
    """The municipalities the organiser serves, by name."""
    return list(db.session.scalars(
        select(Municipality).join(ServedMunicipality)
        .where(ServedMunicipality.organiser_id == organiser_id).order_by(Municipality.name)))


def set_served_municipalities(actor: User, organiser_id: int, ids: list[int]) -> list[Municipality]:
    """The organiser's coordinators say which municipalities it serves (the whole list)."""
    if db.session.get(Organiser, organiser_id) is None:
        raise NotFound(_("This organiser does not exist."))
    if not policy.can_manage_organiser(actor, organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators can change this."))
    wanted = set(ids)
    found = set(db.session.scalars(select(Municipality.id).where(Municipality.id.in_(wanted))))
    if wanted - found:
        raise Invalid(_("Choose the municipalities from the list."), field="municipality_ids")
    db.session.execute(delete(ServedMunicipality).where(
        ServedMunicipality.organiser_id == organiser_id))
    db.session.add_all(ServedMunicipality(organiser_id=organiser_id, municipality_id=mid)
                       for mid in sorted(wanted))
    db.session.flush()
    return served_by(organiser_id)


def region_municipalities(region_id: int) -> list[RegionMunicipality]:
    """The municipalities the region serves, by name, each with the region's population."""
    return list(db.session.scalars(
        select(RegionMunicipality).join(Municipality)
        .where(RegionMunicipality.region_id == region_id).order_by(Municipality.name)))


def region_municipalities_for(viewer: User, region_id: int) -> list[RegionMunicipality]:
    """The region's list, for its regional coordinators."""
    return region_municipalities(region_to_report(viewer, region_id).id)


#: More than any municipality has: a typing slip, not a population.
MAX_POPULATION = 100_000_000


def _population(value: int | str | None) -> int | None:
    """A population as typed ("12 500" or "") or sent (a whole number or null)."""
    if isinstance(value, str):
        value = "".join(value.split()).replace(".", "")
        if not value:
            return None
        if not value.isdigit():
            value = -1
    if value is not None and (isinstance(value, bool) or not 1 <= int(value) <= MAX_POPULATION):
        raise Invalid(_("A population is a whole number above zero."), field="population")
    return None if value is None else int(value)


def set_region_municipalities(actor: User, region_id: int,
                              chosen: dict[int, int | str | None]) -> list[RegionMunicipality]:
    """The regional coordinators say which municipalities the region serves (the whole list),
    each with the population the region counts for it where it wishes (None: none)."""
    region = region_to_report(actor, region_id)
    found = set(db.session.scalars(select(Municipality.id).where(Municipality.id.in_(chosen))))
    if set(chosen) - found:
        raise Invalid(_("Choose the municipalities from the list."), field="municipality_ids")
    chosen = {mid: _population(value) for mid, value in chosen.items()}
    db.session.execute(delete(RegionMunicipality).where(RegionMunicipality.region_id == region.id))
    db.session.add_all(RegionMunicipality(region_id=region.id, municipality_id=mid,
                                          population=chosen[mid]) for mid in sorted(chosen))
    db.session.flush()
    return region_municipalities(region.id)


# --------------------------------------------------------------------------- reach


@dataclass
class ReachRow:
    """People reached in a year from one municipality of residence (None: not given).
    Counts of one to four people, and what they could be worked out from, are None."""

    year: int
    municipality: Municipality | None
    caregivers: int | None
    professionals: int | None
    new: int | None
    returning: int | None
    per_1000: float | None
    withheld: frozenset[str]


def _reach_rows(organisers, period: Period,
                populations: dict[int, int] | None = None) -> list[ReachRow]:
    """Distinct people with a seat in the organisers' editions that started in the period,
    per year of the edition's first day, municipality of residence and kind; new when their
    first seat with these organisers was in that year (one query, plus the list). A course
    counts for each organiser that organises it, alone or with others."""
    organising = course_organisers()
    seated = (
        select(Enrolment.learner_id.label("learner_id"), Edition.starts_on.label("starts_on"))
        .join(Edition, Edition.id == Enrolment.edition_id)
        .where(Edition.course_id.in_(select(organising.c.course_id)
                                     .where(organising.c.organiser_id.in_(organisers))),
               Enrolment.status.in_(SEATED_STATUSES))
        .subquery()
    )
    firsts = (select(seated.c.learner_id, func.min(seated.c.starts_on).label("first_day"))
              .group_by(seated.c.learner_id).subquery())
    year = extract("year", seated.c.starts_on)
    people = (
        select(year.label("year"), seated.c.learner_id)
        .where(seated.c.starts_on >= period.start, seated.c.starts_on <= period.end)
        .group_by(year, seated.c.learner_id)
        .subquery()
    )
    is_new = case((extract("year", firsts.c.first_day) == people.c.year, 1), else_=0)
    counts: dict[tuple[int, int | None], dict[str, int]] = {}
    for row in db.session.execute(
        select(people.c.year, Residence.municipality_id, User.kind, func.count().label("people"),
               func.sum(is_new).label("new"))
        .select_from(people)
        .join(User, User.id == people.c.learner_id)
        .join(firsts, firsts.c.learner_id == people.c.learner_id)
        .outerjoin(Residence, Residence.user_id == people.c.learner_id)
        .group_by(people.c.year, Residence.municipality_id, User.kind)
    ).mappings():
        cell = counts.setdefault((int(row["year"]), row["municipality_id"]),
                                 {"caregivers": 0, "professionals": 0, "new": 0, "returning": 0})
        kind = row["kind"].value if isinstance(row["kind"], Kind) else row["kind"]
        if kind in ("caregiver", "professional"):
            cell[f"{kind}s"] += int(row["people"])
        cell["new"] += int(row["new"] or 0)
        cell["returning"] += int(row["people"]) - int(row["new"] or 0)
    by_id = {m.id: m for m in municipalities()}
    rows = []
    for (year_of, municipality_id), cell in sorted(
            counts.items(), key=lambda item: (item[0][0], item[0][1] is None,
                                              by_id[item[0][1]].name if item[0][1] else "")):
        place = by_id.get(municipality_id)
        population = (place.population or (populations or {}).get(place.id)) if place else None
        rows.append(_shown(year_of, place, population, cell))
    return rows


def _shown(year: int, municipality: Municipality | None, population: int | None,
           cell: dict[str, int]) -> ReachRow:
    """The row with every figure about fewer than five people withheld."""
    hidden = {key for key in ("caregivers", "professionals") if too_few(cell[key])}
    pair = withhold({"new": cell["new"], "returning": cell["returning"]})
    hidden.update(key for key, value in pair.items() if value is None)
    people = cell["caregivers"] + cell["professionals"]
    per_1000 = None
    if municipality is not None and population:
        if hidden & {"caregivers", "professionals"} or too_few(people):
            hidden.add("per_1000")
        else:
            per_1000 = round(1000 * people / population, 2)
    value = lambda key: None if key in hidden else cell[key]  # noqa: E731
    return ReachRow(year, municipality, value("caregivers"), value("professionals"), value("new"),
                    value("returning"), per_1000, frozenset(hidden))


def organiser_reach(viewer: User, organiser_id: int, start: str | None,
                    end: str | None) -> tuple[Organiser, Period, list[ReachRow]]:
    """An organiser's reach per municipality of residence (its coordinators)."""
    organiser = organiser_to_report(viewer, organiser_id)
    period = parse_period(start, end)
    return organiser, period, _reach_rows([organiser.id], period)


def region_reach(viewer: User, region_id: int, start: str | None, end: str | None):
    """A region's reach per municipality of residence (its regional coordinators); someone
    who trained with two members counts once."""
    region = region_to_report(viewer, region_id)
    period = parse_period(start, end)
    members = select(RegionMember.organiser_id).where(RegionMember.region_id == region.id)
    # The region's own population figures count where the installation's list has none.
    populations = {served.municipality_id: served.population
                   for served in region_municipalities(region.id) if served.population}
    return region, period, _reach_rows(members, period, populations)


def reach_table(rows: list[ReachRow]) -> tuple[list[str], list[list[object]]]:
    """The reach per municipality as a CSV header and rows; a withheld cell says so."""
    hidden = withheld_text()
    header = [_("Year"), _("Municipality"), _("NIS code"), _("Caregivers"), _("Professionals"),
              _("New"), _("Returning"), _("Per 1,000 inhabitants")]
    out = []
    for row in rows:
        cells = []
        for key in ("caregivers", "professionals", "new", "returning", "per_1000"):
            value = getattr(row, key)
            cells.append(hidden if key in row.withheld else ("" if value is None else value))
        place = row.municipality
        out.append([row.year, place.name if place else _("Not given"),
                    place.nis_code if place else "", *cells])
    return header, out
