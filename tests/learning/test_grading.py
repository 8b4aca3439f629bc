"""Grading rules, including property-based checks that any answer set grades within 0..100."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from college.errors import Invalid
from college.learning import attempts
from college.learning.grading import question_points, score_pct
from college.learning.models import AttemptStatus, QuestionKind
from tests.learning.helpers import attempt, build_quiz, choice_ids, setting


@pytest.mark.parametrize(("kind", "correct", "picked", "points"), [
    (QuestionKind.SINGLE, {1}, {1}, 1.0),
    (QuestionKind.SINGLE, {1}, {2}, 0.0),
    (QuestionKind.SINGLE, {1}, set(), 0.0),
    (QuestionKind.TRUE_FALSE, {2}, {2}, 1.0),
    (QuestionKind.TRUE_FALSE, {2}, {1}, 0.0),
    (QuestionKind.MULTIPLE, {1, 2, 3}, {1, 2, 3}, 1.0),
    (QuestionKind.MULTIPLE, {1, 2, 3}, {1, 2}, 2 / 3),
    (QuestionKind.MULTIPLE, {1, 2, 3}, {1, 2, 4}, 1 / 3),
    (QuestionKind.MULTIPLE, {1, 2}, {1, 3, 4}, 0.0),  # never below 0
    (QuestionKind.MULTIPLE, {1, 2}, set(), 0.0),
])
def test_question_points(kind, correct, picked, points):
    assert question_points(kind, correct, picked) == pytest.approx(points)


def test_score_is_a_percentage_and_pass_is_at_the_mark():
    assert score_pct([1, 0.5, 0], 3) == 50.0
    assert score_pct([], 0) == 0.0


ids = st.integers(min_value=1, max_value=12)


@given(
    kind=st.sampled_from(list(QuestionKind)),
    correct=st.sets(ids, max_size=6),
    picked=st.sets(ids, max_size=12),
)
def test_any_picks_give_points_between_0_and_1(kind, correct, picked):
    points = question_points(kind, correct, picked)
    assert 0.0 <= points <= 1.0


@given(st.lists(st.floats(min_value=0, max_value=1), max_size=40))
def test_any_points_give_a_score_between_0_and_100(points):
    assert 0.0 <= score_pct(points, len(points)) <= 100.0


@pytest.fixture()
def quiz_setting(make):
    s = setting(make)
    return s, choice_ids(build_quiz(s))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_answer_set_through_the_services_grades_within_0_and_100(quiz_setting, data):
    """Random answers, valid or not: refusals are clear, grades stay in range, nothing raises."""
    s, questions = quiz_setting
    every_choice = [c for q in questions.values() for c in q["correct"] + q["wrong"]]
    # Draw everything first: hypothesis may end an example at a draw, leaving an open attempt.
    answer_sets = [
        (q["question"], data.draw(st.lists(st.sampled_from(every_choice + [999_999]), max_size=4)))
        for q in questions.values()
    ]
    taken = attempts.start_attempt(s.learner, s.course.id)
    for question_id, picked in answer_sets:
        try:
            attempts.save_answers(s.learner, taken.id, {question_id: picked})
        except Invalid as refusal:
            assert refusal.status == 422
    attempts.submit_attempt(s.learner, taken.id)
    graded = attempt(taken.id)
    assert graded.status == AttemptStatus.SUBMITTED
    assert 0.0 <= graded.score_pct <= 100.0
    assert graded.passed == (graded.score_pct >= s.course.quiz_pass_pct)


def test_a_score_equal_to_the_pass_mark_passes(make):
    s = setting(make)
    questions = choice_ids(build_quiz(s, pass_pct=100))
    taken = attempts.start_attempt(s.learner, s.course.id)
    attempts.submit_attempt(s.learner, taken.id, {q["question"]: q["correct"]
                                                  for q in questions.values()})
    graded = attempt(taken.id)
    assert (graded.score_pct, graded.passed) == (100.0, True)
