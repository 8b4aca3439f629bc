"""The demo's evaluations (finished editions answered as learners would, one with too few
answers) and burden measures (before, after and at the follow-up)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from college import timeutil
from college.accounts.models import Kind, User
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.evaluation.burden import CONSENT_VERSION, shipped_instrument
from college.evaluation.models import (
    BurdenInstrument,
    BurdenMeasurement,
    BurdenMoment,
    CourseBurdenMeasure,
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationResponse,
)
from college.evaluation.services import evaluation_for
from college.extensions import db

_OPEN = [
    "Heel herkenbaar, ik voel me minder alleen.",
    "De lesgever nam de tijd voor onze vragen.",
    "Graag een vervolg, twee sessies is kort.",
    "De zaal was wat koud.",
    "Ik weet nu waar ik terecht kan voor respijtzorg.",
    "Meer tijd om ervaringen uit te wisselen.",
]
#: How the answers lean: most learners are content, a few are not.
_SCALE_WEIGHTS = {4: (3, 12, 50, 35), 5: (2, 6, 17, 45, 30)}
_CHOICE_WEIGHTS = (78, 16, 6)


def _values(rng: random.Random, questions: list[tuple[str, dict]]) -> dict[str, object]:
    values: dict[str, object] = {}
    for question_id, question in questions:
        options = len(question["options"])
        if question["kind"] == "open":
            if rng.random() < 0.45:
                values[question_id] = rng.choice(_OPEN)
        elif rng.random() < 0.95:  # now and then a question is skipped
            weights = (_SCALE_WEIGHTS.get(options) if question["kind"] == "scale"
                       else _CHOICE_WEIGHTS[:options]) or [1] * options
            values[question_id] = rng.choices(range(1, options + 1), weights=weights[:options])[0]
    return values


def evaluate_past_editions(rng: random.Random, keep_open_for: str) -> None:
    """Invite who attended the finished editions; most answered, the smallest edition only a few.

    The learner `keep_open_for` (an email address) has not answered yet: their evaluation
    waits on My trainings.
    """
    now = timeutil.now()
    last_end = {edition_id: ends for edition_id, ends in db.session.execute(
        select(TrainingSession.edition_id, TrainingSession.ends_at))}
    attended = select(Attendance.id).join(TrainingSession).where(
        TrainingSession.edition_id == Enrolment.edition_id,
        Attendance.learner_id == Enrolment.learner_id,
        Attendance.status.in_((AttendanceStatus.PRESENT, AttendanceStatus.LATE)))
    enrolments = db.session.scalars(
        select(Enrolment).join(Edition).where(Edition.ends_on < timeutil.today(),
                                              Enrolment.status.in_(SEATED_STATUSES),
                                              attended.exists())
        .options(selectinload(Enrolment.learner), selectinload(Enrolment.edition))
        .order_by(Enrolment.edition_id, Enrolment.id)).all()
    by_edition: dict[int, list[Enrolment]] = {}
    for enrolment in enrolments:
        by_edition.setdefault(enrolment.edition_id, []).append(enrolment)
    smallest = min(by_edition, key=lambda edition_id: len(by_edition[edition_id]), default=None)
    for edition_id, members in by_edition.items():
        answering = 3 if edition_id == smallest else round(len(members) * 0.75)
        for number, enrolment in enumerate(members):
            learner: User = enrolment.learner
            waiting = learner.email == keep_open_for
            invited_at = now - timedelta(days=2) if waiting else max(
                last_end.get(edition_id, now), now - timedelta(weeks=7))
            invitation = EvaluationInvitation(enrolment_id=enrolment.id, invited_at=invited_at)
            db.session.add(invitation)
            db.session.flush()
            if waiting or number >= answering:
                continue
            evaluation = evaluation_for(learner, enrolment.id)
            values = _values(rng, evaluation.questions)
            for version in evaluation.versions:
                answers = []
                for question in version.questions:
                    value = values.get(f"{version.id}-{question['key']}")
                    if value is None:
                        continue
                    answers.append(EvaluationAnswer(
                        question_key=question["key"],
                        text=value if isinstance(value, str) else None,
                        option=value if isinstance(value, int) else None))
                if answers:
                    db.session.add(EvaluationResponse(edition_id=edition_id, version_id=version.id,
                                                      answers=answers))
            invitation.answered = True
    db.session.flush()


#: An instrument a hub entered as data (made-up statements, not a validated instrument).
_OWN_INSTRUMENT = {
    "name": "Voorbeeld: eigen vragenlijst (4 uitspraken)",
    "items": [{"key": "i1", "text": "Ik voel me moe door de zorg.", "reversed": False},
              {"key": "i2", "text": "Ik heb genoeg tijd voor mezelf.", "reversed": True},
              {"key": "i3", "text": "De zorg valt me zwaar.", "reversed": False},
              {"key": "i4", "text": "Ik kan bij iemand terecht als het te veel wordt.", "reversed": True}],
    "scale_min": 1, "scale_max": 5, "low_label": "helemaal niet", "high_label": "helemaal wel",
    "score": "sum",
    "bands": [{"upto": 9.0, "label": "licht"}, {"upto": 14.0, "label": "matig"},
              {"upto": 20.0, "label": "zwaar"}],
}


def measure_burden_in_past_editions(rng: random.Random) -> None:
    """Switch the burden measure on for caregiver courses with finished editions, and let their
    caregivers answer as they would: heavy before, somewhat lighter after and at the follow-up.
    Their hubs have also entered an instrument of their own, to choose on a course."""
    instrument = shipped_instrument()
    now = timeutil.now()
    last_end = {edition_id: ends for edition_id, ends in db.session.execute(
        select(TrainingSession.edition_id, func.max(TrainingSession.ends_at))
        .group_by(TrainingSession.edition_id))}
    attended = select(Attendance.id).join(TrainingSession).where(
        TrainingSession.edition_id == Enrolment.edition_id,
        Attendance.learner_id == Enrolment.learner_id,
        Attendance.status.in_((AttendanceStatus.PRESENT, AttendanceStatus.LATE)))
    rows = db.session.execute(
        select(Enrolment, Edition.course_id).join(Edition).join(Course).join(User, User.id == Enrolment.learner_id)
        .where(Edition.ends_on < timeutil.today(), Course.open_to_caregivers.is_(True),
               Enrolment.status.in_(SEATED_STATUSES), User.kind == Kind.CAREGIVER, attended.exists())
        .order_by(Enrolment.id)).all()
    for course_id in sorted({course_id for _enrolment, course_id in rows}):
        db.session.add(CourseBurdenMeasure(course_id=course_id, instrument_id=instrument.id))
    organisers = db.session.scalars(select(Course.organiser_id).where(
        Course.id.in_({course_id for _enrolment, course_id in rows})).distinct())
    for organiser_id in sorted(organisers):
        db.session.add(BurdenInstrument(organiser_id=organiser_id, **_OWN_INSTRUMENT))
    for enrolment, _course_id in rows:
        ended = last_end[enrolment.edition_id]
        before = max(2, min(10, round(rng.gauss(7, 1.5))))
        moments = [(BurdenMoment.BEFORE, before, enrolment.created_at, 0.85)]
        after = max(0, min(10, before - rng.choice((-1, 0, 1, 1, 2, 2, 3))))
        moments.append((BurdenMoment.AFTER, after, ended + timedelta(hours=1), 0.8))
        if ended + timedelta(weeks=8) < now:
            later = max(0, min(10, after + rng.choice((-1, 0, 0, 1))))
            moments.append((BurdenMoment.FOLLOW_UP, later, ended + timedelta(weeks=8, days=2), 0.65))
        for moment, score, when, share in moments:
            if rng.random() < share:
                db.session.add(BurdenMeasurement(
                    enrolment_id=enrolment.id, moment=moment, instrument_id=instrument.id,
                    answers={"i1": score}, score=float(score), consent=CONSENT_VERSION,
                    measured_at=when))
    db.session.flush()
