"""What changes accreditation data, and what its pages, downloads and the API read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from college import timeutil
from college.accounts.models import Kind, User
from college.accreditation import rules
from college.accreditation.models import (
    CourseAccreditation,
    NumberCheck,
    PartialRule,
    RegistrationNumber,
    Scheme,
    Unit,
)
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession
from college.catalogue.services import _number, _text, require_course_manager
from college.certificates.expiry import Validity, validity, validity_text
from college.certificates.models import Certificate, CertificateStatus
from college.completion.rules import completion_checks
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.policy import is_coordinator
from college.privacy.access import record_access

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")

#: The schemes `flask college seed-schemes` and the demo start an installation with.
DEFAULT_SCHEMES = (
    {"code": "riziv", "name": "RIZIV-accreditering artsen", "body": "RIZIV/INAMI",
     "unit": Unit.POINTS, "partial_rule": PartialRule.ALL_SESSIONS,
     "number_check": NumberCheck.RIZIV},
    {"code": "pharmacists", "name": "Permanente vorming apothekers", "body": "APB / IFEP",
     "unit": Unit.POINTS, "partial_rule": PartialRule.COMPLETION},
    {"code": "nurses", "name": "Permanente vorming verpleegkundigen",
     "body": "FOD Volksgezondheid / SPF Santé publique",
     "unit": Unit.HOURS, "partial_rule": PartialRule.PRO_RATA},
    {"code": "social-workers", "name": "Permanente vorming sociaal werkers",
     "body": "Beroepsvereniging sociaal werk", "unit": Unit.HOURS,
     "partial_rule": PartialRule.PRO_RATA},
)


def add_scheme(actor: User | None, code: str, name: str, body: str = "",
               unit: Unit = Unit.POINTS, partial_rule: PartialRule = PartialRule.COMPLETION,
               number_check: NumberCheck = NumberCheck.NONE) -> Scheme:
    """Add a scheme to the installation's list (coordinators, the command line, the demo)."""
    if actor is not None and not is_coordinator(actor):
        raise NotAllowed(_("Only coordinators can do this."))
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise Invalid(_("Use lower-case letters, digits and dashes (at most 40), for example "
                        "“nurses”."), "code")
    scheme = Scheme(code=code, name=_text(name, "name", 200, required=True),
                    body=_text(body, "body", 200), unit=unit, partial_rule=partial_rule,
                    number_check=number_check)
    if db.session.scalar(select(Scheme.id).where(Scheme.code == code)) is not None:
        raise Conflict(_("A scheme with this code exists already."), "code")
    db.session.add(scheme)
    db.session.flush()
    return scheme


def seed_schemes() -> list[Scheme]:
    """Add the default schemes that are missing; the ones there stay as they are."""
    known = set(db.session.scalars(select(Scheme.code)))
    return [add_scheme(None, **spec) for spec in DEFAULT_SCHEMES if spec["code"] not in known]


def scheme(scheme_id: int) -> Scheme:
    """The scheme, or NotFound."""
    found = db.session.get(Scheme, scheme_id)
    if found is None:
        raise NotFound(_("There is no such scheme."))
    return found


def _points(value) -> float:
    """Points or hours as typed ("4,5" too), between 0 and 1000."""
    return _number(value.replace(",", ".") if isinstance(value, str) else value, "points",
                   maximum=1000)


def add_accreditation(actor: User | None, course: Course, scheme_id: int, points,
                      number: str = "", rubric: str = "") -> CourseAccreditation:
    """Accredit the course in a scheme (its organiser's coordinators)."""
    require_course_manager(actor, course)
    found = scheme(scheme_id)
    accreditation = CourseAccreditation(
        course_id=course.id, scheme_id=found.id, points=_points(points),
        number=_text(number, "number", 60), rubric=_text(rubric, "rubric", 120),
    )
    taken = select(CourseAccreditation.id).where(
        CourseAccreditation.course_id == course.id, CourseAccreditation.scheme_id == found.id)
    if db.session.scalar(taken) is not None:
        raise Conflict(_("The course is already accredited in this scheme: remove that one first."),
                       "scheme_id")
    db.session.add(accreditation)
    db.session.flush()
    accreditation.scheme = found
    return accreditation


