"""Inviting learners who attended, and taking their answers without keeping who gave them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import selectinload

from college import policy, timeutil
from college.accounts.models import Kind, User
from college.addresses import public_base_url
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import Course, Edition, Track, TrainingSession
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.enrolment.notifications import write_notification
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.evaluation.models import (
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationResponse,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
)
from college.evaluation.questionnaires import (
    course_questionnaire,
    current_version,
    standard_questionnaire,
)
from college.extensions import db

#: Editions whose last session ended this long ago or less are looked at by the periodic job.
INVITE_LOOKBACK = timedelta(days=14)
#: How long after the invitation an evaluation can be answered.
OPEN_FOR = timedelta(weeks=8)
MAX_OPEN_ANSWER_CHARS = 2000


def _track_for(learner: User, course: Course) -> Track:
    """The learner's own track when the course is open to it, else the course's track."""
    own = Track.PROFESSIONALS if learner.kind == Kind.PROFESSIONAL else Track.CAREGIVERS
    if own == Track.PROFESSIONALS and course.open_to_professionals:
        return own
    if own == Track.CAREGIVERS and course.open_to_caregivers:
        return own
    return Track.CAREGIVERS if course.open_to_caregivers else Track.PROFESSIONALS


def _invitation_texts(learner: User, course: Course, enrolment_id: int) -> tuple[str, str]:
    with force_locale(learner.language.value):
        subject = _("How was %(course)s?", course=course.title)
        body = _(
            "Dear %(name)s,\n\nThank you for taking part in \"%(course)s\". Would you tell us "
            "how it was? It takes two minutes, and your answers are anonymous: nobody sees "
            "who gave them.\n\n%(link)s\n\nCaregivers College",
            name=learner.name, course=course.title,
            link=f"{public_base_url()}/my/evaluations/{enrolment_id}",
        )
    return subject, body


def invite_after_last_session(moment: datetime | None = None,
                              lookback: timedelta = INVITE_LOOKBACK) -> int:
    """Invite everyone who attended an edition whose last session has ended; returns how many.

    By mail, or on "To phone" for learners without email (the outbox decides), and on
    "My trainings". Each enrolment is invited once.
    """
    moment = moment or timeutil.now()
    last_end = (select(TrainingSession.edition_id, func.max(TrainingSession.ends_at).label("ends_at"))
                .group_by(TrainingSession.edition_id).subquery())
    attended = (select(Attendance.id)
                .join(TrainingSession, TrainingSession.id == Attendance.session_id)
                .where(TrainingSession.edition_id == Enrolment.edition_id,
                       Attendance.learner_id == Enrolment.learner_id,
                       Attendance.status.in_((AttendanceStatus.PRESENT, AttendanceStatus.LATE))))
    enrolments = db.session.scalars(
        select(Enrolment)
        .join(last_end, last_end.c.edition_id == Enrolment.edition_id)
        .where(last_end.c.ends_at <= moment, last_end.c.ends_at > moment - lookback,
               Enrolment.status.in_(SEATED_STATUSES), exists(attended),
               ~exists().where(EvaluationInvitation.enrolment_id == Enrolment.id))
        .options(selectinload(Enrolment.learner),
                 selectinload(Enrolment.edition).selectinload(Edition.course))
        .order_by(Enrolment.id)
    ).all()
    for enrolment in enrolments:
        db.session.add(EvaluationInvitation(enrolment_id=enrolment.id, invited_at=moment))
        if enrolment.learner.anonymised_at is None:
            write_notification(
                "evaluation", learner=enrolment.learner, course=enrolment.edition.course,
                edition=enrolment.edition, dedupe_key=f"evaluation:{enrolment.id}",
                texts=_invitation_texts(enrolment.learner, enrolment.edition.course, enrolment.id))
    db.session.flush()
    return len(enrolments)


def pending_evaluations(learner_id: int) -> list[Enrolment]:
    """The learner's evaluations still to answer (open for eight weeks after the invitation)."""
    return list(db.session.scalars(
        select(Enrolment)
        .join(EvaluationInvitation, EvaluationInvitation.enrolment_id == Enrolment.id)
        .where(Enrolment.learner_id == learner_id, EvaluationInvitation.answered.is_(False),
               EvaluationInvitation.invited_at > timeutil.now() - OPEN_FOR)
        .options(selectinload(Enrolment.edition).selectinload(Edition.course))
        .order_by(EvaluationInvitation.invited_at)
    ))


@dataclass
class Evaluation:
    """What one learner is asked about one edition: the standard questions, then the course's."""

    enrolment: Enrolment
    versions: list[QuestionnaireVersion]

    @property
    def questions(self) -> list[tuple[str, dict]]:
        """(question id, question) in the order asked; the id is "<version id>-<key>"."""
        return [(f"{version.id}-{question['key']}", question)
                for version in self.versions for question in version.questions]


def evaluation_for(learner: User, enrolment_id: int) -> Evaluation:
    """The evaluation the learner may answer now; NotFound or Conflict (answered) otherwise."""
    row = db.session.execute(
        select(Enrolment, EvaluationInvitation)
        .join(EvaluationInvitation, EvaluationInvitation.enrolment_id == Enrolment.id)
        .where(Enrolment.id == enrolment_id, Enrolment.learner_id == learner.id)
        .options(selectinload(Enrolment.edition).selectinload(Edition.course))
    ).first()
    if row is None or row[1].invited_at <= timeutil.now() - OPEN_FOR:
        raise NotFound(_("There is no evaluation to answer here."))
    enrolment, invitation = row
    if invitation.answered:
        raise Conflict(_("You already answered this evaluation. Thank you!"))
    course = enrolment.edition.course
    return Evaluation(enrolment, _versions_for_course(course, _track_for(learner, course)))


