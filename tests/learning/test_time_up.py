"""When the timer has run out and the learner hands in, the saved answers are graded and shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup

from college import timeutil
from college.learning import attempts
from college.learning.models import AttemptStatus
from college.learning.tasks import grade_expired_attempts
from tests.learning.helpers import attempt, build_quiz, choice_ids, setting
from tests.learning.test_attempts import answer, start, submit


@pytest.fixture()
def s(make):
    return setting(make)


def shown(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return " ".join(BeautifulSoup(page.get_data(as_text=True), "html.parser").main.get_text(" ").split())


@pytest.mark.parametrize("graded_by", ["the worker", "another tab", "nobody yet"])
def test_handing_in_on_the_last_question_after_the_time_shows_the_result(client, auth, s, graded_by):
    ids = choice_ids(build_quiz(s, time_limit_minutes=10))
    auth.login_as(s.learner)
    begin = timeutil.now()
    with time_machine.travel(begin, tick=False):
        taken = start(client, s)
        answer(client, taken.id, 1, ids[0]["question"], ids[0]["correct"])
    with time_machine.travel(begin + timedelta(minutes=15), tick=False):
        if graded_by == "the worker":
            assert grade_expired_attempts() == 1
        elif graded_by == "another tab":
            client.get(f"/quiz/attempts/{taken.id}/review")
        # The learner, still on the last question, presses "Check and hand in".
        words = shown(client, answer(client, taken.id, 3, ids[2]["question"], ids[2]["correct"],
                                     go="review"))
    assert "This is not possible" not in words
    assert "The time for this quiz is up. The answers you saved in time are graded." in words
    assert "1 of 3 correct" in words and "33%" in words
    graded = attempt(taken.id)
    assert graded.status == AttemptStatus.SUBMITTED and graded.score_pct == pytest.approx(33.3)


def test_handing_in_from_the_review_page_after_the_time_shows_the_result(client, auth, s):
    ids = choice_ids(build_quiz(s, time_limit_minutes=10))
    begin = timeutil.now()
    with time_machine.travel(begin, tick=False):
        taken = attempts.start_attempt(s.learner, s.course.id)
        attempts.save_answers(s.learner, taken.id, {ids[0]["question"]: ids[0]["correct"]})
    auth.login_as(s.learner)
    with time_machine.travel(begin + timedelta(minutes=15), tick=False):
        assert grade_expired_attempts() == 1
        words = shown(client, submit(client, taken.id))
    assert "This is not possible" not in words
    assert "1 of 3 correct" in words
