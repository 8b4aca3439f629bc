"""Regions: who reads a region's figures, what they may see of them (aggregates, never fewer
than five people), their CSV tables, and setting a region up."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import select

from college import policy
from college.accounts.models import Organiser, User
from college.dashboards.cache import kept
from college.dashboards.definitions import (
    FUNNEL,
    ORGANISER_FIGURES,
    RATE_FIGURES,
    TABLE_FIGURES,
    definitions,
    label,
)
from college.dashboards.disclosure import too_few, too_few_to_describe, withhold
from college.dashboards.organiser import FIGURE_NAMES, KINDS, Period
from college.dashboards.services import parse_period
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.regions.figures import ROLL_UP, Part, region_counts
from college.regions.models import Region, RegionCoordinator, RegionMember
from college.respite.figures import respite_rate

#: Counts of people (enrolments hold one person each); marks go with those who took part.
PEOPLE_COUNTS = ("seats_taken", "waitlisted", "enrolled", "took_part", "completed", "certified")
MARKS = ("attended_marks", "recorded_marks")
#: A rate is withheld with any of the counts it is made of.
RATE_PARTS = {"fill_rate": ("seats_taken",), "attendance_rate": ("enrolled", "took_part"),
              "completion_rate": ("enrolled", "completed"),
              "evaluation_response_rate": ("evaluations_invited", "evaluations_answered")}
REACH_KEYS = tuple(f"{stage}.{kind}" for stage in FUNNEL for kind in KINDS)
NEW_RETURNING = ("new_learners", "returning_learners")
#: The evaluation figures (counts of people, and the rate made of them).
EVALUATION_COUNTS = ("evaluations_invited", "evaluations_answered")
EVALUATION_FIGURES = (*EVALUATION_COUNTS, "evaluation_response_rate")
#: The respite figures (counts of requests, and attendance rates with and without respite),
#: from `college.respite.figures`, the organiser's dashboard's own.
RESPITE_COUNTS = ("respite_requests", "respite_arranged", "respite_not_possible")
RESPITE_RATES = {"respite_attendance_with": "people_with",
                 "respite_attendance_without": "people_without"}
RESPITE_FIGURES = (*RESPITE_COUNTS, *RESPITE_RATES)
ABOUT_PEOPLE = (*PEOPLE_COUNTS, *MARKS, *RATE_FIGURES, *REACH_KEYS, *NEW_RETURNING,
                *EVALUATION_FIGURES, *RESPITE_FIGURES)
#: Counts whose members' cells add up to the region's: withheld per column.
COLUMNS = (*PEOPLE_COUNTS, *REACH_KEYS, *EVALUATION_COUNTS, *RESPITE_COUNTS)
#: What the region's page, report and export define.
REGION_FIGURES = (*ORGANISER_FIGURES, *EVALUATION_FIGURES, *RESPITE_FIGURES)


@dataclass
class Row:
    """A member's (or the region's) figures as they may be shown: None where withheld."""

    name: str
    organiser_id: int | None
    values: dict[str, int | float | None]
    withheld: frozenset[str]

    def __getitem__(self, key: str) -> int | float | None:
        return self.values[key]


@dataclass
class RegionReport:
    region: Region
    period: Period
    members: list[Row]
    total: Row
    #: Does any edition of the period offer respite or have requests (show its figures)?
    has_respite: bool = False


def _raw(part: Part) -> dict[str, int | float | None]:
    values: dict[str, int | float | None] = {
        key: getattr(part.figures, key) for key in (*FIGURE_NAMES, *RATE_FIGURES)}
    for stage in FUNNEL:
        for kind in KINDS:
            values[f"{stage}.{kind}"] = part.reach[stage][kind]
    values["new_learners"], values["returning_learners"] = part.new_learners, part.returning_learners
    invited, answered = part.evaluations_invited, part.evaluations_answered
    values["evaluations_invited"], values["evaluations_answered"] = invited, answered
    values["evaluation_response_rate"] = round(100 * answered / invited, 1) if invited else None
    respite = part.respite
    for key in RESPITE_COUNTS:
        values[key] = respite.get(key.removeprefix("respite_"), 0)
    for key, people in RESPITE_RATES.items():
        kind = people.removeprefix("people_")
        values[key] = respite_rate(respite.get(f"attended_{kind}", 0),
                                   respite.get(f"recorded_{kind}", 0), respite.get(people, 0))
    return values


def _small_respite_groups(part: Part) -> set[str]:
    """The respite rates about a group of one to four learners (withheld, the dashboard's rule)."""
    return {key for key, people in RESPITE_RATES.items()
            if part.respite.get(people, 0) and too_few_to_describe(part.respite[people])}


def _finish(hidden: set[str], values: dict) -> None:
    """Marks and rates follow the counts they are made of."""
    if {"enrolled", "took_part"} & hidden:
        hidden.update(MARKS)
    for rate, parts in RATE_PARTS.items():
        if hidden.intersection(parts):
            hidden.add(rate)


def _row(name: str, organiser_id: int | None, values: dict, hidden: set[str]) -> Row:
    return Row(name, organiser_id, {k: None if k in hidden else v for k, v in values.items()},
               frozenset(hidden))


def shown_figures(counts) -> tuple[list[Row], Row]:
    """The members' and the region's figures with every figure about fewer than five people
    withheld (see `college.dashboards.disclosure`)."""
    raw = {organiser.id: _raw(part) for organiser, part in counts.members}
    hidden: dict[int, set[str]] = {
        organiser.id: set(ABOUT_PEOPLE) if too_few(part.people) else _small_respite_groups(part)
        for organiser, part in counts.members}
    # Columns: the members' cells add up to the region's (each edition in one member).
    for key in COLUMNS:
        column = withhold({oid: values[key] for oid, values in raw.items()},
                          {oid for oid in raw if key in hidden[oid]})
        for oid, value in column.items():
            if value is None:
                hidden[oid].add(key)
    members = []
    for organiser, _part in counts.members:
        oid = organiser.id
        pair = withhold({key: raw[oid][key] for key in NEW_RETURNING}, hidden[oid] & set(NEW_RETURNING))
        hidden[oid].update(key for key, value in pair.items() if value is None)
        _finish(hidden[oid], raw[oid])
        members.append(_row(organiser.name, oid, raw[oid], hidden[oid]))

    total_values = _raw(counts.total)
    if too_few(counts.total.people):
        total_hidden = set(ABOUT_PEOPLE)
    else:
        total_hidden = {key for key in COLUMNS if too_few(total_values[key])}
        total_hidden |= _small_respite_groups(counts.total)
        pair = withhold({key: total_values[key] for key in NEW_RETURNING})
        total_hidden.update(key for key, value in pair.items() if value is None)
    _finish(total_hidden, total_values)
    return members, _row(_("Region"), None, total_values, total_hidden)


@dataclass
class RegionFigures:
    """The rows of a region's roll-up as they may be shown, and what the report asks of them:
    what is kept in Redis per region and period."""

    members: list[Row]
    total: Row
    has_respite: bool
    #: Editions of the members that started in the period (none: nothing to report).
    editions: int


def region_figures(region: Region, period: Period) -> RegionFigures:
    """The region's roll-up of a period, computed now (six queries)."""
    counts = region_counts(region, period)
    members, total = shown_figures(counts)
    return RegionFigures(members, total, has_respite=bool(counts.total.respite),
                         editions=counts.total.figures.editions)


def kept_region_figures(region: Region, period: Period) -> RegionFigures:
    """The region's roll-up of a period: the kept one while nothing it reads changed
    (`college.regions.figures.ROLL_UP`), else computed and kept."""
    figures = kept(ROLL_UP, "region-figures", region.id, period,
                   lambda: region_figures(region, period), figures_to_json, figures_from_json)
    # The total's name is the reader's language, not that of whoever computed it.
    return replace(figures, total=replace(figures.total, name=_("Region")))


def figures_to_json(figures: RegionFigures) -> str:
    """The roll-up as JSON (the withheld keys as a sorted list)."""
    return json.dumps(asdict(figures), default=sorted)


def figures_from_json(text: str | bytes) -> RegionFigures:
    """The roll-up `figures_to_json` wrote."""
    data = json.loads(text)
    row = lambda fields: Row(**{**fields, "withheld": frozenset(fields["withheld"])})  # noqa: E731
    return RegionFigures(members=[row(member) for member in data["members"]],
                         total=row(data["total"]), has_respite=data["has_respite"],
                         editions=data["editions"])


def region_to_report(viewer: User, region_id: int) -> Region:
    """The region whose figures the viewer asks for: its regional coordinators only."""
    region = db.session.get(Region, region_id)
    if region is None:
        raise NotFound(_("This region does not exist."))
    if not policy.can_read_region_figures(viewer, region.id):
        raise NotAllowed(_("Only the region's regional coordinators can see its figures."))
    return region


def region_report(viewer: User, region_id: int, start: str | None, end: str | None) -> RegionReport:
    """The region's figures of a period, for its page, CSV tables, PDF and the API."""
    region = region_to_report(viewer, region_id)
    period = parse_period(start, end)
    figures = kept_region_figures(region, period)
    if figures.editions == 0:
        raise Invalid(_("No edition of the region's members started in this period. "
                        "Choose another period."), field="start")
    return RegionReport(region, period, figures.members, figures.total,
                        has_respite=figures.has_respite)


def regions_of(viewer: User) -> list[Region]:
    """The regions the viewer coordinates, by name."""
    ids = policy.regions_coordinated_by(viewer)
    if not ids:
        return []
    return list(db.session.scalars(select(Region).where(Region.id.in_(ids)).order_by(Region.name)))


def withheld_text() -> str:
    """What a withheld cell says, in the reader's language."""
    return _("withheld")


TABLES = ("members", "reach", "evaluation", "respite", "definitions")


def table(report: RegionReport, name: str) -> tuple[list[str], list[list[object]]]:
    """One of the region's tables as a header and rows, for CSV export; a withheld cell says so."""
    hidden = withheld_text()

    def cell(row: Row, key: str) -> object:
        if key in row.withheld:
            return hidden
        value = row[key]
        return "" if value is None else value

    rows = [*report.members, report.total]
    if name == "members":
        header = [_("Organiser"), *(label(key) if key not in RATE_FIGURES else f"{label(key)} (%)"
                                    for key in TABLE_FIGURES)]
        return header, [[row.name, *(cell(row, key) for key in TABLE_FIGURES)] for row in rows]
    if name == "reach":
        kinds = {"caregiver": _("Caregivers"), "professional": _("Professionals")}
        header = [_("Organiser"), *(f"{label(stage)}: {kinds[kind]}" for stage in FUNNEL
                                    for kind in KINDS),
                  label("new_learners"), label("returning_learners")]
        return header, [[row.name, *(cell(row, key) for key in (*REACH_KEYS, *NEW_RETURNING))]
                        for row in rows]
    if name == "evaluation":
        header = [_("Organiser"), *(label(key) if key != "evaluation_response_rate"
                                    else f"{label(key)} (%)" for key in EVALUATION_FIGURES)]
        return header, [[row.name, *(cell(row, key) for key in EVALUATION_FIGURES)] for row in rows]
    if name == "respite":
        header = [_("Organiser"), *(label(key) for key in RESPITE_FIGURES)]
        return header, [[row.name, *(cell(row, key) for key in RESPITE_FIGURES)] for row in rows]
    if name == "definitions":
        return [_("Figure"), _("Key"), _("How we count")], [
            [figure_label, key, text] for key, figure_label, text in definitions(REGION_FIGURES)]
    raise KeyError(name)


def create_region(name: str, slug: str) -> Region:
    """A new region, without members yet."""
    name, slug = name.strip(), slug.strip().lower()
    if not name or not slug:
        raise Invalid(_("Give the region a name and a short name for its web address."))
    if Region.by_slug(slug) is not None:
        raise Conflict(_("A region with this short name exists already."), field="slug")
    region = Region(name=name, slug=slug)
    db.session.add(region)
    db.session.flush()
    return region


def add_member(region: Region, organiser: Organiser) -> None:
    """The organiser joins the region (once)."""
    if db.session.get(RegionMember, (region.id, organiser.id)) is None:
        db.session.add(RegionMember(region_id=region.id, organiser_id=organiser.id))
        db.session.flush()


def add_regional_coordinator(region: Region, user: User) -> None:
    """The user becomes a regional coordinator of the region (once)."""
    if user.anonymised_at is not None or user.is_managed:
        raise Invalid(_("Only someone who can log in can be a regional coordinator."))
    if db.session.get(RegionCoordinator, (region.id, user.id)) is None:
        db.session.add(RegionCoordinator(region_id=region.id, user_id=user.id))
        db.session.flush()
