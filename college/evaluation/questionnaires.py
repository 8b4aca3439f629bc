"""Writing questionnaires: the standard of each organiser and track, a course's extra questions,
and a new version whenever a questionnaire that has answers changes."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from college import policy
from college.accounts.models import User
from college.catalogue.models import Course, Track
from college.errors import Invalid, NotAllowed, NotFound
from college.evaluation.models import (
    EvaluationResponse,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
)
from college.extensions import db

#: An evaluation stays short: at most six closed questions and one open question.
MAX_CLOSED = 6
MAX_OPEN = 1
MAX_OPTIONS = 7
MAX_QUESTION_CHARS = 300
MAX_OPTION_CHARS = 80

_USEFUL = ["Helemaal niet", "Een beetje", "Redelijk", "Veel", "Heel veel"]

#: The standard evaluation the College ships, per track (organisers change it as they like).
SHIPPED: dict[Track, list[dict]] = {
    Track.CAREGIVERS: [
        {"kind": "scale", "text": "Hoeveel heb je aan deze vorming?", "options": _USEFUL},
        {"kind": "scale", "text": "Kun je wat je leerde thuis gebruiken?", "options": _USEFUL},
        {"kind": "scale", "text": "Hoe duidelijk legde de lesgever het uit?",
         "options": ["Niet duidelijk", "Soms duidelijk", "Duidelijk", "Heel duidelijk"]},
        {"kind": "scale", "text": "Voel je je sterker staan in je zorg?", "options": _USEFUL},
        {"kind": "choice", "text": "Waren de plaats en het uur goed voor jou?",
         "options": ["Ja", "Niet helemaal", "Nee"]},
        {"kind": "choice", "text": "Zou je deze vorming aanraden aan een andere mantelzorger?",
         "options": ["Ja", "Misschien", "Nee"]},
        {"kind": "open", "text": "Wat was goed, en wat kan beter?", "options": []},
    ],
    Track.PROFESSIONALS: [
        {"kind": "scale", "text": "Hoeveel heb je aan deze vorming?", "options": _USEFUL},
        {"kind": "scale", "text": "Kun je wat je leerde in je werk gebruiken?", "options": _USEFUL},
        {"kind": "scale", "text": "Hoe duidelijk legde de lesgever het uit?",
         "options": ["Niet duidelijk", "Soms duidelijk", "Duidelijk", "Heel duidelijk"]},
        {"kind": "scale", "text": "Herken je mantelzorgers nu beter?", "options": _USEFUL},
        {"kind": "choice", "text": "Zou je deze vorming aanraden aan een collega?",
         "options": ["Ja", "Misschien", "Nee"]},
        {"kind": "open", "text": "Wat was goed, en wat kan beter?", "options": []},
    ],
}


def validated_questions(raw: list[dict]) -> list[dict]:
    """The questions as stored, each with its key; Invalid (naming the question) otherwise."""
    questions = []
    for number, item in enumerate(raw, start=1):
        field = f"questions-{number}"
        try:
            kind = QuestionKind(str(item.get("kind", "")))
        except ValueError:
            raise Invalid(_("Question %(number)s: choose scale, choice or open.", number=number),
                          field=field) from None
        text = " ".join(str(item.get("text") or "").split())
        if not text:
            raise Invalid(_("Question %(number)s has no text.", number=number), field=field)
        if len(text) > MAX_QUESTION_CHARS:
            raise Invalid(_("Question %(number)s is longer than %(max)s characters.",
                            number=number, max=MAX_QUESTION_CHARS), field=field)
        options = [" ".join(str(option).split()) for option in item.get("options") or []]
        options = [option for option in options if option]
        if kind == QuestionKind.OPEN:
            options = []
        elif not 2 <= len(options) <= MAX_OPTIONS:
            raise Invalid(_("Question %(number)s needs between 2 and %(max)s answers.",
                            number=number, max=MAX_OPTIONS), field=field)
        elif any(len(option) > MAX_OPTION_CHARS for option in options):
            raise Invalid(_("An answer of question %(number)s is longer than %(max)s characters.",
                            number=number, max=MAX_OPTION_CHARS), field=field)
        questions.append({"key": f"q{number}", "kind": kind.value, "text": text,
                          "options": options})
    closed = sum(1 for question in questions if question["kind"] != QuestionKind.OPEN.value)
    if closed > MAX_CLOSED:
        raise Invalid(_("An evaluation has at most %(max)s questions with answers to choose.",
                        max=MAX_CLOSED), field="questions")
    if len(questions) - closed > MAX_OPEN:
        raise Invalid(_("An evaluation has at most one open question."), field="questions")
    return questions


def _new_version(questionnaire: Questionnaire, questions: list[dict], number: int) -> QuestionnaireVersion:
    version = QuestionnaireVersion(questionnaire_id=questionnaire.id, number=number,
                                   questions=questions)
    db.session.add(version)
    db.session.flush()
    return version


def current_version(questionnaire_id: int) -> QuestionnaireVersion | None:
    """The version asked now: the newest."""
    return db.session.scalar(
        select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
        .order_by(QuestionnaireVersion.number.desc()).limit(1))


def standard_questionnaire(organiser_id: int, track: Track) -> Questionnaire:
    """The organiser's standard evaluation of a track, made from the shipped one on first use."""
    questionnaire = db.session.scalar(
        select(Questionnaire).where(Questionnaire.organiser_id == organiser_id,
                                    Questionnaire.track == track,
                                    Questionnaire.course_id.is_(None)))
    if questionnaire is None:
        questionnaire = Questionnaire(organiser_id=organiser_id, track=track)
        db.session.add(questionnaire)
        db.session.flush()
        _new_version(questionnaire, validated_questions(SHIPPED[track]), 1)
    return questionnaire


