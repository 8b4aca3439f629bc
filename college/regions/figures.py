"""A region's figures: its members' cohorts side by side and added up, in five queries.

The figures are the coordinator's (`college.dashboards.organiser`): the same enrolment facts,
the same definitions. The region's cohort is its members' editions whose first day falls in
the period; every edition counts once in the total. Reach in the total counts distinct people
across the region: someone who trained with two members is one person reached by the region.
Whatever the region's size, the queries are: the members, the evaluation invitations, the
respite sums per edition, the editions, the reach per member, the reach of the region.
What they read is `ROLL_UP.watched`: the roll-up is kept in Redis until one changes
(`college.regions.services.kept_region_figures`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from college.accounts.models import Kind, Organiser, User
from college.attendance.models import Attendance
from college.catalogue.models import (
    CoOrganiser,
    Course,
    Edition,
    TrainingSession,
    course_organisers,
)
from college.certificates.models import Certificate
from college.dashboards.cache import FIGURES
from college.dashboards.definitions import FUNNEL
from college.dashboards.organiser import KINDS, Figures, Period, enrolment_facts, hash_joins
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.evaluation.models import EvaluationInvitation
from college.evaluation.reports import invitations_per_edition
from college.extensions import db
from college.regions.models import Region, RegionMember
from college.respite.figures import respite_sums_per_edition
from college.respite.models import RespiteRequest, RespiteSession
from college.staleness import Generation, existing_and_going_or_changed, watch

#: The figures of the enrolment facts, as `organiser.Figures` names them.
_SUMMED = {"seats_taken": "seated", "waitlisted": "waiting", "enrolled": "seated",
           "took_part": "took_part", "completed": "completed", "certified": "certified",
           "attended_marks": "attended_marks", "recorded_marks": "recorded_marks"}


def _counts(obj: object) -> bool:
    """An organiser changes the roll-up by its name (its row's, and the rows' order) or by
    going; a new one only once it joins (its membership counts). A user as in the organiser's
    figures: by going or by changing kind."""
    if not isinstance(obj, Organiser):
        return FIGURES.counts(obj)
    return existing_and_going_or_changed(obj, "name")


#: What the region's roll-up reads, so a change to one of these makes every region's stale:
#: who the members are (Region, RegionMember) and their names (Organiser); which editions they
#: organise (Course, CoOrganiser, Edition); the enrolment facts (Enrolment, TrainingSession,
#: Attendance, Certificate) and the learners' kinds (User); the evaluation invitations; the
#: respite requests and their sessions' states. Nothing else: residence and municipalities
#: are the reach-per-municipality page's, computed on its own.
ROLL_UP = watch(Generation(
    "college:region-figures:generation",
    (Region, RegionMember, Organiser, Course, CoOrganiser, Edition, Enrolment, TrainingSession,
     Attendance, Certificate, User, EvaluationInvitation, RespiteRequest, RespiteSession),
    counts=_counts,
))


@dataclass
class Part:
    """The counted figures of a member (or of the whole region) and its distinct people."""

    figures: Figures = field(default_factory=Figures)
    #: Distinct people per stage (enrolled, took_part, completed, certified) and kind.
    reach: dict[str, dict[str, int]] = field(
        default_factory=lambda: {stage: dict.fromkeys(KINDS, 0) for stage in FUNNEL})
    new_learners: int = 0
    returning_learners: int = 0
    #: Learners invited to evaluate their edition, and those who answered.
    evaluations_invited: int = 0
    evaluations_answered: int = 0
    #: The raw respite sums (`college.respite.figures.RAW`) of editions whose course offers
    #: respite or that had requests; empty when none did.
    respite: dict[str, int] = field(default_factory=dict)

    def add_respite(self, sums: dict[str, int] | None) -> None:
        if sums is not None:
            for name, value in sums.items():
                self.respite[name] = self.respite.get(name, 0) + value

    def add_evaluations(self, invited: int, answered: int) -> None:
        self.evaluations_invited += invited
        self.evaluations_answered += answered

    @property
    def people(self) -> int:
        """Distinct people enrolled (of any kind)."""
        return self.new_learners + self.returning_learners


@dataclass
class RegionCounts:
    region: Region
    period: Period
    #: The member organisers by name, each with its figures.
    members: list[tuple[Organiser, Part]]
    total: Part


def region_cohort(region_id: int, period: Period):
    """The ids of the region's cohort: the editions of the courses its members organise (alone,
    together or with an organiser outside the region) whose first day is in the period."""
    organisers = course_organisers()
    return (
        select(Edition.id)
        .join(organisers, organisers.c.course_id == Edition.course_id)
        .join(RegionMember, RegionMember.organiser_id == organisers.c.organiser_id)
        .where(RegionMember.region_id == region_id,
               Edition.starts_on >= period.start, Edition.starts_on <= period.end)
    )


def _members_organising(region_id: int):
    """(course_id, organiser_id) of the courses and the region's members that organise them."""
    organisers = course_organisers()
    return (
        select(organisers.c.course_id, organisers.c.organiser_id)
        .join(RegionMember, RegionMember.organiser_id == organisers.c.organiser_id)
        .where(RegionMember.region_id == region_id)
        .subquery()
    )


