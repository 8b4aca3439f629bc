"""The burden measure of the caregivers track: asked before, after and some weeks after a
training, with consent, never required; kept apart, erased with the person, kept no longer
than the course's retention; reported as the change per caregiver, never about fewer than five.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from college import policy, timeutil
from college.accounts.models import Kind, User
from college.addresses import public_base_url
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession
from college.dashboards.disclosure import MIN_GROUP_SIZE, too_few_to_describe
from college.dashboards.organiser import Period
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.enrolment.notifications import write_notification
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.evaluation.models import (
    BurdenDeclined,
    BurdenInstrument,
    BurdenMeasurement,
    BurdenMoment,
    CourseBurdenMeasure,
)
from college.evaluation.scope import report_scope
from college.extensions import db

#: The consent's wording has a version; a measurement records the one agreed to.
CONSENT_VERSION = "burden-1"
#: How long each moment stays open, from when it opens.
OPEN_FOR = timedelta(weeks=3)
#: A reminder goes out this long after the invitation when nothing was answered.
REMIND_AFTER = timedelta(days=7)

#: The College's own instrument: one question, 0 to 10, with plain anchors.
SHIPPED = {
    "name": "Ervaren belasting (1 vraag, 0-10)",
    "items": [{"key": "i1", "text": "Hoe zwaar voelt de zorg voor je naaste op dit moment?",
               "reversed": False}],
    "scale_min": 0, "scale_max": 10,
    "low_label": "helemaal niet zwaar", "high_label": "heel erg zwaar",
    "score": "sum",
    "bands": [{"upto": 3, "label": "licht"}, {"upto": 6, "label": "matig"},
              {"upto": 10, "label": "zwaar"}],
}


def shipped_instrument() -> BurdenInstrument:
    """The College's single-question scale, made on first use."""
    instrument = db.session.scalar(select(BurdenInstrument).where(
        BurdenInstrument.organiser_id.is_(None), BurdenInstrument.name == SHIPPED["name"]))
    if instrument is None:
        instrument = BurdenInstrument(organiser_id=None, **SHIPPED)
        db.session.add(instrument)
        db.session.flush()
    return instrument


def instruments_for(organiser_id: int) -> list[BurdenInstrument]:
    """The instruments an organiser may use: the shipped one and its own."""
    shipped_instrument()
    return list(db.session.scalars(select(BurdenInstrument).where(
        (BurdenInstrument.organiser_id.is_(None)) | (BurdenInstrument.organiser_id == organiser_id))
        .order_by(BurdenInstrument.organiser_id.is_not(None), BurdenInstrument.name)))


#: Limits of an instrument entered as data.
MAX_ITEMS = 40
MAX_BANDS = 10


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").strip()
    return int(text) if text.lstrip("-").isdigit() else None


def _score_number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _items(raw: object) -> list[dict]:
    items = []
    for number, item in enumerate(raw if isinstance(raw, list) else [], start=1):
        item = item if isinstance(item, dict) else {"text": item}
        text = " ".join(str(item.get("text") or "").split())
        if not text or len(text) > 300:
            raise Invalid(_("Item %(number)s needs a text of at most 300 characters.", number=number),
                          field="items")
        reverse = item.get("reversed", False)
        if reverse is not None and not isinstance(reverse, bool):
            raise Invalid(_("Whether item %(number)s is reversed is true or false.", number=number),
                          field="items")
        items.append({"key": f"i{number}", "text": text, "reversed": bool(reverse)})
    if not 1 <= len(items) <= MAX_ITEMS:
        raise Invalid(_("An instrument has between 1 and %(max)s items.", max=MAX_ITEMS),
                      field="items")
    return items


def _bands(raw: object, lowest: float, highest: float) -> list[dict]:
    bands = []
    for band in raw if isinstance(raw, list) else []:
        band = band if isinstance(band, dict) else {}
        label = " ".join(str(band.get("label") or "").split())
        if not label or len(label) > 40:
            raise Invalid(_("Each band needs a name of at most 40 characters."), field="bands")
        upto = _score_number(band.get("upto"))
        if upto is None:
            raise Invalid(_("Band \"%(label)s\" needs its highest score as a number.", label=label),
                          field="bands")
        if not lowest <= upto <= highest:
            raise Invalid(_("Band \"%(label)s\" ends outside the scores the instrument gives "
                            "(%(low)s to %(high)s).", label=label, low=format_number(lowest),
                            high=format_number(highest)), field="bands")
        bands.append({"upto": upto, "label": label})
    if len(bands) > MAX_BANDS:
        raise Invalid(_("An instrument has at most %(max)s bands.", max=MAX_BANDS), field="bands")
    bands.sort(key=lambda band: band["upto"])
    if len({band["upto"] for band in bands}) < len(bands):
        raise Invalid(_("Two bands end at the same score."), field="bands")
    return bands


