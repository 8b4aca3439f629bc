"""Learning's create forms create once: a new module, a new question, starting the quiz."""

from __future__ import annotations

from sqlalchemy import func, select

from college.extensions import db
from college.learning.models import Attempt, Module, Question
from tests.conftest import double_click
from tests.learning.helpers import build_quiz, setting


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_module_saved_twice_is_written_once(client, auth, make):
    s = setting(make)
    auth.login_as(s.trainer)
    first, second = double_click(client, f"/courses/{s.course.id}/modules/new",
                                 {"title": "Wat is dementie?", "minutes": "10",
                                  "body_markdown": "Meer dan **vergeten**."})
    assert first == second and first[0] == 302 and "Module saved." in first[2]
    assert count(Module) == 1


def test_a_new_question_saved_twice_is_added_once(client, auth, make):
    s = setting(make)
    build_quiz(s)
    questions = count(Question)
    auth.login_as(s.trainer)
    first, second = double_click(
        client, f"/courses/{s.course.id}/quiz/questions/new",
        {"text": "Wat is mantelzorg?", "kind": "single",
         "choices-0-text": "Zorg voor een naaste", "choices-0-correct": "y",
         "choices-1-text": "Betaald werk"})
    assert first == second and first[0] == 302 and "Question saved." in first[2]
    assert count(Question) == questions + 1


def test_start_the_quiz_clicked_twice_starts_one_attempt(client, auth, make):
    s = setting(make)
    build_quiz(s)
    auth.login_as(s.learner)
    first, second = double_click(client, f"/courses/{s.course.id}/quiz/start", {},
                                 page=f"/courses/{s.course.id}/learning")
    assert first == second and first[0] == 302 and "/questions/1" in first[1]
    assert count(Attempt) == 1
