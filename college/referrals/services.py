"""Referrals: a professional refers a caregiver who agreed to be contacted; the hub phones them
and records what happened; the referrer hears only that the hub took it up; the figures follow
each source from referred to attended."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, or_, select

from college import policy, timeutil
from college.accounts.models import Organiser, User
from college.accounts.services import normalise_email, normalise_phone
from college.attendance.models import Attendance
from college.catalogue.models import Course, Edition, TrainingSession
from college.dashboards.disclosure import too_few, withhold
from college.dashboards.organiser import ATTENDED, Period
from college.dashboards.services import organiser_to_report, parse_period
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.errors import Invalid, NotAllowed, NotFound
from college.extensions import db
from college.jobs import enqueue_after_commit
from college.privacy.access import record_referral_access
from college.referrals.models import (
    NEEDS,
    SOURCE_LABELS,
    Referral,
    ReferralOutcome,
    ReferralSource,
)
from college.regions.models import RegionMember
from college.regions.services import region_to_report, withheld_text

#: Outcomes in which the hub spoke with the caregiver.
REACHED = (ReferralOutcome.CONTACTED, ReferralOutcome.ENROLLED,
           ReferralOutcome.REFERRED_ELSEWHERE)
FUNNEL = ("referred", "contacted", "enrolled", "attended")


def _source(value: str | ReferralSource | None) -> ReferralSource:
    try:
        return value if isinstance(value, ReferralSource) else ReferralSource(value)
    except ValueError as error:
        raise Invalid(_("Choose where the referral comes from."), field="source") from error


def refer_caregiver(*, organiser_id: int, referrer: User | None, caregiver_name: str | None,
                    phone: str | None, email: str | None, needs: Iterable[str],
                    source: str | ReferralSource | None, consent: bool,
                    referrer_email: str | None = None) -> Referral:
    """Hand a caregiver to the organiser's hub; it lands on the hub's "To phone" list.

    `referrer` is the logged-in professional or staff member (None: the public form)."""
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None:
        raise NotFound(_("This organiser does not exist."))
    if referrer is not None and not policy.can_refer_caregivers(referrer):
        raise NotAllowed(_("Only professionals and staff refer caregivers here. Use the hub's "
                           "referral form, or phone the hub."))
    if consent is not True:
        raise Invalid(_("Confirm that the caregiver agreed that the hub contacts them."),
                      field="consent")
    name = " ".join((caregiver_name or "").split())
    if not name or len(name) > 120:
        raise Invalid(_("Give the caregiver's name (at most 120 characters)."), field="caregiver_name")
    phone = normalise_phone(phone)
    email = normalise_email(email)
    if phone is None and email is None:
        raise Invalid(_("Give a phone number or an email address to reach the caregiver."),
                      field="phone")
    wanted = list(dict.fromkeys(needs))
    if not wanted or any(need not in NEEDS for need in wanted):
        raise Invalid(_("Tick what the caregiver needs."), field="needs")
    if referrer is not None:
        referrer_email = referrer.email
    else:
        try:
            referrer_email = normalise_email(referrer_email)
        except Invalid as error:
            error.field = "referrer_email"
            raise
    referral = Referral(
        organiser_id=organiser.id, caregiver_name=name, caregiver_phone=phone,
        caregiver_email=email, needs=" ".join(wanted), source=_source(source),
        consent_confirmed_at=timeutil.now(), referred_by_id=referrer.id if referrer else None,
        referrer_email=referrer_email,
    )
    db.session.add(referral)
    db.session.flush()
    return referral


def hubs() -> list[Organiser]:
    """The organisers one can refer a caregiver to, by name."""
    return list(db.session.scalars(select(Organiser).order_by(Organiser.name)))


def open_referrals(organiser_id: int, viewer: User) -> list[Referral]:
    """The organiser's referrals the hub has not recorded an outcome for, oldest first: the
    "To phone" list (its coordinators; logged, it shows the caregivers' contact details)."""
    if not policy.can_manage_organiser(viewer, organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators can see its referrals."))
    referrals = list(db.session.scalars(
        select(Referral).where(Referral.organiser_id == organiser_id, Referral.outcome.is_(None))
        .order_by(Referral.created_at, Referral.id)))
    record_referral_access(viewer, [referral.id for referral in referrals], "referrals-to-phone")
    return referrals


def referrals_of(organiser_id: int, viewer: User) -> list[Referral]:
    """All of the organiser's referrals, newest first (its coordinators; logged)."""
    if not policy.can_manage_organiser(viewer, organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators can see its referrals."))
    referrals = list(db.session.scalars(
        select(Referral).where(Referral.organiser_id == organiser_id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())))
    record_referral_access(viewer, [referral.id for referral in referrals], "referrals")
    return referrals


def referrals_made_by(user: User) -> list[Referral]:
    """The referrals the user made, newest first: they see whether the hub took each up."""
    return list(db.session.scalars(
        select(Referral).where(Referral.referred_by_id == user.id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())))


def enrolments_to_link(referral: Referral) -> list[tuple[Enrolment, str, str]]:
    """The organiser's live enrolments made since the referral, to say which one it led to:
    (enrolment, learner's name, course title)."""
    return [tuple(row) for row in db.session.execute(
        select(Enrolment, User.name, Course.title)
        .join(User, User.id == Enrolment.learner_id)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Course.organiser_id == referral.organiser_id,
               Enrolment.created_at >= referral.created_at - timedelta(days=1),
               Enrolment.status.in_((EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED,
                                     EnrolmentStatus.WAITLISTED)))
        .order_by(Enrolment.created_at.desc()))]


def record_outcome(*, referral_id: int, actor: User, outcome: str | ReferralOutcome | None,
                   enrolment_id: int | None = None) -> Referral:
    """The hub records what happened; the first time, the referrer is told it was taken up."""
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        raise NotFound(_("This referral does not exist."))
    if not policy.can_manage_organiser(actor, referral.organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators can do this."))
    try:
        outcome = outcome if isinstance(outcome, ReferralOutcome) else ReferralOutcome(outcome)
    except ValueError as error:
        raise Invalid(_("Choose what happened."), field="outcome") from error
    if outcome == ReferralOutcome.ENROLLED:
        if enrolment_id is None or enrolment_id not in {
                e.id for e, _name, _title in enrolments_to_link(referral)}:
            raise Invalid(_("Choose the enrolment the caregiver got."), field="enrolment_id")
    else:
        enrolment_id = None
    first_time = referral.outcome is None
    referral.outcome, referral.enrolment_id = outcome, enrolment_id
    referral.outcome_at, referral.outcome_by_id = timeutil.now(), actor.id
    db.session.flush()
    if first_time and referral.referrer_email:
        enqueue_after_commit("mail", "college.referrals.tasks.tell_referrer", referral.id)
    return referral


# --------------------------------------------------------------------------- figures


@dataclass
class SourceRow:
    """The funnel of one source (or all): None where withheld (a region's figures)."""

    source: ReferralSource | None
    counts: dict[str, int | None] = field(default_factory=dict)


@dataclass
class ReferralFigures:
    period: Period
    #: (organiser, rows per source + a total row) per organiser.
    organisers: list[tuple[Organiser, list[SourceRow]]]
    #: The rows of all organisers together (a region's), or None for one organiser.
    total: list[SourceRow] | None
    #: The short name of the organiser or region, for the download's name.
    slug: str = ""


def _attended():
    """The referral's enrolment took part: completed, or present or late once in its edition."""
    return or_(
        Enrolment.status == EnrolmentStatus.COMPLETED,
        exists().where(Attendance.learner_id == Enrolment.learner_id,
                       Attendance.session_id == TrainingSession.id,
                       TrainingSession.edition_id == Enrolment.edition_id,
                       Attendance.status.in_(ATTENDED)),
    )


def _shown_rows(cells: dict[ReferralSource, dict[str, int]], aggregates_only: bool) -> list[SourceRow]:
    """Rows per source and a total row. For readers outside the organiser (`aggregates_only`:
    a region's), every count of one to four people is withheld; the organiser's coordinators,
    who phone each referred caregiver, read the exact counts."""
    total = {stage: sum(cell[stage] for cell in cells.values()) for stage in FUNNEL}
    if not aggregates_only:
        return [*(SourceRow(source, dict(cells[source])) for source in ReferralSource),
                SourceRow(None, total)]
    shown = {source: {} for source in ReferralSource}
    for stage in FUNNEL:
        column = withhold({source: cells[source][stage] for source in ReferralSource})
        for source, value in column.items():
            shown[source][stage] = value
    rows = [SourceRow(source, shown[source]) for source in ReferralSource]
    rows.append(SourceRow(None, {stage: None if too_few(total[stage]) else total[stage]
                                 for stage in FUNNEL}))
    return rows


def _count(organiser_ids, period: Period) -> dict[int, dict[ReferralSource, dict[str, int]]]:
    """Per organiser and source, the referrals made in the period at each stage (one query)."""
    counts: dict[int, dict[ReferralSource, dict[str, int]]] = {}
    flag = lambda condition: func.sum(case((condition, 1), else_=0))  # noqa: E731
    enrolled = Referral.outcome == ReferralOutcome.ENROLLED
    query = (
        select(Referral.organiser_id, Referral.source, func.count().label("referred"),
               flag(Referral.outcome.in_(REACHED)).label("contacted"),
               flag(enrolled).label("enrolled"),
               flag(and_(enrolled, _attended())).label("attended"))
        .outerjoin(Enrolment, Enrolment.id == Referral.enrolment_id)
        .where(Referral.organiser_id.in_(organiser_ids),
               Referral.created_at >= _day_start(period.start),
               Referral.created_at < _day_start(period.end + timedelta(days=1)))
        .group_by(Referral.organiser_id, Referral.source)
    )
    for row in db.session.execute(query).mappings():
        source = row["source"] if isinstance(row["source"], ReferralSource) else ReferralSource(row["source"])
        counts.setdefault(row["organiser_id"], {})[source] = {
            stage: int(row[stage] or 0) for stage in FUNNEL}
    return counts


def _day_start(day: date) -> datetime:
    """The first moment of a day in Brussels."""
    return timeutil.brussels(day, time.min)


def _zero() -> dict[ReferralSource, dict[str, int]]:
    return {source: dict.fromkeys(FUNNEL, 0) for source in ReferralSource}


def organiser_referral_figures(viewer: User, organiser_id: int, start: str | None,
                               end: str | None) -> ReferralFigures:
    """An organiser's referrals per source and their funnel (its coordinators)."""
    organiser = organiser_to_report(viewer, organiser_id)
    period = parse_period(start, end)
    counts = _count([organiser.id], period).get(organiser.id, {})
    return ReferralFigures(period, [(organiser, _shown_rows(_zero() | counts, False))], None,
                           organiser.slug)


def region_referral_figures(viewer: User, region_id: int, start: str | None,
                            end: str | None) -> ReferralFigures:
    """A region's referrals per member and source, and the region's (regional coordinators)."""
    region = region_to_report(viewer, region_id)
    period = parse_period(start, end)
    members = list(db.session.scalars(
        select(Organiser).join(RegionMember, RegionMember.organiser_id == Organiser.id)
        .where(RegionMember.region_id == region.id).order_by(Organiser.name)))
    counts = _count([m.id for m in members], period)
    total = _zero()
    for per_source in counts.values():
        for source, cell in per_source.items():
            for stage in FUNNEL:
                total[source][stage] += cell[stage]
    return ReferralFigures(
        period, [(m, _shown_rows(_zero() | counts.get(m.id, {}), True)) for m in members],
        _shown_rows(total, True), region.slug)


def figures_table(figures: ReferralFigures) -> tuple[list[str], list[list[object]]]:
    """The referral figures as one table for CSV (page and API): a row per organiser and source,
    a total row per organiser, and the region's rows; a withheld cell says so."""
    hidden = withheld_text()
    header = [_("Organiser"), _("Source"), _("Referred"), _("Contacted"), _("Enrolled"),
              _("Attended")]

    def rows_of(name: str, rows: list[SourceRow]) -> list[list[object]]:
        return [[name, str(SOURCE_LABELS[row.source]) if row.source else _("Total"),
                 *(hidden if row.counts[stage] is None else row.counts[stage] for stage in FUNNEL)]
                for row in rows]

    cells = [cell for organiser, rows in figures.organisers for cell in rows_of(organiser.name, rows)]
    if figures.total is not None:
        cells += rows_of(_("Region"), figures.total)
    return header, cells
