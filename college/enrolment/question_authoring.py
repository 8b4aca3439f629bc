"""Coordinators write the questions a course asks at enrolment (see questions.py)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import User
from college.catalogue.models import Course
from college.catalogue.services import _assign, _merged, _text, require_course_manager
from college.enrolment.models import EnrolmentAnswer, EnrolmentQuestion, QuestionKind
from college.errors import Invalid
from college.extensions import db

MAX_CHOICE = 100



def _choices(value: Iterable[str] | str | None) -> list[str]:
    lines = value.splitlines() if isinstance(value, str) else list(value or ())
    choices: list[str] = []
    for line in lines:
        if not isinstance(line, str):
            raise Invalid(_("Give the choices as text."), field="choices")
        line = line.strip()
        if len(line) > MAX_CHOICE:
            raise Invalid(_("Use at most %(count)d characters.", count=MAX_CHOICE), field="choices")
        if line and line not in choices:
            choices.append(line)
    return choices


def _question_values(fields: dict) -> dict:
    try:
        kind = QuestionKind(fields.get("kind"))
    except ValueError as error:
        raise Invalid(_("Choose a kind of question: text or a choice."), field="kind") from error
    choices = _choices(fields.get("choices"))
    if kind == QuestionKind.CHOICE and len(choices) < 2:
        raise Invalid(_("Give at least two choices, one per line."), field="choices")
    if kind == QuestionKind.TEXT and choices:
        raise Invalid(_("A text question has no choices."), field="choices")
    position = fields.get("position")
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= 100:
        raise Invalid(_("Enter a whole number between 1 and 100."), field="position")
    why = _text(fields.get("why"), "why", 500)
    if not why:
        raise Invalid(_("Say why you ask this: people give only what they know is needed."),
                      field="why")
    return {
        "kind": kind,
        "text": _text(fields.get("text"), "text", 300, required=True),
        "why": why,
        "required": bool(fields.get("required", False)),
        "choices_text": "\n".join(choices),
        "position": position,
    }


def _fields_of(question: EnrolmentQuestion) -> dict:
    return {"kind": question.kind.value, "text": question.text, "why": question.why,
            "required": question.required, "choices": question.choices,
            "position": question.position}


def _answered(question_id: int) -> set[str]:
    return set(db.session.scalars(
        select(EnrolmentAnswer.value).where(EnrolmentAnswer.question_id == question_id).distinct()
    ))


def add_question(actor: User | None, course: Course, **fields) -> EnrolmentQuestion:
    """Add a question to a course's enrolment (coordinators). Fields: kind, text, why,
    required, choices (a list, or text with one per line) and position (last when left out)."""
    require_course_manager(actor, course)
    if fields.get("position") is None:
        last = db.session.scalar(select(func.max(EnrolmentQuestion.position))
                                 .where(EnrolmentQuestion.course_id == course.id))
        fields["position"] = min((last or 0) + 1, 100)
    question = EnrolmentQuestion(course_id=course.id, **_question_values(fields))
    db.session.add(question)
    db.session.flush()
    return question


def update_question(actor: User | None, question: EnrolmentQuestion, **fields) -> EnrolmentQuestion:
    """Change a question; once answered its kind stays and chosen answers stay choices."""
    course = db.session.get(Course, question.course_id)
    require_course_manager(actor, course)
    values = _question_values(_merged(_fields_of(question), fields))
    answered = _answered(question.id)
    if answered and values["kind"] != question.kind:
        raise Invalid(_("People have answered this question, so its kind cannot change. "
                        "Remove it and add a new one."), field="kind")
    if values["kind"] == QuestionKind.CHOICE:
        dropped = sorted(answered - set(values["choices_text"].split("\n")))
        if dropped:
            raise Invalid(_("These choices were given as answers and must stay: %(choices)s",
                            choices=", ".join(dropped)), field="choices")
    _assign(question, values)
    db.session.flush()
    return question


def remove_question(actor: User | None, question: EnrolmentQuestion) -> bool:
    """Stop asking a question: deleted when nobody answered it, else archived so the answers
    stay readable. Returns True when it was deleted."""
    course = db.session.get(Course, question.course_id)
    require_course_manager(actor, course)
    if _answered(question.id):
        question.archived_at = question.archived_at or timeutil.now()
        db.session.flush()
        return False
    db.session.delete(question)
    db.session.flush()
    return True