def accreditation(accreditation_id: int) -> CourseAccreditation:
    """The accreditation with its course, or NotFound."""
    found = db.session.scalar(
        select(CourseAccreditation).where(CourseAccreditation.id == accreditation_id)
    )
    if found is None:
        raise NotFound(_("There is no such accreditation."))
    return found


def remove_accreditation(actor: User | None, accreditation: CourseAccreditation) -> None:
    """Remove an accreditation from its course (its organiser's coordinators)."""
    require_course_manager(actor, db.session.get(Course, accreditation.course_id))
    db.session.delete(accreditation)
    db.session.flush()


def course_accreditations(course_id: int) -> list[CourseAccreditation]:
    """A course's accreditations with their schemes (2 queries)."""
    return list(db.session.scalars(
        select(CourseAccreditation)
        .where(CourseAccreditation.course_id == course_id)
        .options(selectinload(CourseAccreditation.scheme))
        .order_by(CourseAccreditation.id)
    ))


def set_registration_number(user: User, scheme_id: int, number: str | None) -> RegistrationNumber | None:
    """Keep (or, when empty, forget) the professional's registration number in a scheme."""
    if user.kind != Kind.PROFESSIONAL:
        raise NotAllowed(_("Only professionals keep registration numbers."))
    found = scheme(scheme_id)
    number = rules.normalise_number(found.number_check, number)
    problem = rules.number_problem(found.number_check, number)
    if problem:
        raise Invalid(str(problem), "number")
    kept = db.session.scalar(select(RegistrationNumber).where(
        RegistrationNumber.user_id == user.id, RegistrationNumber.scheme_id == found.id))
    if not number:
        if kept is not None:
            db.session.delete(kept)
            db.session.flush()
        return None
    if kept is None:
        kept = RegistrationNumber(user_id=user.id, scheme_id=found.id, number=number)
        db.session.add(kept)
    else:
        kept.number, kept.updated_at = number, timeutil.now()
    db.session.flush()
    kept.scheme = found
    return kept


def registration_numbers(user_id: int) -> list[RegistrationNumber]:
    """The user's registration numbers with their schemes (2 queries)."""
    return list(db.session.scalars(
        select(RegistrationNumber).where(RegistrationNumber.user_id == user_id)
        .options(selectinload(RegistrationNumber.scheme)).order_by(RegistrationNumber.scheme_id)
    ))


@dataclass(frozen=True)
class Earned:
    """What one complete enrolment earned in one scheme."""

    scheme: Scheme
    accreditation: CourseAccreditation
    points: float
    registration_number: str


def earned_for(learner_id: int, edition_id: int, course_id: int) -> list[Earned]:
    """What the learner's complete enrolment in the edition earns per scheme (the attest's lines)."""
    accreditations = course_accreditations(course_id)
    if not accreditations:
        return []
    sessions, attended = _attendance(edition_id, learner_id)
    numbers = RegistrationNumber.of(learner_id)
    return [
        Earned(item.scheme, item,
               rules.points_earned(item.scheme.partial_rule, item.points, sessions, attended),
               rules.formatted_number(item.scheme.number_check, numbers.get(item.scheme_id, "")))
        for item in accreditations
    ]


_ATTENDED = [status for status in AttendanceStatus if status.counts_as_attended]


def _attendance(edition_id: int, learner_id: int) -> tuple[int, int]:
    sessions, attended = db.session.execute(
        select(func.count(TrainingSession.id),
               func.count(Attendance.id))
        .select_from(TrainingSession)
        .outerjoin(Attendance, (Attendance.session_id == TrainingSession.id)
                   & (Attendance.learner_id == learner_id)
                   & Attendance.status.in_(_ATTENDED))
        .where(TrainingSession.edition_id == edition_id)
    ).one()
    return sessions, attended