def _answer(question_id: str, question: dict, value: object) -> EvaluationAnswer | None:
    """One answer as stored, None when left empty; Invalid for a value that is not an answer."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    key = question["key"]
    if question["kind"] == QuestionKind.OPEN.value:
        text = str(value).strip()
        if len(text) > MAX_OPEN_ANSWER_CHARS:
            raise Invalid(_("Your answer is longer than %(max)s characters.",
                            max=MAX_OPEN_ANSWER_CHARS), field=question_id)
        return EvaluationAnswer(question_key=key, text=text)
    try:
        option = int(value)
    except (TypeError, ValueError):
        option = 0
    if isinstance(value, bool) or not 1 <= option <= len(question["options"]):
        raise Invalid(_("Choose one of the answers shown."), field=question_id)
    return EvaluationAnswer(question_key=key, option=option)


def submit_evaluation(learner: User, enrolment_id: int, values: dict[str, object]) -> int:
    """Keep the answers apart from the learner and mark the invitation answered; returns how
    many questions were answered. Every question may be left empty, but not all of them."""
    evaluation = evaluation_for(learner, enrolment_id)
    responses = _answer_sets(evaluation.enrolment.edition_id, evaluation.versions, values)
    # Claimed by one conditional UPDATE: a double click or a second device answers once.
    claimed = db.session.execute(
        update(EvaluationInvitation)
        .where(EvaluationInvitation.enrolment_id == enrolment_id,
               EvaluationInvitation.answered.is_(False))
        .values(answered=True)
        .returning(EvaluationInvitation.enrolment_id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        raise Conflict(_("You already answered this evaluation. Thank you!"))
    return _store(responses)


def _answer_sets(edition_id: int, versions: list[QuestionnaireVersion],
                 values: dict[str, object]) -> list[EvaluationResponse]:
    """The anonymous answer sets of one filled-in evaluation; Invalid when nothing or nonsense."""
    known = {f"{version.id}-{question['key']}" for version in versions
             for question in version.questions}
    unknown = set(values) - known
    if unknown:
        raise Invalid(_("This evaluation has no question %(id)s.", id=sorted(unknown)[0]),
                      field="answers")
    responses = []
    for version in versions:
        answers = [answer for question in version.questions
                   if (answer := _answer(f"{version.id}-{question['key']}", question,
                                         values.get(f"{version.id}-{question['key']}")))]
        if answers:
            responses.append(EvaluationResponse(edition_id=edition_id, version_id=version.id,
                                                answers=answers))
    if not responses:
        raise Invalid(_("Answer at least one question, or come back later."), field="answers")
    return responses


def _store(responses: list[EvaluationResponse]) -> int:
    """Keep the answer sets; returns how many questions were answered."""
    db.session.add_all(responses)
    db.session.flush()
    return sum(len(response.answers) for response in responses)


# ------------------------------------------------------------------------ paper forms


def _versions_for_course(course: Course, track: Track) -> list[QuestionnaireVersion]:
    versions = [current_version(standard_questionnaire(course.organiser_id, track).id)]
    extra = course_questionnaire(course.id)
    if extra is not None:
        extra_version = current_version(extra.id)
        if extra_version is not None and extra_version.questions:
            versions.append(extra_version)
    return versions


def paper_edition(actor: User, edition_id: int) -> tuple[Edition, list[QuestionnaireVersion]]:
    """The edition and the questions of its paper form (its trainers and coordinators)."""
    edition = db.session.scalar(select(Edition).where(Edition.id == edition_id)
                                .options(selectinload(Edition.course)))
    if edition is None:
        raise NotFound(_("This edition does not exist."))
    if not policy.can_teach_edition(actor, edition.id, edition.course):
        raise NotAllowed(_("Only the edition's trainers and the organiser's coordinators can do this."))
    track = Track.CAREGIVERS if edition.course.open_to_caregivers else Track.PROFESSIONALS
    return edition, _versions_for_course(edition.course, track)


@dataclass
class PaperTally:
    """How many of an edition's learners who attended have answered, online or on paper."""

    edition_id: int
    attended: int
    answered: int


def paper_tally(edition_id: int) -> PaperTally:
    """Who attended the edition, and how many answer sets its standard evaluation holds."""
    attended = db.session.scalar(
        select(func.count(func.distinct(Enrolment.id)))
        .join(Attendance, Attendance.learner_id == Enrolment.learner_id)
        .join(TrainingSession, (TrainingSession.id == Attendance.session_id)
              & (TrainingSession.edition_id == Enrolment.edition_id))
        .where(Enrolment.edition_id == edition_id, Enrolment.status.in_(SEATED_STATUSES),
               Attendance.status.in_((AttendanceStatus.PRESENT, AttendanceStatus.LATE))))
    standard_versions = select(QuestionnaireVersion.id).join(Questionnaire).where(
        Questionnaire.course_id.is_(None))
    answered = db.session.scalar(select(func.count()).select_from(EvaluationResponse).where(
        EvaluationResponse.edition_id == edition_id,
        EvaluationResponse.version_id.in_(standard_versions)))
    return PaperTally(edition_id=edition_id, attended=attended, answered=answered)


def submit_paper_answers(actor: User, edition_id: int, values: dict[str, object]) -> int:
    """Type in one paper form: anonymous like the online answers; at most one form per learner
    who attended, online answers included. Returns how many questions were answered."""
    edition, versions = paper_edition(actor, edition_id)
    responses = _answer_sets(edition.id, versions, values)
    tally = paper_tally(edition.id)
    if tally.answered >= tally.attended:
        raise Conflict(_("Every learner who attended has answered already (%(count)s).",
                         count=tally.attended))
    return _store(responses)