def format_number(value: float) -> str:
    """A score as people write it: 10, not 10.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def define_instrument(actor: User, organiser_id: int, data: dict) -> BurdenInstrument:
    """An organiser's own instrument (one it holds the rights to), checked as data: items, an
    answer scale, reversed items, a sum or mean score, bands within the scores it can give."""
    if not policy.can_manage_organiser(actor, organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators can change its evaluations."))
    name = " ".join(str(data.get("name") or "").split())[:120]
    if not name:
        raise Invalid(_("Give the instrument a name."), field="name")
    low, high = _whole_number(data.get("scale_min")), _whole_number(data.get("scale_max"))
    if low is None or high is None:
        raise Invalid(_("The answer scale needs a lowest and a highest number."), field="scale_min")
    if not 0 <= low < high <= 100:
        raise Invalid(_("The lowest answer must be below the highest, both from 0 to 100."),
                      field="scale_min")
    items = _items(data.get("items"))
    score = data.get("score") or "sum"
    if score not in ("sum", "mean"):
        raise Invalid(_("The score is the sum or the mean of the items."), field="score")
    per = 1 if score == "mean" else len(items)
    bands = _bands(data.get("bands"), low * per, high * per)
    instrument = BurdenInstrument(
        organiser_id=organiser_id, name=name, items=items, scale_min=low, scale_max=high,
        low_label=" ".join(str(data.get("low_label") or "").split())[:80],
        high_label=" ".join(str(data.get("high_label") or "").split())[:80],
        score=score, bands=bands)
    db.session.add(instrument)
    db.session.flush()
    return instrument


def score_of(instrument: BurdenInstrument, answers: dict[str, int]) -> float:
    """The instrument's score: reversed items counted from the other end, summed or averaged."""
    values = [(instrument.scale_min + instrument.scale_max - answers[item["key"]])
              if item["reversed"] else answers[item["key"]] for item in instrument.items]
    total = sum(values)
    return round(total / len(values), 2) if instrument.score == "mean" else float(total)


def band_of(instrument: BurdenInstrument, score: float) -> str | None:
    """The band a score falls in, if the instrument has bands."""
    return next((band["label"] for band in instrument.bands if score <= band["upto"]), None)