@dataclass(frozen=True)
class CompletedTraining:
    """A training of the learning record, with how its certificate stands when it expires."""

    day: date
    title: str
    hours: float
    #: None: no live certificate, or one that does not expire.
    validity: Validity | None = None


@dataclass
class YearRecord:
    """One year of a learning record: hours of training and what each scheme credited."""

    year: int
    hours: float = 0.0
    courses: list[CompletedTraining] = field(default_factory=list)
    #: scheme id -> points (or hours) earned.
    earned: dict[int, float] = field(default_factory=dict)


@dataclass
class LearningRecord:
    years: list[YearRecord]
    schemes: list[Scheme]

    def total(self, scheme_id: int) -> float:
        return round(sum(year.earned.get(scheme_id, 0.0) for year in self.years), 2)


def learning_record(user: User, years: int | None = None) -> LearningRecord:
    """The user's completed trainings per year, newest first, with hours and points per scheme
    (a fixed number of queries, however many years)."""
    completed = db.session.execute(
        select(Enrolment.id.label("enrolment_id"), Enrolment.edition_id, Enrolment.completed_at,
               Edition.ends_on, Course.id, Course.title, Course.hours)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Enrolment.learner_id == user.id, Enrolment.status == EnrolmentStatus.COMPLETED)
        .order_by(Edition.ends_on, Enrolment.id)
    ).all()
    edition_ids = [row.edition_id for row in completed]
    course_ids = {row.id for row in completed}
    sessions = dict(db.session.execute(
        select(TrainingSession.edition_id, func.count(TrainingSession.id))
        .where(TrainingSession.edition_id.in_(edition_ids)).group_by(TrainingSession.edition_id)
    ).all()) if edition_ids else {}
    attended = dict(db.session.execute(
        select(TrainingSession.edition_id, func.count(Attendance.id))
        .join(Attendance, Attendance.session_id == TrainingSession.id)
        .where(TrainingSession.edition_id.in_(edition_ids), Attendance.learner_id == user.id,
               Attendance.status.in_(_ATTENDED))
        .group_by(TrainingSession.edition_id)
    ).all()) if edition_ids else {}
    accreditations: dict[int, list[CourseAccreditation]] = {}
    if course_ids:
        for item in db.session.scalars(
            select(CourseAccreditation).where(CourseAccreditation.course_id.in_(course_ids))
            .options(selectinload(CourseAccreditation.scheme)).order_by(CourseAccreditation.id)
        ):
            accreditations.setdefault(item.course_id, []).append(item)
    expiring = {certificate.enrolment_id: certificate for certificate in db.session.scalars(
        select(Certificate).where(
            Certificate.enrolment_id.in_([row.enrolment_id for row in completed]),
            Certificate.status == CertificateStatus.ISSUED, Certificate.expires_on.is_not(None))
    )} if completed else {}
    today = timeutil.today()
    by_year: dict[int, YearRecord] = {}
    schemes: dict[int, Scheme] = {}
    for row in completed:
        year = rules.year_of(row.completed_at) if row.completed_at else row.ends_on.year
        record = by_year.setdefault(year, YearRecord(year))
        record.hours += row.hours
        certificate = expiring.get(row.enrolment_id)
        record.courses.append(CompletedTraining(
            row.ends_on, row.title, row.hours,
            validity(certificate, today) if certificate is not None else None))
        for item in accreditations.get(row.id, []):
            schemes[item.scheme_id] = item.scheme
            points = rules.points_earned(item.scheme.partial_rule, item.points,
                                         sessions.get(row.edition_id, 0),
                                         attended.get(row.edition_id, 0))
            record.earned[item.scheme_id] = round(record.earned.get(item.scheme_id, 0.0) + points, 2)
    ordered = sorted(by_year.values(), key=lambda record: record.year, reverse=True)
    if years is not None:
        ordered = ordered[:years]
    return LearningRecord(ordered, sorted(schemes.values(), key=lambda scheme: scheme.name))