def region_counts(region: Region, period: Period) -> RegionCounts:
    """The raw figures of a region's members and of the region (before any is withheld)."""
    organisers = list(db.session.scalars(
        select(Organiser).join(RegionMember, RegionMember.organiser_id == Organiser.id)
        .where(RegionMember.region_id == region.id).order_by(Organiser.name, Organiser.id)))
    parts = {organiser.id: Part() for organiser in organisers}
    total = Part()
    facts = enrolment_facts(region_cohort(region.id, period))

    per_edition = (
        select(facts.c.edition_id,
               *(func.sum(facts.c[column]).label(column) for column in set(_SUMMED.values())))
        .group_by(facts.c.edition_id)
        .subquery()
    )
    # A course organised by two members is a row for each: both count it, the region once.
    members = _members_organising(region.id)
    invitations = invitations_per_edition(region_cohort(region.id, period))
    respite = respite_sums_per_edition(region_cohort(region.id, period))
    counted: set[int] = set()
    for row in db.session.execute(
        select(Edition.id, members.c.organiser_id, Edition.capacity,
               *(func.coalesce(per_edition.c[column], 0).label(name)
                 for name, column in _SUMMED.items()))
        .join(members, members.c.course_id == Edition.course_id)
        .outerjoin(per_edition, per_edition.c.edition_id == Edition.id)
        .where(Edition.id.in_(region_cohort(region.id, period)))
    ).mappings():
        edition = Figures(editions=1, capacity=int(row["capacity"]),
                          **{name: int(row[name]) for name in _SUMMED})
        evaluations = invitations.get(row["id"], (0, 0))
        parts[row["organiser_id"]].figures.add(edition)
        parts[row["organiser_id"]].add_evaluations(*evaluations)
        parts[row["organiser_id"]].add_respite(respite.get(row["id"]))
        if row["id"] not in counted:
            counted.add(row["id"])
            total.figures.add(edition)
            total.add_evaluations(*evaluations)
            total.add_respite(respite.get(row["id"]))

    _count_reach(region.id, period, facts, parts, total)
    return RegionCounts(region, period, [(o, parts[o.id]) for o in organisers], total)


def _count_reach(region_id: int, period: Period, facts, parts: dict[int, Part], total: Part) -> None:
    """Distinct people per stage and kind, new or returning: per member (one query, "before"
    meaning with that member) and in the region (one query, "before" meaning in the region)."""
    members = _members_organising(region_id)
    organiser_of = (select(Edition.id.label("edition_id"), members.c.organiser_id)
                    .join(members, members.c.course_id == Edition.course_id).subquery())
    for per_member in (True, False):
        keys = [organiser_of.c.organiser_id] if per_member else []
        people = (
            select(*keys, facts.c.learner_id.label("learner_id"),
                   func.max(facts.c.took_part).label("took_part"),
                   func.max(facts.c.completed).label("completed"),
                   func.max(facts.c.certified).label("certified"))
            .join(organiser_of, organiser_of.c.edition_id == facts.c.edition_id)
            .where(facts.c.seated == 1)
            .group_by(*keys, facts.c.learner_id)
            .subquery()
        )
        before_keys = [members.c.organiser_id] if per_member else []
        seated_before = (
            select(*before_keys, Enrolment.learner_id.label("learner_id"))
            .join(Edition, Edition.id == Enrolment.edition_id)
            .join(members, members.c.course_id == Edition.course_id)
            .where(Enrolment.status.in_(SEATED_STATUSES), Edition.starts_on < period.start)
            .group_by(*before_keys, Enrolment.learner_id)
            .subquery()
        )
        joined = seated_before.c.learner_id == people.c.learner_id
        if per_member:
            joined = joined & (seated_before.c.organiser_id == people.c.organiser_id)
        group = [people.c.organiser_id] if per_member else []
        with hash_joins():
            rows = db.session.execute(
                select(*group, User.kind, func.count().label("enrolled"),
                       func.sum(people.c.took_part).label("took_part"),
                       func.sum(people.c.completed).label("completed"),
                       func.sum(people.c.certified).label("certified"),
                       func.sum(case((seated_before.c.learner_id.is_not(None), 1), else_=0))
                       .label("before"))
                .select_from(people)
                .join(User, User.id == people.c.learner_id)
                .outerjoin(seated_before, joined)
                .group_by(*group, User.kind)
            ).mappings().all()
        for row in rows:
            part = parts[row["organiser_id"]] if per_member else total
            before = int(row["before"] or 0)
            part.returning_learners += before
            part.new_learners += int(row["enrolled"]) - before
            kind = row["kind"]
            if kind is None:  # not a learner's account: a person, but of neither kind
                continue
            kind = kind.value if isinstance(kind, Kind) else kind
            for stage in FUNNEL:
                part.reach[stage][kind] = int(row[stage] or 0)
