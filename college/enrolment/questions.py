"""Questions a course asks at enrolment, their answers, and companion seats.

One check (`clean_answers`) serves the enrol page, the roster's "Enrol someone" and the API.
Answers belong to the enrolment: shown to the edition's staff (logged with the roster), in the
learner's export, and deleted when the learner's data is erased.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from sqlalchemy import delete, exists, select

from college.accounts.models import Kind, User
from college.catalogue.models import Course
from college.enrolment.models import Enrolment, EnrolmentAnswer, EnrolmentQuestion, QuestionKind
from college.errors import Invalid
from college.extensions import db

MAX_ANSWER = 1000


def field_name(question_id: int) -> str:
    """The name of a question's field in forms and in refusals (`question_12`)."""
    return f"question_{question_id}"


# ------------------------------------------------------------------------------ asking


def asked_questions(course_id: int) -> list[EnrolmentQuestion]:
    """The questions the course asks now, in their order."""
    return list(db.session.scalars(
        select(EnrolmentQuestion)
        .where(EnrolmentQuestion.course_id == course_id, EnrolmentQuestion.archived_at.is_(None))
        .order_by(EnrolmentQuestion.position, EnrolmentQuestion.id)
    ))


def asks_at_enrolment(course_id: int) -> bool:
    """Whether enrolling in the course asks something: questions, the companion choice, or
    respite."""
    return bool(db.session.scalar(
        select(Course.allow_companion | Course.offers_respite | exists().where(
            EnrolmentQuestion.course_id == Course.id, EnrolmentQuestion.archived_at.is_(None)))
        .where(Course.id == course_id)
    ))


def course_questions(course_id: int) -> list[EnrolmentQuestion]:
    """All of a course's questions, archived ones last, for its coordinators."""
    return list(db.session.scalars(
        select(EnrolmentQuestion)
        .where(EnrolmentQuestion.course_id == course_id)
        .order_by(EnrolmentQuestion.archived_at.is_not(None), EnrolmentQuestion.position,
                  EnrolmentQuestion.id)
    ))


def clean_answers(course: Course, learner: User, answers: Mapping | None,
                  companion: bool, *, by_staff: bool = False) -> dict[int, str]:
    """The answers to keep, by question id; refuses what the course does not ask or accept.

    Refused: an answer to a question this course does not ask, a choice not in the list, a
    required question left unanswered by a learner enrolling themselves (staff who enrol
    someone, from a phone call, a list or at the door, may leave it open), and a companion
    seat where the course has none or for someone who is not a caregiver (companions are the
    people caregivers care for).
    """
    asked = {question.id: question for question in asked_questions(course.id)}
    cleaned: dict[int, str] = {}
    for key, value in (answers or {}).items():
        question = asked.get(int(key)) if str(key).isdecimal() else None
        if question is None:
            raise Invalid(_("Answer only the questions this course asks."), field="answers")
        field = field_name(question.id)
        if value is not None and not isinstance(value, str):
            raise Invalid(_("Answer with text."), field=field)
        value = (value or "").strip()
        if not value:
            continue
        if "\x00" in value:
            raise Invalid(_("This contains a NUL character, which no text may hold."), field=field)
        if len(value) > MAX_ANSWER:
            raise Invalid(_("Use at most %(count)d characters.", count=MAX_ANSWER), field=field)
        if question.kind == QuestionKind.CHOICE and value not in question.choices:
            raise Invalid(_("Choose one of the answers given."), field=field)
        cleaned[question.id] = value
    for question in asked.values():
        if question.required and not by_staff and question.id not in cleaned:
            raise Invalid(_("Please answer this question: %(question)s", question=question.text),
                          field=field_name(question.id))
    if companion:
        if not course.allow_companion:
            raise Invalid(_("This course has no companion seats."), field="companion")
        if learner.kind != Kind.CAREGIVER:
            raise Invalid(_("Companion seats are for caregivers who bring the person they "
                            "care for."), field="companion")
    return cleaned


def store_answers(enrolment: Enrolment, answers: Mapping[int, str]) -> None:
    """Keep the checked answers with the enrolment."""
    db.session.add_all(
        EnrolmentAnswer(enrolment_id=enrolment.id, question_id=question_id, value=value)
        for question_id, value in answers.items()
    )
    db.session.flush()


def answers_of(enrolment_ids: Iterable[int]) -> dict[int, list[tuple[EnrolmentQuestion, str]]]:
    """Each enrolment's answers with their questions, in the questions' order (one query)."""
    answers: dict[int, list[tuple[EnrolmentQuestion, str]]] = {}
    ids = list(enrolment_ids)
    if not ids:
        return answers
    for enrolment_id, question, value in db.session.execute(
        select(EnrolmentAnswer.enrolment_id, EnrolmentQuestion, EnrolmentAnswer.value)
        .join(EnrolmentQuestion, EnrolmentQuestion.id == EnrolmentAnswer.question_id)
        .where(EnrolmentAnswer.enrolment_id.in_(ids))
        .order_by(EnrolmentQuestion.position, EnrolmentQuestion.id)
    ):
        answers.setdefault(enrolment_id, []).append((question, value))
    return answers


def erase_answers_of(learner_id: int) -> None:
    """Delete every answer a learner gave (their erasure)."""
    mine = select(Enrolment.id).where(Enrolment.learner_id == learner_id)
    db.session.execute(delete(EnrolmentAnswer).where(EnrolmentAnswer.enrolment_id.in_(mine)))