def learning_record_rows(record: LearningRecord) -> tuple[list[str], list[list]]:
    """The learning record as a table: one row per year and scheme, one per year for hours, and
    one per certificate that expires (its training, last valid day and how it stands)."""
    header = [_("Year"), _("Scheme"), _("Unit"), _("Earned"), _("Training"),
              _("Certificate valid until"), _("Certificate")]
    rows: list[list] = []
    for year in record.years:
        rows.append([year.year, _("Hours of training"), _("hours"), year.hours, "", "", ""])
        for scheme_ in record.schemes:
            if scheme_.id in year.earned:
                rows.append([year.year, scheme_.name, unit_label(scheme_.unit),
                             year.earned[scheme_.id], "", "", ""])
        for training in year.courses:
            if training.validity is not None:
                rows.append([year.year, "", "", "", training.title,
                             training.validity.last_valid_day.isoformat(),
                             validity_text(training.validity)])
    return header, rows


def unit_label(unit: Unit) -> str:
    return _("hours") if unit == Unit.HOURS else _("points")


@dataclass(frozen=True)
class ExportRow:
    learner_id: int
    name: str
    email: str
    registration_number: str
    attended: int
    sessions: int
    complete: bool
    points: float


@dataclass
class EditionExport:
    edition: Edition
    accreditation: CourseAccreditation
    dates: list[date]
    rows: list[ExportRow]

    @property
    def missing(self) -> list[ExportRow]:
        """Complete learners the body will not credit without a registration number."""
        return [row for row in self.rows if row.complete and not row.registration_number]


def edition_export(viewer: User, edition: Edition, scheme_id: int) -> EditionExport:
    """The attendance list a scheme's body asks for, per seated learner (the organiser's
    coordinators; the read is logged)."""
    require_course_manager(viewer, edition.course)
    found = db.session.scalar(
        select(CourseAccreditation).where(CourseAccreditation.course_id == edition.course_id,
                                          CourseAccreditation.scheme_id == scheme_id))
    if found is None:
        raise NotFound(_("The course is not accredited in this scheme."))
    found.scheme = scheme(scheme_id)
    checks = completion_checks(edition.id)
    learners = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(list(checks))))} if checks else {}
    numbers = dict(db.session.execute(
        select(RegistrationNumber.user_id, RegistrationNumber.number).where(
            RegistrationNumber.scheme_id == scheme_id,
            RegistrationNumber.user_id.in_(list(checks)))).all()) if checks else {}
    dates = sorted({timeutil.local(start).date() for start in db.session.scalars(
        select(TrainingSession.starts_at).where(TrainingSession.edition_id == edition.id))})
    rows = []
    for learner_id, check in checks.items():
        learner = learners[learner_id]
        complete = check.status == EnrolmentStatus.COMPLETED
        points = (rules.points_earned(found.scheme.partial_rule, found.points, check.sessions,
                                      check.attended) if complete else 0.0)
        rows.append(ExportRow(
            learner_id, learner.name, learner.email or "",
            rules.formatted_number(found.scheme.number_check, numbers.get(learner_id, "")),
            check.attended, check.sessions, complete, points))
    rows.sort(key=lambda row: (row.name.casefold(), row.learner_id))
    record_access(viewer, [row.learner_id for row in rows], "accreditation")
    return EditionExport(edition, found, dates, rows)


def export_table(export: EditionExport) -> tuple[list[str], list[list]]:
    """The export as the body's CSV: one row per learner, with the course's dates and numbers."""
    header = [_("Scheme"), _("Accreditation number"), _("Course"), _("Dates"), _("Name"),
              _("Email"), _("Registration number"), _("Sessions attended"), _("Sessions"),
              _("Complete"), unit_label(export.accreditation.scheme.unit).capitalize()]
    dates = ", ".join(day.isoformat() for day in export.dates)
    rows = [[export.accreditation.scheme.name, export.accreditation.number,
             export.edition.course.title, dates, row.name, row.email, row.registration_number,
             row.attended, row.sessions, _("yes") if row.complete else _("no"), row.points]
            for row in export.rows]
    return header, rows
