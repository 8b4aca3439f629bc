"""The evaluation API: the same rules as the pages (one table of cases), the same withheld figures."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from college.accounts.models import User
from college.evaluation.models import EvaluationInvitation, EvaluationResponse
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.conftest import post_form
from tests.evaluation.helpers import finished_edition, invite

#: (answers by position: 0 = the first question, -1 = the open one), status, message
CASES = [
    ({}, 422, "Answer at least one question"),
    ({0: "9"}, 422, "Choose one of the answers shown."),
    ({-1: "x" * 2001}, 422, "longer than 2000 characters"),
    ({0: "2", -1: "Goed"}, 200, ""),
]


@pytest.mark.parametrize(("answers", "status", "message"), CASES)
@pytest.mark.parametrize("surface", ["page", "api"])
def test_page_and_api_decide_the_same(make, client, auth, surface, answers, status, message):
    _edition, enrolments = finished_edition(make, make.course(), learners=1)
    invite()
    learner = db.session.get(User, enrolments[0].learner_id)
    headers = bearer_for(learner)
    pending = client.get("/api/v1/me/evaluations", headers=headers).get_json()
    assert [item["enrolment_id"] for item in pending] == [enrolments[0].id]
    ids = [question["id"] for question in pending[0]["questions"]]
    values = {ids[position]: value for position, value in answers.items()}
    if surface == "api":
        response = client.put(f"/api/v1/me/evaluations/{enrolments[0].id}", headers=headers,
                              json={"answers": values})
        text = response.get_data(as_text=True)
    else:
        auth.login_as(learner)
        response = post_form(client, f"/my/evaluations/{enrolments[0].id}", values)
        text = response.get_data(as_text=True)
    expected = 302 if surface == "page" and status == 200 else status
    assert response.status_code == expected
    assert message in text
    answered = status == 200
    assert db.session.get(EvaluationInvitation, enrolments[0].id).answered is answered
    assert db.session.scalar(select(func.count()).select_from(EvaluationResponse)) == int(answered)


def test_a_second_answer_through_the_api_is_refused(make, client):
    _edition, enrolments = finished_edition(make, make.course(), learners=1)
    invite()
    headers = bearer_for(db.session.get(User, enrolments[0].learner_id))
    question = client.get("/api/v1/me/evaluations", headers=headers).get_json()[0]["questions"][0]["id"]
    url = f"/api/v1/me/evaluations/{enrolments[0].id}"
    assert client.put(url, headers=headers, json={"answers": {question: 1}}).status_code == 200
    assert client.put(url, headers=headers, json={"answers": {question: 2}}).status_code == 409
    assert client.get("/api/v1/me/evaluations", headers=headers).get_json() == []


def test_the_api_report_withholds_what_the_page_withholds(make, client):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    _edition, few = finished_edition(make, make.course(hub), learners=4)
    invite()
    for enrolment in few:
        headers = bearer_for(db.session.get(User, enrolment.learner_id))
        questions = client.get("/api/v1/me/evaluations", headers=headers).get_json()[0]["questions"]
        client.put(f"/api/v1/me/evaluations/{enrolment.id}", headers=headers,
                   json={"answers": {questions[0]["id"]: 5, questions[-1]["id"]: "Geheim"}})
    report = client.get(f"/api/v1/organisers/{hub.id}/evaluation-report",
                        headers=bearer_for(coordinator)).get_json()
    assert report["minimum_group"] == 5 and report["too_few"] is True
    assert report["invited"] is None and report["response_rate"] is None
    assert report["editions"][0]["invited"] is None
    assert [q["too_few"] for q in report["questionnaires"]] == [True]
    assert report["questionnaires"][0]["responses"] is None
    assert "Geheim" not in str(report)
    bad = client.get(f"/api/v1/organisers/{hub.id}/evaluation-report?start=2026-02-30",
                     headers=bearer_for(coordinator))
    assert bad.status_code == 422
