"""The quiz through the API: building it whole, taking it in attempts, grading once."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from college.extensions import db
from college.learning.models import Attempt, AttemptStatus, Quiz
from tests.api.conftest import assert_problem

QUESTIONS = [
    {"text": "Wat is **respijtzorg**?", "kind": "single", "choices": [
        {"text": "Tijdelijke overname van de zorg", "correct": True},
        {"text": "Een ziekenhuisopname", "correct": False},
    ]},
    {"text": "Signalen van overbelasting?", "kind": "multiple", "choices": [
        {"text": "Slecht slapen", "correct": True},
        {"text": "Prikkelbaarheid", "correct": True},
        {"text": "Meer energie", "correct": False},
    ]},
]


def _setup(make):
    hub = make.organiser()
    course = make.course(hub)
    trainer = make.trainer(hub)
    learner = make.learner()
    make.enrolment(learner, make.edition(course, trainers=[trainer]))
    return hub, course, trainer, learner


def _put_quiz(client, course, headers, **settings):
    body = {"pass_pct": 70, "questions": QUESTIONS, **settings}
    response = client.put(f"/api/v1/courses/{course.id}/quiz", json=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _correct(quiz: dict) -> dict[str, list[int]]:
    return {str(q["id"]): [c["id"] for c in q["choices"] if c["correct"]] for q in quiz["questions"]}


def test_staff_build_the_quiz_and_learners_never_see_the_answers(client, make, bearer):
    hub, course, trainer, learner = _setup(make)
    quiz = _put_quiz(client, course, bearer(trainer), max_attempts=2, time_limit_minutes=20)
    assert (quiz["pass_pct"], quiz["max_attempts"], quiz["time_limit_minutes"]) == (70, 2, 20)
    assert [q["kind"] for q in quiz["questions"]] == ["single", "multiple"]
    assert quiz["questions"][0]["choices"][0]["correct"] is True
    assert "<strong>respijtzorg</strong>" in quiz["questions"][0]["html"]

    seen = client.get(f"/api/v1/courses/{course.id}/quiz", headers=bearer(learner)).get_json()
    assert "correct" not in json.dumps(seen) and "questions" not in seen
    assert (seen["question_count"], seen["attempts_left"], seen["passed"]) == (2, 2, False)

    started = client.post(f"/api/v1/courses/{course.id}/quiz/attempts", headers=bearer(learner))
    assert started.status_code == 201, started.get_data(as_text=True)
    attempt = started.get_json()
    assert "correct" not in json.dumps(attempt) and "feedback" not in json.dumps(attempt)
    # The Markdown source is for the quiz's authors: learners get the sanitised HTML only.
    assert all("text" not in question for question in attempt["questions"])
    assert "<strong>respijtzorg</strong>" in attempt["questions"][0]["html"]
    assert "Signalen van overbelasting?" in attempt["questions"][1]["html"]
    assert attempt["deadline"].endswith("+00:00") and attempt["status"] == "open"


def test_learner_answers_submits_and_a_repeated_submit_answers_the_same(client, make, bearer):
    hub, course, trainer, learner = _setup(make)
    correct = _correct(_put_quiz(client, course, bearer(trainer)))
    headers = bearer(learner)
    attempt = client.post(f"/api/v1/courses/{course.id}/quiz/attempts", headers=headers).get_json()
    first, second = attempt["questions"]
    saved = client.put(f"/api/v1/attempts/{attempt['id']}/answers", headers=headers, json={"answers": {
        str(first["id"]): correct[str(first["id"])],
        str(second["id"]): correct[str(second["id"])][:1],  # half of the multiple choice
    }})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["answers"][str(first["id"])] == correct[str(first["id"])]

    result = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    assert result.status_code == 200, result.get_data(as_text=True)
    assert (result.get_json()["score_pct"], result.get_json()["passed"]) == (75.0, True)
    again = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)
    assert again.status_code == 200 and again.get_json() == result.get_json()

    late = client.put(f"/api/v1/attempts/{attempt['id']}/answers", headers=headers,
                      json={"answers": {str(second["id"]): correct[str(second["id"])]}})
    assert "already been submitted" in assert_problem(late, 409)["detail"]
    stored = db.session.get(Attempt, attempt["id"])
    assert (stored.status, stored.score_pct) == (AttemptStatus.SUBMITTED, 75.0)
    seen = client.get(f"/api/v1/courses/{course.id}/quiz", headers=headers).get_json()
    assert (seen["passed"], seen["best_score_pct"]) == (True, 75.0)


def test_one_open_attempt_at_a_time_and_no_more_than_allowed(client, make, bearer):
    hub, course, trainer, learner = _setup(make)
    _put_quiz(client, course, bearer(trainer), max_attempts=1)
    url = f"/api/v1/courses/{course.id}/quiz/attempts"
    headers = bearer(learner)
    attempt = client.post(url, headers=headers).get_json()
    assert "in progress" in assert_problem(client.post(url, headers=headers), 409)["detail"]
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).status_code == 200
    assert "used all your attempts" in assert_problem(client.post(url, headers=headers), 409)["detail"]
    assert db.session.scalar(select(func.count(Attempt.id))) == 1


def test_a_new_quiz_after_attempts_is_a_new_version(client, make, bearer):
    hub, course, trainer, learner = _setup(make)
    _put_quiz(client, course, bearer(trainer))
    attempt = client.post(f"/api/v1/courses/{course.id}/quiz/attempts", headers=bearer(learner)).get_json()
    changed = _put_quiz(client, course, bearer(make.coordinator(hub)), pass_pct=50,
                        questions=QUESTIONS[:1])
    assert (changed["version"], changed["question_count"], changed["pass_pct"]) == (2, 1, 50)
    versions = db.session.scalars(select(Quiz.version).order_by(Quiz.version)).all()
    assert versions == [1, 2]
    # The open attempt keeps the two questions it was started with.
    saved = client.put(f"/api/v1/attempts/{attempt['id']}/answers", headers=bearer(learner),
                       json={"answers": {str(attempt["questions"][1]["id"]): []}})
    assert len(saved.get_json()["questions"]) == 2


def test_quiz_refusals(client, make, bearer):
    hub, course, trainer, learner = _setup(make)
    url = f"/api/v1/courses/{course.id}/quiz"
    assert_problem(client.get(url, headers=bearer(learner)), 404)  # no quiz yet
    body = assert_problem(client.put(url, headers=bearer(trainer), json={"pass_pct": 150, "questions": []}), 422)
    assert "pass_pct" in body["errors"]
    two_right = [{"text": "Kies", "kind": "single", "choices": [{"text": "a", "correct": True},
                                                                {"text": "b", "correct": True}]}]
    body = assert_problem(client.put(url, headers=bearer(trainer), json={"pass_pct": 70, "questions": two_right}), 422)
    assert "Question 1" in body["detail"] and "questions" in body["errors"]
    assert_problem(client.put(url, headers=bearer(trainer), json={"pass_pct": "70", "questions": []}), 422)
    assert_problem(client.put(url, headers=bearer(learner), json={"pass_pct": 70, "questions": QUESTIONS}), 403)
    assert_problem(client.put(url, json={"pass_pct": 70, "questions": QUESTIONS}), 401)
    assert_problem(client.put("/api/v1/courses/999999/quiz", headers=bearer(trainer),
                              json={"pass_pct": 70, "questions": QUESTIONS}), 404)
    assert db.session.scalar(select(func.count(Quiz.id))) == 0

    quiz = _put_quiz(client, course, bearer(trainer))
    assert_problem(client.get(url, headers=bearer(make.learner())), 403)
    assert_problem(client.post(f"{url}/attempts", headers=bearer(make.learner())), 403)
    attempt = client.post(f"{url}/attempts", headers=bearer(learner)).get_json()
    answers = f"/api/v1/attempts/{attempt['id']}/answers"
    other_choice = quiz["questions"][1]["choices"][0]["id"]
    body = assert_problem(client.put(answers, headers=bearer(learner), json={
        "answers": {str(quiz["questions"][0]["id"]): [other_choice]}}), 422)
    assert "answers" in body["errors"]
    assert_problem(client.put(answers, headers=bearer(learner), json={"answers": {"first": [1]}}), 422)
    assert_problem(client.put(answers, headers=bearer(learner), json={"answers": [1, 2]}), 422)
    assert_problem(client.put(answers, headers=bearer(make.learner()), json={"answers": {}}), 403)
    assert_problem(client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=bearer(trainer)), 403)
    assert_problem(client.post("/api/v1/attempts/999999/submit", headers=bearer(learner)), 404)
    assert db.session.get(Attempt, attempt["id"]).status == AttemptStatus.OPEN
