"""Builders shared by the learning tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select

from college.extensions import db
from college.learning import access, quiz_authoring
from college.learning.models import Answer, Attempt, QuestionKind, Quiz
from college.learning.quiz_authoring import ChoiceInput


@dataclass
class Setting:
    course: object
    trainer: object
    learner: object
    edition: object


def setting(make, **course_fields) -> Setting:
    """A course of an organiser with a trainer, and a learner enrolled in an edition."""
    organiser = make.organiser()
    course = make.course(organiser, **course_fields)
    trainer = make.trainer(organiser)
    learner = make.learner()
    edition = make.edition(course)
    make.enrolment(learner, edition)
    return Setting(course, trainer, learner, edition)


def build_quiz(s: Setting, *, pass_pct: int = 70, **settings) -> Quiz:
    """A quiz with a single-choice, a multiple-choice and a true/false question."""
    quiz_authoring.save_quiz_settings(s.trainer, s.course.id, pass_pct=pass_pct, **settings)
    quiz_authoring.save_question(s.trainer, s.course.id, text="Wat is **respijtzorg**?",
                                 kind=QuestionKind.SINGLE, choices=[
                                     ChoiceInput("Tijdelijke overname van de zorg", True, "Juist zo."),
                                     ChoiceInput("Een ziekenhuisopname", False, "Nee, dat niet."),
                                     ChoiceInput("Een premie", False),
                                 ])
    quiz_authoring.save_question(s.trainer, s.course.id, text="Signalen van overbelasting?",
                                 kind=QuestionKind.MULTIPLE, choices=[
                                     ChoiceInput("Slecht slapen", True),
                                     ChoiceInput("Prikkelbaarheid", True),
                                     ChoiceInput("Meer energie", False),
                                     ChoiceInput("Sociaal isolement", True),
                                 ])
    quiz_authoring.save_question(s.trainer, s.course.id, text="Mantelzorgers zijn altijd familie.",
                                 kind=QuestionKind.TRUE_FALSE, choices=[
                                     ChoiceInput("Juist", False), ChoiceInput("Fout", True),
                                 ])
    return access.current_quiz(s.course.id, with_questions=True)


def choice_ids(quiz: Quiz) -> dict[int, dict[str, list[int]]]:
    """Per question position: ids of its correct and wrong choices."""
    result = {}
    for index, question in enumerate(quiz.questions):
        result[index] = {
            "question": question.id,
            "correct": [c.id for c in question.choices if c.correct],
            "wrong": [c.id for c in question.choices if not c.correct],
        }
    return result


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def answer_rows(attempt_id: int) -> set[tuple[int, int]]:
    return set(db.session.execute(
        select(Answer.question_id, Answer.choice_id).where(Answer.attempt_id == attempt_id)
    ).all())


def attempt(attempt_id: int) -> Attempt:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)


def assert_refused(response, status: int, message: str) -> None:
    """The response refuses with this status and tells the user why."""
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


@contextmanager
def captured(signal) -> Iterator[list[dict]]:
    """Collect the keyword arguments of every send of a signal inside the block."""
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    with signal.connected_to(receiver):
        yield received