def set_course_measure(actor: User, course_id: int, *, on: bool, instrument_id: int | None = None,
                       follow_up_weeks: int = 8, retention_months: int = 24) -> CourseBurdenMeasure | None:
    """Switch the burden measure of a course on (with its instrument and timing) or off."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound(_("This training does not exist."))
    if not policy.can_manage_course(actor, course):
        raise NotAllowed(_("Only the organiser's coordinators can change its evaluations."))
    setting = db.session.get(CourseBurdenMeasure, course.id)
    if not on:
        if setting is not None:
            db.session.delete(setting)
            db.session.flush()
        return None
    if not course.open_to_caregivers:
        raise Invalid(_("The burden measure is for trainings open to caregivers."), field="on")
    allowed = {instrument.id for instrument in instruments_for(course.organiser_id)}
    instrument_id = instrument_id or shipped_instrument().id
    if instrument_id not in allowed:
        raise Invalid(_("Choose one of the instruments shown."), field="instrument_id")
    if not 1 <= follow_up_weeks <= 52:
        raise Invalid(_("The follow-up comes between 1 and 52 weeks later."), field="follow_up_weeks")
    if not 1 <= retention_months <= 120:
        raise Invalid(_("Keep the answers between 1 and 120 months."), field="retention_months")
    if setting is None:
        setting = CourseBurdenMeasure(course_id=course.id)
        db.session.add(setting)
    setting.instrument_id = instrument_id
    setting.follow_up_weeks = follow_up_weeks
    setting.retention_months = retention_months
    db.session.flush()
    return setting


@dataclass
class OpenMeasure:
    """A moment at which a caregiver may tell their burden now."""

    enrolment: Enrolment
    moment: BurdenMoment
    opens_at: datetime
    closes_at: datetime
    setting: CourseBurdenMeasure


def _windows(first_end: datetime, last_start: datetime, last_end: datetime,
             enrolled_at: datetime, weeks: int) -> dict[BurdenMoment, tuple[datetime, datetime]]:
    follow_up = last_end + timedelta(weeks=weeks)
    return {
        BurdenMoment.BEFORE: (enrolled_at, first_end),
        BurdenMoment.AFTER: (last_start, last_end + OPEN_FOR),
        BurdenMoment.FOLLOW_UP: (follow_up, follow_up + OPEN_FOR),
    }


def open_measures(learner_id: int | None = None, moment: datetime | None = None) -> list[OpenMeasure]:
    """The moments open now for caregivers (one learner's, or everyone's), not yet answered
    nor declined; after and follow-up only for who attended."""
    moment = moment or timeutil.now()
    sessions = (select(TrainingSession.edition_id,
                       func.min(TrainingSession.ends_at).label("first_end"),
                       func.max(TrainingSession.starts_at).label("last_start"),
                       func.max(TrainingSession.ends_at).label("last_end"))
                .group_by(TrainingSession.edition_id).subquery())
    attended = (select(Attendance.id).join(TrainingSession)
                .where(TrainingSession.edition_id == Enrolment.edition_id,
                       Attendance.learner_id == Enrolment.learner_id,
                       Attendance.status.in_((AttendanceStatus.PRESENT, AttendanceStatus.LATE))))
    query = (select(Enrolment, CourseBurdenMeasure, sessions.c.first_end, sessions.c.last_start,
                    sessions.c.last_end, attended.exists().label("attended"))
             .join(Edition, Edition.id == Enrolment.edition_id)
             .join(CourseBurdenMeasure, CourseBurdenMeasure.course_id == Edition.course_id)
             .join(sessions, sessions.c.edition_id == Edition.id)
             .join(User, User.id == Enrolment.learner_id)
             .where(Enrolment.status.in_(SEATED_STATUSES), User.kind == Kind.CAREGIVER,
                    User.anonymised_at.is_(None),
                    sessions.c.last_end > moment - timedelta(weeks=52) - OPEN_FOR,
                    ~select(BurdenDeclined.enrolment_id)
                    .where(BurdenDeclined.enrolment_id == Enrolment.id).exists())
             .options(selectinload(Enrolment.learner),
                      selectinload(Enrolment.edition).selectinload(Edition.course)))
    if learner_id is not None:
        query = query.where(Enrolment.learner_id == learner_id)
    rows = db.session.execute(query).all()
    if not rows:
        return []
    done = set(db.session.execute(
        select(BurdenMeasurement.enrolment_id, BurdenMeasurement.moment)
        .where(BurdenMeasurement.enrolment_id.in_([row[0].id for row in rows]))).all())
    result = []
    for enrolment, setting, first_end, last_start, last_end, was_there in rows:
        windows = _windows(first_end, last_start, last_end, enrolment.created_at,
                           setting.follow_up_weeks)
        for which, (opens, closes) in windows.items():
            if (enrolment.id, which) in done or not opens <= moment < closes:
                continue
            if which != BurdenMoment.BEFORE and not was_there:
                continue
            result.append(OpenMeasure(enrolment, which, opens, closes, setting))
    return sorted(result, key=lambda item: item.opens_at)


def _open_measure(learner: User, enrolment_id: int, moment: BurdenMoment) -> OpenMeasure:
    for item in open_measures(learner.id):
        if item.enrolment.id == enrolment_id and item.moment == moment:
            return item
    if db.session.scalar(select(BurdenMeasurement.id).join(Enrolment).where(
            BurdenMeasurement.enrolment_id == enrolment_id, BurdenMeasurement.moment == moment,
            Enrolment.learner_id == learner.id)):
        raise Conflict(_("You already answered this. Thank you!"))
    raise NotFound(_("There is no question about your burden to answer here."))


def measure_to_answer(learner: User, enrolment_id: int, moment: BurdenMoment) -> tuple[OpenMeasure, BurdenInstrument]:
    """The open moment and its instrument; NotFound or Conflict otherwise."""
    item = _open_measure(learner, enrolment_id, moment)
    return item, db.session.get(BurdenInstrument, item.setting.instrument_id)


def record_burden(learner: User, enrolment_id: int, moment: BurdenMoment, values: dict[str, object],
                  consent: bool) -> BurdenMeasurement:
    """Keep a caregiver's answer, only with their explicit consent."""
    item, instrument = measure_to_answer(learner, enrolment_id, moment)
    if not consent:
        raise Invalid(_("To keep your answer, tick that you agree. You can also say no thanks: "
                        "your training stays the same."), field="consent")
    answers = {}
    for entry in instrument.items:
        raw = values.get(entry["key"])
        try:
            number = int(raw) if not isinstance(raw, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or not instrument.scale_min <= number <= instrument.scale_max:
            raise Invalid(_("Choose a number from %(low)s to %(high)s.", low=instrument.scale_min,
                            high=instrument.scale_max), field=entry["key"])
        answers[entry["key"]] = number
    measurement = BurdenMeasurement(enrolment_id=item.enrolment.id, moment=moment,
                                    instrument_id=instrument.id, answers=answers,
                                    score=score_of(instrument, answers), consent=CONSENT_VERSION)
    db.session.add(measurement)
    db.session.flush()
    return measurement


def decline_burden(learner: User, enrolment_id: int) -> None:
    """"No thanks": not asked again about this training; the training stays the same."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.learner_id != learner.id:
        raise NotFound(_("There is no question about your burden to answer here."))
    if db.session.get(BurdenDeclined, enrolment_id) is None:
        db.session.add(BurdenDeclined(enrolment_id=enrolment_id))
        db.session.flush()


_MOMENT_PATHS = {BurdenMoment.BEFORE: "before", BurdenMoment.AFTER: "after",
                 BurdenMoment.FOLLOW_UP: "follow_up"}


def _texts(learner: User, course: Course, item: OpenMeasure, reminder: bool) -> tuple[str, str]:
    with force_locale(learner.language.value):
        subject = (_("A reminder: how heavy does caring feel?") if reminder
                   else _("How heavy does caring feel? (%(course)s)", course=course.title))
        body = _(
            "Dear %(name)s,\n\nWith \"%(course)s\" we ask caregivers, if they want to, how heavy "
            "caring feels, before, after and some weeks after the training. It is one short "
            "question; your answer helps the hub show what its trainings do. It is never "
            "required, and saying no changes nothing for you.\n\n%(link)s\n\nCaregivers College",
            name=learner.name, course=course.title,
            link=f"{public_base_url()}/my/burden/{item.enrolment.id}/{_MOMENT_PATHS[item.moment]}")
    return subject, body


def invite_and_remind(moment: datetime | None = None) -> int:
    """Write the invitations (and one reminder a week later) of the open moments; returns how many."""
    moment = moment or timeutil.now()
    written = 0
    for item in open_measures(moment=moment):
        learner, course = item.enrolment.learner, item.enrolment.edition.course
        key = f"burden:{item.moment.value}:{item.enrolment.id}"
        reminder = moment - item.opens_at >= REMIND_AFTER
        if write_notification("burden", learner=learner, course=course, edition=item.enrolment.edition,
                              dedupe_key=key, texts=_texts(learner, course, item, False)):
            written += 1
        elif reminder and write_notification(
                "burden-reminder", learner=learner, course=course, edition=item.enrolment.edition,
                dedupe_key=f"{key}:reminder", texts=_texts(learner, course, item, True)):
            written += 1
    return written


def erase_burden_of(user_id: int) -> None:
    """The person is erased: their burden answers and refusals go with them."""
    enrolments = select(Enrolment.id).where(Enrolment.learner_id == user_id)
    db.session.execute(delete(BurdenMeasurement).where(BurdenMeasurement.enrolment_id.in_(enrolments)))
    db.session.execute(delete(BurdenDeclined).where(BurdenDeclined.enrolment_id.in_(enrolments)))


def remove_expired(moment: datetime | None = None) -> int:
    """Remove answers kept longer than their course's retention; returns how many."""
    moment = moment or timeutil.now()
    expired = []
    for measurement_id, measured_at, months in db.session.execute(
            select(BurdenMeasurement.id, BurdenMeasurement.measured_at,
                   CourseBurdenMeasure.retention_months)
            .join(Enrolment, Enrolment.id == BurdenMeasurement.enrolment_id)
            .join(Edition, Edition.id == Enrolment.edition_id)
            .outerjoin(CourseBurdenMeasure, CourseBurdenMeasure.course_id == Edition.course_id)):
        # A course whose measure was switched off keeps the default retention.
        if measured_at < moment - timedelta(days=round(30.44 * (months or 24))):
            expired.append(measurement_id)
    if expired:
        db.session.execute(delete(BurdenMeasurement).where(BurdenMeasurement.id.in_(expired)))
    return len(expired)


# ---------------------------------------------------------------------------------- report

#: Two-sided 95% critical values of Student's t by degrees of freedom (normal beyond 30).
_T95 = {4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201,
        12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
        20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052,
        28: 2.048, 29: 2.045, 30: 2.042}


@dataclass
class Change:
    """The change of the caregivers who answered both moments (negative: lighter)."""

    later: str
    people: int
    mean: float | None = None
    median: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    improved_pct: float | None = None
    worse_pct: float | None = None

    @property
    def too_few(self) -> bool:
        return too_few_to_describe(self.people)


def _change(later: str, differences: list[float]) -> Change:
    change = Change(later=later, people=len(differences))
    if change.too_few:
        return change
    n = len(differences)
    change.mean = round(statistics.fmean(differences), 2)
    change.median = round(statistics.median(differences), 2)
    spread = statistics.stdev(differences) / math.sqrt(n)
    margin = _T95.get(n - 1, 1.96) * spread
    change.ci_low, change.ci_high = round(change.mean - margin, 2), round(change.mean + margin, 2)
    change.improved_pct = round(100 * sum(d < 0 for d in differences) / n, 1)
    change.worse_pct = round(100 * sum(d > 0 for d in differences) / n, 1)
    return change


@dataclass
class InstrumentChange:
    instrument: BurdenInstrument
    answered: dict[str, int]
    changes: list[Change]

    @property
    def name(self) -> str:
        return self.instrument.name

    @property
    def lowest(self) -> float:
        per = 1 if self.instrument.score == "mean" else len(self.instrument.items)
        return self.instrument.scale_min * per

    @property
    def highest(self) -> float:
        per = 1 if self.instrument.score == "mean" else len(self.instrument.items)
        return self.instrument.scale_max * per


@dataclass
class BurdenReport:
    period: Period
    instruments: list[InstrumentChange]
    minimum_group: int = MIN_GROUP_SIZE


def burden_report(viewer: User, organiser_id: int, start: str | None, end: str | None,
                  course_id: int | None = None, edition_id: int | None = None) -> BurdenReport:
    """The change in burden of the caregivers of the period's editions who answered both moments."""
    organiser, period = report_scope(viewer, organiser_id, start, end, course_id, edition_id)
    query = (select(BurdenMeasurement.instrument_id, BurdenMeasurement.enrolment_id,
                    BurdenMeasurement.moment, BurdenMeasurement.score)
             .join(Enrolment, Enrolment.id == BurdenMeasurement.enrolment_id)
             .join(Edition, Edition.id == Enrolment.edition_id)
             .join(Course, Course.id == Edition.course_id)
             .where(Course.organiser_id == organiser.id, Edition.starts_on >= period.start,
                    Edition.starts_on <= period.end))
    if course_id is not None:
        query = query.where(Course.id == course_id)
    if edition_id is not None:
        query = query.where(Edition.id == edition_id)
    scores: dict[int, dict[int, dict[BurdenMoment, float]]] = {}
    for instrument_id, enrolment_id, moment, score in db.session.execute(query):
        scores.setdefault(instrument_id, {}).setdefault(enrolment_id, {})[moment] = score
    result = []
    for instrument_id, people in sorted(scores.items()):
        answered = {which.value: sum(1 for moments in people.values() if which in moments)
                    for which in BurdenMoment}
        changes = [
            _change(later.value, [moments[later] - moments[BurdenMoment.BEFORE]
                                  for moments in people.values()
                                  if BurdenMoment.BEFORE in moments and later in moments])
            for later in (BurdenMoment.AFTER, BurdenMoment.FOLLOW_UP)]
        result.append(InstrumentChange(db.session.get(BurdenInstrument, instrument_id),
                                       answered, changes))
    return BurdenReport(period=period, instruments=result)
