"""Handing in reads the attempt once: a fixed number of queries, and a concurrent hand-in waits.

The hand-in loads its attempt (quiz, course, questions, choices, answers) under the attempt's
row lock and passes it down to grading, instead of loading it again at every step.
"""

from __future__ import annotations

import threading

import pytest

from college.accounts.models import User
from college.extensions import db
from college.learning import access, attempts, quiz_authoring
from college.learning.models import AttemptStatus, QuestionKind
from college.transactions import unit_of_work
from tests.api.conftest import bearer_for
from tests.conftest import counted_queries, csrf_token
from tests.learning.helpers import attempt, build_quiz, setting

#: Per hand-in: the attempt under its row lock with its quiz, course, questions, choices and
#: answers (6), the grade (1 conditional UPDATE), and the completion engine re-deciding the
#: enrolment (5: its editions, the rule with the sessions and quiz, the enrolment, attendance,
#: passed attempts); then who is asking, one query on either surface: the page's user with
#: their memberships, or the API's token with its user and memberships.
#: Before the attempt was passed down, the page took 36 and the API 36.
HAND_IN_QUERIES = 13
API_HAND_IN_QUERIES = 13


def _answered_attempt(make, extra_questions: int):
    """A learner's open attempt with every question answered, committed; the quiz grows on demand."""
    s = setting(make)
    build_quiz(s)
    for number in range(extra_questions):
        quiz_authoring.save_question(
            s.trainer, s.course.id, text=f"Vraag {number}", kind=QuestionKind.MULTIPLE,
            choices=[quiz_authoring.ChoiceInput("Ja", True), quiz_authoring.ChoiceInput("Ook", True),
                     quiz_authoring.ChoiceInput("Nee", False)],
        )
    taken = attempts.start_attempt(s.learner, s.course.id)
    quiz = access.current_quiz(s.course.id, with_questions=True)
    attempts.save_answers(s.learner, taken.id, {
        question.id: [question.choices[0].id] for question in quiz.questions
    })
    db.session.commit()
    return s, taken.id


def _attempt_reads(statements: list[str]) -> int:
    return sum(1 for statement in statements if statement.lstrip().startswith("SELECT attempt.id"))


@pytest.mark.parametrize("extra_questions", [0, 12])
def test_handing_in_on_the_page_reads_the_attempt_once(client, auth, make, extra_questions):
    s, attempt_id = _answered_attempt(make, extra_questions)
    auth.login_as(s.learner)
    token = csrf_token(client, f"/quiz/attempts/{attempt_id}/review")
    with counted_queries() as statements:
        response = client.post(f"/quiz/attempts/{attempt_id}/submit", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}")
    assert attempt(attempt_id).status == AttemptStatus.SUBMITTED
    assert _attempt_reads(statements) == 1
    assert len(statements) == HAND_IN_QUERIES, "\n".join(statements)


@pytest.mark.parametrize("extra_questions", [0, 12])
def test_handing_in_through_the_api_reads_the_attempt_once(client, make, extra_questions):
    s, attempt_id = _answered_attempt(make, extra_questions)
    headers = bearer_for(s.learner)
    with counted_queries() as statements:
        response = client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    graded = attempt(attempt_id)
    assert response.get_json()["score_pct"] == graded.score_pct
    assert _attempt_reads(statements) == 1
    assert len(statements) == API_HAND_IN_QUERIES, "\n".join(statements)


def test_hand_ins_of_one_attempt_at_once_grade_it_once_and_answer_the_same(app, make):
    """On PostgreSQL the hand-ins really run at once (threads); SQLite serialises writers."""
    s, attempt_id = _answered_attempt(make, 0)
    learner_id = s.learner.id
    postgres = db.engine.dialect.name == "postgresql"
    start = threading.Event()
    outcomes: list[object] = []

    def hand_in() -> None:
        start.wait()
        with app.app_context():
            try:
                with unit_of_work():
                    graded = attempts.hand_in(db.session.get(User, learner_id), attempt_id)
                    outcomes.append((graded.status, graded.score_pct, graded.submitted_at))
            except Exception as error:  # recorded, and the test asserts there are none
                outcomes.append(error)
            finally:
                db.session.remove()

    if postgres:
        threads = [threading.Thread(target=hand_in) for _ in range(6)]
        for thread in threads:
            thread.start()
        start.set()
        for thread in threads:
            thread.join(timeout=120)
    else:
        start.set()
        for _ in range(6):
            hand_in()

    graded = attempt(attempt_id)
    assert outcomes == [(AttemptStatus.SUBMITTED, graded.score_pct, graded.submitted_at)] * 6
