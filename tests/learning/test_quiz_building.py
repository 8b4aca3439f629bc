"""Trainers build quizzes in the browser; edits after attempts make a new version."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from college.catalogue.models import Course
from college.extensions import db
from college.learning import attempts
from college.learning.models import Attempt, Choice, Question, Quiz, ShowAnswers
from college.signals import completion_rule_changed
from tests.conftest import post_form
from tests.learning.helpers import assert_refused, build_quiz, captured, count, setting


@pytest.fixture()
def s(make):
    return setting(make)


def quiz_url(s):
    return f"/courses/{s.course.id}/quiz/edit"


SETTINGS = {"title": "Toets", "pass_pct": "60", "max_attempts": "3", "time_limit_minutes": "",
            "show_answers": "after_passing", "shuffle_choices": "y"}


def question_form(text="Wat is mantelzorg?", kind="single", rows=(), **extra):
    data = {"text": text, "kind": kind}
    for i, row in enumerate(rows):
        data[f"choices-{i}-text"] = row[0]
        if row[1]:
            data[f"choices-{i}-correct"] = "y"
        if len(row) > 2:
            data[f"choices-{i}-choice_id"] = str(row[2])
    data.update(extra)
    return data


def test_trainer_creates_quiz_and_question_in_the_browser(client, auth, s):
    auth.login_as(s.trainer)
    assert post_form(client, quiz_url(s), SETTINGS).status_code == 302
    quiz = db.session.scalar(select(Quiz))
    assert (quiz.max_attempts, quiz.time_limit_minutes, quiz.show_answers, quiz.shuffle_choices) == (
        3, None, ShowAnswers.AFTER_PASSING, True)
    assert db.session.get(Course, s.course.id).quiz_pass_pct == 60
    response = post_form(client, f"/courses/{s.course.id}/quiz/questions/new", question_form(
        rows=[("Zorg voor een naaste", True), ("Betaald werk", False), ("", False)],
        **{"choices-0-feedback": "Inderdaad."}))
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    choices = db.session.scalars(select(Choice).order_by(Choice.position)).all()
    assert question.text == "Wat is mantelzorg?"
    assert [(c.text, c.correct, c.feedback) for c in choices] == [
        ("Zorg voor een naaste", True, "Inderdaad."), ("Betaald werk", False, "")]
    page = client.get(quiz_url(s)).get_data(as_text=True)
    assert "Zorg voor een naaste" in page


@pytest.mark.parametrize(("data", "message"), [
    ({**SETTINGS, "pass_pct": "120"}, "between 0 and 100"),
    ({**SETTINGS, "max_attempts": "0"}, "at least 1 attempt"),
    ({**SETTINGS, "time_limit_minutes": "-3"}, "time limit"),
    ({**SETTINGS, "show_answers": "always"}, "correct answers"),
])
def test_bad_quiz_settings_are_refused(client, auth, s, data, message):
    auth.login_as(s.trainer)
    response = post_form(client, quiz_url(s), data)
    assert_refused(response, 422, message)
    assert count(Quiz) == 0
    assert db.session.get(Course, s.course.id).quiz_pass_pct == 70


def test_pass_mark_of_120_leaves_existing_quiz_unchanged(client, auth, s):
    build_quiz(s, pass_pct=65)
    auth.login_as(s.trainer)
    response = post_form(client, quiz_url(s), {**SETTINGS, "pass_pct": "120"})
    assert response.status_code == 422
    assert db.session.get(Course, s.course.id).quiz_pass_pct == 65
    assert db.session.scalar(select(Quiz)).max_attempts is None


@pytest.mark.parametrize(("data", "message"), [
    (question_form(rows=[("A", False), ("B", False)]), "Mark at least one choice as correct"),
    (question_form(rows=[("A", True), ("B", True)]), "exactly one correct choice"),
    (question_form(rows=[("A", True)]), "at least two choices"),
    (question_form(kind="true_false", rows=[("A", True), ("B", False), ("C", False)]),
     "exactly two choices"),
    (question_form(text="", rows=[("A", True), ("B", False)]), "Write the question"),
    (question_form(kind="essay", rows=[("A", True), ("B", False)]), "type of question"),
])
def test_bad_questions_are_refused(client, auth, s, data, message):
    build_quiz(s)
    auth.login_as(s.trainer)
    response = post_form(client, f"/courses/{s.course.id}/quiz/questions/new", data)
    assert_refused(response, 422, message)
    assert count(Question) == 3


def test_choice_of_another_question_cannot_be_edited_in(client, auth, s):
    quiz = build_quiz(s)
    first, second = quiz.questions[0], quiz.questions[1]
    foreign = second.choices[0]
    auth.login_as(s.trainer)
    response = post_form(client, f"/courses/{s.course.id}/quiz/questions/{first.id}/edit",
                         question_form(rows=[("Nieuw", True, foreign.id), ("B", False)]))
    assert_refused(response, 422, "does not belong to this question")
    assert db.session.get(Choice, foreign.id).text == "Slecht slapen"
    assert db.session.get(Choice, foreign.id).question_id == second.id


def test_edit_reorder_and_remove_questions_and_choices(client, auth, s):
    quiz = build_quiz(s)
    single, last = quiz.questions[0], quiz.questions[2]
    keep, drop, third = single.choices
    auth.login_as(s.trainer)
    response = post_form(client, f"/courses/{s.course.id}/quiz/questions/{single.id}/edit",
                         question_form(text="Wat is respijtzorg echt?", rows=[
                             ("Overname van de zorg", True, keep.id), ("x", False, drop.id),
                             ("Een premie", False, third.id), ("Een cursus", False)],
                             **{"choices-1-remove": "y"}))
    assert response.status_code == 302
    texts = db.session.scalars(select(Choice.text).where(Choice.question_id == single.id)
                               .order_by(Choice.position)).all()
    assert texts == ["Overname van de zorg", "Een premie", "Een cursus"]
    base = f"/courses/{s.course.id}/quiz/questions"
    post_form(client, f"{base}/{single.id}/choices/{keep.id}/move", {"direction": "down"},
              page=quiz_url(s))
    texts = db.session.scalars(select(Choice.text).where(Choice.question_id == single.id)
                               .order_by(Choice.position)).all()
    assert texts == ["Een premie", "Overname van de zorg", "Een cursus"]
    post_form(client, f"{base}/{last.id}/move", {"direction": "up"}, page=quiz_url(s))
    order = db.session.scalars(select(Question.text).order_by(Question.position)).all()
    assert order[1] == "Mantelzorgers zijn altijd familie."
    assert post_form(client, f"{base}/{single.id}/remove", page=quiz_url(s)).status_code == 302
    assert count(Question) == 2


def test_editing_after_attempts_makes_a_new_version(client, auth, s):
    quiz = build_quiz(s)
    first = quiz.questions[0]
    rows = [(c.text, c.correct, c.id) for c in first.choices]
    attempt = attempts.start_attempt(s.learner, s.course.id)
    with captured(completion_rule_changed) as changed:
        auth.login_as(s.trainer)
        response = post_form(client, f"/courses/{s.course.id}/quiz/questions/{first.id}/edit",
                             question_form(text="Nieuwe vraag", rows=rows))
    assert response.status_code == 302
    versions = db.session.scalars(select(Quiz).order_by(Quiz.version)).all()
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert db.session.get(Question, first.id).text == "Wat is **respijtzorg**?"
    assert db.session.get(Attempt, attempt.id).quiz_id == versions[0].id
    new_texts = db.session.scalars(
        select(Question.text).where(Question.quiz_id == versions[1].id).order_by(Question.position)
    ).all()
    assert new_texts[0] == "Nieuwe vraag" and len(new_texts) == 3
    assert count(Choice) == 18
    assert changed == [{"course_id": s.course.id}]


def test_other_learners_and_strangers_cannot_build(client, auth, make, s):
    auth.login_as(s.learner)
    assert post_form(client, quiz_url(s), SETTINGS, page="/").status_code == 403
    assert count(Quiz) == 0