def course_questionnaire(course_id: int) -> Questionnaire | None:
    """A course's extra questions, if it has any."""
    return db.session.scalar(select(Questionnaire).where(Questionnaire.course_id == course_id))


def questionnaire_for_staff(actor: User, questionnaire_id: int) -> Questionnaire:
    """A questionnaire its organiser's coordinators may change; NotFound/NotAllowed otherwise."""
    questionnaire = db.session.get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        raise NotFound(_("This questionnaire does not exist."))
    if not policy.can_manage_organiser(actor, questionnaire.organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators can change its evaluations."))
    return questionnaire


def questionnaires_of(actor: User, organiser_id: int) -> list[tuple[Questionnaire, QuestionnaireVersion, str | None]]:
    """The organiser's standard evaluations (both tracks) and courses' extra questions, with
    their current version and the course's title."""
    if not policy.can_manage_organiser(actor, organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators can change its evaluations."))
    for track in Track:
        standard_questionnaire(organiser_id, track)
    newest = (select(QuestionnaireVersion.questionnaire_id,
                     func.max(QuestionnaireVersion.number).label("number"))
              .group_by(QuestionnaireVersion.questionnaire_id).subquery())
    rows = db.session.execute(
        select(Questionnaire, QuestionnaireVersion, Course.title)
        .join(newest, newest.c.questionnaire_id == Questionnaire.id)
        .join(QuestionnaireVersion, (QuestionnaireVersion.questionnaire_id == Questionnaire.id)
              & (QuestionnaireVersion.number == newest.c.number))
        .outerjoin(Course, Course.id == Questionnaire.course_id)
        .where(Questionnaire.organiser_id == organiser_id)
        .order_by(Questionnaire.course_id.is_not(None), Questionnaire.track, Course.title)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def save_questions(actor: User, questionnaire: Questionnaire, raw: list[dict]) -> QuestionnaireVersion:
    """Change the questions: in place while nobody answered, else as a new version."""
    if not policy.can_manage_organiser(actor, questionnaire.organiser_id):
        raise NotAllowed(_("Only the organiser's coordinators can change its evaluations."))
    questions = validated_questions(raw)
    if not questions and questionnaire.course_id is None:
        raise Invalid(_("The standard evaluation needs at least one question."), field="questions")
    version = current_version(questionnaire.id)
    if version is not None and version.questions == questions:
        return version
    answered = version is not None and db.session.scalar(
        select(exists().where(EvaluationResponse.version_id == version.id)))
    if version is None or answered:
        return _new_version(questionnaire, questions, (version.number + 1) if version else 1)
    version.questions = questions
    db.session.flush()
    return version


def save_course_questions(actor: User, course_id: int, raw: list[dict]) -> QuestionnaireVersion:
    """A course's extra questions (scale, choice, open), asked after the standard ones."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound(_("This training does not exist."))
    if not policy.can_manage_course(actor, course):
        raise NotAllowed(_("Only the organiser's coordinators can change its evaluations."))
    questionnaire = course_questionnaire(course.id)
    if questionnaire is None:
        questionnaire = Questionnaire(organiser_id=course.organiser_id, course_id=course.id)
        db.session.add(questionnaire)
        db.session.flush()
    return save_questions(actor, questionnaire, raw)
