"""Taking a quiz: the attempt lifecycle, grading, no leaks, and every bad input refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from college import timeutil
from college.errors import Conflict, NotAllowed
from college.extensions import db
from college.learning import attempts
from college.learning.models import Answer, Attempt, AttemptStatus
from college.learning.tasks import grade_expired_attempts
from college.signals import learning_progressed
from tests.conftest import post_form
from tests.learning.helpers import (
    answer_rows,
    assert_refused,
    attempt,
    build_quiz,
    captured,
    choice_ids,
    count,
    setting,
)


@pytest.fixture()
def s(make):
    return setting(make)


def start(client, s):
    response = post_form(client, f"/courses/{s.course.id}/quiz/start",
                         page=f"/courses/{s.course.id}/learning")
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))


def answer(client, attempt_id, number, question_id, choices, go="next"):
    return post_form(client, f"/quiz/attempts/{attempt_id}/questions/{number}",
                     {"question_id": str(question_id), "choice": [str(c) for c in choices],
                      "go": go}, page="/")


def submit(client, attempt_id):
    return post_form(client, f"/quiz/attempts/{attempt_id}/submit", page="/")


def test_learner_takes_the_quiz_one_question_per_screen(client, auth, s):
    ids = choice_ids(build_quiz(s))
    auth.login_as(s.learner)
    taken = start(client, s)
    page = client.get(f"/quiz/attempts/{taken.id}/questions/1").get_data(as_text=True)
    assert "Question 1 of 3" in page and "<strong>respijtzorg</strong>" in page
    assert "Signalen" not in page  # one question per screen
    response = answer(client, taken.id, 1, ids[0]["question"], ids[0]["correct"])
    assert response.headers["Location"].endswith(f"/quiz/attempts/{taken.id}/questions/2")
    # Two of three correct picks and one wrong: (2 - 1) / 3.
    answer(client, taken.id, 2, ids[1]["question"], ids[1]["correct"][:2] + ids[1]["wrong"])
    back = answer(client, taken.id, 3, ids[2]["question"], ids[2]["wrong"], go="previous")
    assert back.headers["Location"].endswith("/questions/2")
    page = client.get(f"/quiz/attempts/{taken.id}/questions/2").get_data(as_text=True)
    assert page.count(" checked") == 3  # saved picks come back
    review = answer(client, taken.id, 3, ids[2]["question"], ids[2]["correct"], go="review")
    assert review.headers["Location"].endswith(f"/quiz/attempts/{taken.id}/review")
    assert "not answered yet" not in client.get(f"/quiz/attempts/{taken.id}/review").get_data(
        as_text=True)
    with captured(learning_progressed) as progressed:
        assert submit(client, taken.id).status_code == 302
    graded = attempt(taken.id)
    assert graded.status == AttemptStatus.SUBMITTED
    assert graded.score_pct == pytest.approx(77.8)  # (1 + 1/3 + 1) / 3
    assert graded.passed is True
    assert progressed == [{"course_id": s.course.id, "learner_id": s.learner.id}]
    result = client.get(f"/quiz/attempts/{taken.id}").get_data(as_text=True)
    assert "2 of 3 correct · score 78%" in result and "you passed" in result
    assert "<strong>Partly correct (33%)</strong>" in result
    assert "Juist zo." in result  # feedback of the picked choice, after the attempt


def test_question_pages_hold_no_trace_of_the_correct_choices(client, auth, s):
    quiz = build_quiz(s, show_answers="never")
    ids = choice_ids(quiz)
    auth.login_as(s.learner)
    taken = start(client, s)
    for number in (1, 2, 3):
        page = client.get(f"/quiz/attempts/{taken.id}/questions/{number}").get_data(as_text=True)
        inputs = re.findall(r"<input[^>]*name=\"choice\"[^>]*>", page)
        assert inputs
        # Every choice is marked up the same way, apart from its own id.
        shapes = {re.sub(r"\d+", "N", tag) for tag in inputs}
        assert len(shapes) == 1
        for word in ("correct", "Juist zo", "Nee, dat niet", "data-", "feedback"):
            assert word not in page.lower() if word.islower() else word not in page
    review = client.get(f"/quiz/attempts/{taken.id}/review").get_data(as_text=True)
    assert "correct" not in review.lower()
    answer(client, taken.id, 1, ids[0]["question"], ids[0]["wrong"][:1])
    submit(client, taken.id)
    result = client.get(f"/quiz/attempts/{taken.id}").get_data(as_text=True)
    assert "correct answer" not in result and "Juist zo." not in result
    assert "Tijdelijke overname" not in result
    assert "does not show which answers were right" in result


def test_after_passing_shows_answers_only_once_passed(client, auth, s):
    ids = choice_ids(build_quiz(s, show_answers="after_passing"))
    auth.login_as(s.learner)
    failed = start(client, s)
    answer(client, failed.id, 1, ids[0]["question"], ids[0]["wrong"][:1])
    submit(client, failed.id)
    page = client.get(f"/quiz/attempts/{failed.id}").get_data(as_text=True)
    assert "did not pass" in page and "correct answer" not in page
    passed = start(client, s)
    for number, key in enumerate((0, 1, 2), start=1):
        answer(client, passed.id, number, ids[key]["question"], ids[key]["correct"])
    submit(client, passed.id)
    page = client.get(f"/quiz/attempts/{passed.id}").get_data(as_text=True)
    assert "you passed" in page and "correct answer" in page
    assert attempts.best_attempt(s.learner.id, s.course.id).id == passed.id


def test_double_submit_grades_once(client, auth, s):
    ids = choice_ids(build_quiz(s))
    auth.login_as(s.learner)
    taken = start(client, s)
    answer(client, taken.id, 1, ids[0]["question"], ids[0]["correct"])
    assert submit(client, taken.id).status_code == 302
    first = attempt(taken.id)
    replay = submit(client, taken.id)  # a double click, or the form sent again
    assert replay.status_code == 302
    assert replay.headers["Location"].endswith(f"/quiz/attempts/{taken.id}")
    again = attempt(taken.id)
    assert (again.submitted_at, again.score_pct) == (first.submitted_at, first.score_pct)
    late = answer(client, taken.id, 1, ids[0]["question"], ids[0]["wrong"][:1])
    assert late.status_code == 409
    assert answer_rows(taken.id) == {(ids[0]["question"], ids[0]["correct"][0])}


def test_submitting_an_unknown_attempt(client, auth, s):
    auth.login_as(s.learner)
    response = post_form(client, "/quiz/attempts/9999/submit", page="/")
    assert_refused(response, 404, "does not exist")


def test_answering_an_attempt_that_is_not_yours(client, auth, make, s):
    ids = choice_ids(build_quiz(s))
    theirs = attempts.start_attempt(s.learner, s.course.id)
    intruder = make.learner()
    make.enrolment(intruder, s.edition)
    auth.login_as(intruder)
    response = post_form(client, f"/quiz/attempts/{theirs.id}/questions/1",
                         {"question_id": ids[0]["question"], "choice": ids[0]["correct"]},
                         page="/")
    assert response.status_code == 403
    assert post_form(client, f"/quiz/attempts/{theirs.id}/submit", page="/").status_code == 403
    assert client.get(f"/quiz/attempts/{theirs.id}").status_code == 403
    assert count(Answer) == 0
    assert attempt(theirs.id).status == AttemptStatus.OPEN


def test_a_choice_of_another_question_is_refused(client, auth, s):
    ids = choice_ids(build_quiz(s))
    auth.login_as(s.learner)
    taken = start(client, s)
    answer(client, taken.id, 1, ids[0]["question"], ids[0]["correct"])
    response = answer(client, taken.id, 1, ids[0]["question"], ids[1]["correct"][:1])
    assert_refused(response, 422, "does not belong to this question")
    assert answer_rows(taken.id) == {(ids[0]["question"], ids[0]["correct"][0])}
    garbage = answer(client, taken.id, 1, ids[0]["question"], ["abc"])
    assert garbage.status_code == 422


def test_two_choices_on_a_single_choice_question_are_refused(client, auth, s):
    ids = choice_ids(build_quiz(s))
    auth.login_as(s.learner)
    taken = start(client, s)
    response = answer(client, taken.id, 1, ids[0]["question"],
                      ids[0]["correct"] + ids[0]["wrong"][:1])
    assert_refused(response, 422, "only one answer")
    assert answer_rows(taken.id) == set()


def test_max_attempts_and_one_open_at_a_time(client, auth, s):
    build_quiz(s, max_attempts=2)
    auth.login_as(s.learner)
    first = start(client, s)
    twice = post_form(client, f"/courses/{s.course.id}/quiz/start", page="/")
    assert twice.status_code == 409 and "in progress" in twice.get_data(as_text=True)
    submit(client, first.id)
    second = start(client, s)
    submit(client, second.id)
    third = post_form(client, f"/courses/{s.course.id}/quiz/start", page="/")
    assert third.status_code == 409 and "used all your attempts" in third.get_data(as_text=True)
    assert count(Attempt) == 2
    assert "Attempts left: 0" in client.get(f"/courses/{s.course.id}/learning").get_data(
        as_text=True)


def test_learner_without_enrolment_cannot_start(client, auth, make, s):
    build_quiz(s)
    stranger = make.learner()
    auth.login_as(stranger)
    response = post_form(client, f"/courses/{s.course.id}/quiz/start", page="/")
    assert response.status_code == 403
    assert count(Attempt) == 0


def test_deadline_with_grace_and_lazy_grading(client, auth, s):
    ids = choice_ids(build_quiz(s, time_limit_minutes=10))
    auth.login_as(s.learner)
    begin = timeutil.now()
    with time_machine.travel(begin, tick=False):
        taken = start(client, s)
    assert attempt(taken.id).deadline == begin + timedelta(minutes=10)
    with time_machine.travel(begin + timedelta(minutes=10, seconds=25), tick=False):
        ok = answer(client, taken.id, 1, ids[0]["question"], ids[0]["correct"])
        assert ok.status_code == 302  # within the 30 s grace
    with time_machine.travel(begin + timedelta(minutes=10, seconds=31), tick=False):
        late = answer(client, taken.id, 2, ids[1]["question"], ids[1]["correct"])
        assert late.status_code == 302  # handed in: the result page tells why
        assert late.headers["Location"].endswith(f"/quiz/attempts/{taken.id}")
        result = client.get(late.headers["Location"]).get_data(as_text=True)
        assert "time for this quiz is up" in result
    graded = attempt(taken.id)
    assert graded.status == AttemptStatus.SUBMITTED
    assert graded.score_pct == pytest.approx(33.3)  # only the saved first answer counts
    assert answer_rows(taken.id) == {(ids[0]["question"], ids[0]["correct"][0])}


def test_an_abandoned_attempt_is_graded_when_looked_at(client, auth, s):
    ids = choice_ids(build_quiz(s, time_limit_minutes=5))
    begin = timeutil.now()
    with time_machine.travel(begin, tick=False):
        taken = attempts.start_attempt(s.learner, s.course.id)
        attempts.save_answers(s.learner, taken.id, {ids[2]["question"]: ids[2]["correct"]})
    auth.login_as(s.learner)
    with time_machine.travel(begin + timedelta(hours=1), tick=False):
        page = client.get(f"/courses/{s.course.id}/learning").get_data(as_text=True)
    assert attempt(taken.id).status == AttemptStatus.SUBMITTED
    assert "33%" in page


def test_periodic_job_grades_expired_attempts(s):
    ids = choice_ids(build_quiz(s, time_limit_minutes=5))
    begin = timeutil.now()
    with time_machine.travel(begin, tick=False):
        taken = attempts.start_attempt(s.learner, s.course.id)
        attempts.save_answers(s.learner, taken.id, {ids[0]["question"]: ids[0]["correct"]})
    with time_machine.travel(begin + timedelta(minutes=5, seconds=10), tick=False):
        assert grade_expired_attempts() == 0  # still inside the grace
    with time_machine.travel(begin + timedelta(minutes=6), tick=False):
        assert grade_expired_attempts() == 1
        assert grade_expired_attempts() == 0
    assert attempt(taken.id).score_pct == pytest.approx(33.3)


def test_service_refusals_change_nothing(s, make):
    ids = choice_ids(build_quiz(s))
    taken = attempts.start_attempt(s.learner, s.course.id)
    other = make.learner()
    with pytest.raises(NotAllowed):
        attempts.save_answers(other, taken.id, {ids[0]["question"]: ids[0]["correct"]})
    attempts.submit_attempt(s.learner, taken.id, {ids[0]["question"]: ids[0]["correct"]})
    with pytest.raises(Conflict):
        attempts.submit_attempt(s.learner, taken.id)
    with pytest.raises(Conflict):
        attempts.save_answers(s.learner, taken.id, {ids[0]["question"]: ids[0]["wrong"][:1]})
    assert answer_rows(taken.id) == {(ids[0]["question"], ids[0]["correct"][0])}


def test_shuffled_attempt_keeps_its_own_order(client, auth, s):
    build_quiz(s, shuffle_questions=True, shuffle_choices=True)
    auth.login_as(s.learner)
    taken = start(client, s)
    assert attempt(taken.id).order_json
    seen = set()
    for number in (1, 2, 3):
        page = client.get(f"/quiz/attempts/{taken.id}/questions/{number}").get_data(as_text=True)
        seen.update(q for q in ("respijtzorg", "Signalen", "altijd familie") if q in page)
    assert seen == {"respijtzorg", "Signalen", "altijd familie"}


def test_trainer_sees_attempts_and_per_question_results(client, auth, s):
    ids = choice_ids(build_quiz(s, show_answers="never"))
    taken = attempts.start_attempt(s.learner, s.course.id)
    attempts.submit_attempt(s.learner, taken.id, {ids[0]["question"]: ids[0]["wrong"][:1],
                                                  ids[2]["question"]: ids[2]["correct"]})
    auth.login_as(s.trainer)
    results = client.get(f"/courses/{s.course.id}/quiz/results").get_data(as_text=True)
    assert s.learner.name in results and "33%" in results and "not passed" in results
    detail = client.get(f"/quiz/attempts/{taken.id}").get_data(as_text=True)
    assert "<strong>Not correct</strong>" in detail and "<strong>Correct</strong>" in detail
    assert "1 of 3 correct · score 33%" in detail
    assert "correct answer" in detail and "picked" in detail
    auth.logout()
    auth.login_as(s.learner)
    assert client.get(f"/courses/{s.course.id}/quiz/results").status_code == 403


def test_cli_grades_expired_attempts(runner, s):
    ids = choice_ids(build_quiz(s, time_limit_minutes=5))
    begin = timeutil.now()
    with time_machine.travel(begin, tick=False):
        taken = attempts.start_attempt(s.learner, s.course.id)
        attempts.save_answers(s.learner, taken.id, {ids[0]["question"]: ids[0]["correct"]})
    with time_machine.travel(begin + timedelta(minutes=6), tick=False):
        result = runner.invoke(args=["college", "grade-expired-attempts"])
    assert "Graded 1 expired quiz attempt(s)." in result.output
    assert attempt(taken.id).status == AttemptStatus.SUBMITTED


def test_starting_again_grades_the_expired_open_attempt_first(s):
    ids = choice_ids(build_quiz(s, time_limit_minutes=5, shuffle_questions=True))
    begin = timeutil.now()
    with time_machine.travel(begin, tick=False):
        first = attempts.start_attempt(s.learner, s.course.id)
        attempts.save_answers(s.learner, first.id, {ids[1]["question"]: ids[1]["correct"]})
    with time_machine.travel(begin + timedelta(minutes=7), tick=False):
        second = attempts.start_attempt(s.learner, s.course.id)
    assert attempt(first.id).status == AttemptStatus.SUBMITTED
    assert attempt(first.id).score_pct == pytest.approx(33.3)
    assert (attempt(second.id).number, attempt(second.id).status) == (2, AttemptStatus.OPEN)
