"""The paper form: a PDF for the trainer to print, and its answers typed in without a name."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import func, select

from college.accounts.models import User
from college.evaluation.models import EvaluationInvitation, EvaluationResponse
from college.evaluation.services import evaluation_for, submit_evaluation
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.conftest import post_form
from tests.evaluation.helpers import finished_edition, invite


def _responses() -> int:
    return db.session.scalar(select(func.count()).select_from(EvaluationResponse))


def test_the_trainer_prints_the_form_and_types_in_answers_up_to_who_attended(make, client, auth):
    hub = make.organiser()
    trainer = make.trainer(hub)
    course = make.course(hub)
    edition, enrolments = finished_edition(make, course, learners=2, absent=1, trainers=[trainer])
    auth.login_as(trainer)
    pdf = client.get(f"/editions/{edition.id}/evaluation-form.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Hoeveel heb je aan deze vorming?" in text and "Heel veel" in text
    assert "do not write your name" in text

    url = f"/editions/{edition.id}/paper-evaluations"
    page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    names = [fieldset.find(["input", "textarea"])["name"] for fieldset in page.select("fieldset.evaluation-question")]
    bad = post_form(client, url, {names[0]: "8"})
    assert bad.status_code == 422 and "Choose one of the answers shown." in bad.get_data(as_text=True)
    assert post_form(client, url, {names[0]: "5"}).status_code == 302
    # One learner answers online too: two who attended, two forms in all.
    invite()
    learner = db.session.get(User, enrolments[0].learner_id)
    submit_evaluation(learner, enrolments[0].id, {evaluation_for(learner, enrolments[0].id).questions[0][0]: 2})
    db.session.commit()
    full = post_form(client, url, {names[0]: "4"})
    assert full.status_code == 409 and "answered already (2)" in full.get_data(as_text=True)
    assert _responses() == 2
    # Typed-in forms mark no invitation answered: nobody knows whose form it was.
    assert db.session.get(EvaluationInvitation, enrolments[1].id).answered is False


def test_only_the_editions_trainers_and_coordinators_use_the_paper_form(make, client, auth):
    hub = make.organiser()
    edition, _enrolments = finished_edition(make, make.course(hub), learners=1)
    auth.login_as(make.trainer(hub))  # teaches no edition
    assert client.get(f"/editions/{edition.id}/evaluation-form.pdf").status_code == 403
    assert post_form(client, f"/editions/{edition.id}/paper-evaluations", {}, page="/").status_code == 403
    auth.logout()
    auth.login_as(make.coordinator(hub))
    assert client.get(f"/editions/{edition.id}/paper-evaluations").status_code == 200
    assert client.get("/editions/999999/paper-evaluations").status_code == 404
    assert _responses() == 0


#: A paper form typed in, by position (0 = the first question, -1 = the open one): status, message.
PAPER_CASES = [
    ({}, 422, "Answer at least one question"),
    ({0: "9"}, 422, "Choose one of the answers shown."),
    ({-1: "x" * 2001}, 422, "longer than 2000 characters"),
    # The page reads only the inputs it shows: a question it has not is nothing answered.
    ({"999999-q1": "2"}, 422, {"api": "This evaluation has no question 999999-q1.",
                               "page": "Answer at least one question"}),
    ({0: "2", -1: "Goed"}, 201, ""),
]


@pytest.mark.parametrize(("answers", "status", "message"), PAPER_CASES)
@pytest.mark.parametrize("surface", ["page", "api"])
def test_paper_answers_page_and_api_decide_the_same(make, client, auth, surface, answers, status,
                                                    message):
    hub = make.organiser()
    trainer = make.trainer(hub)
    edition, _enrolments = finished_edition(make, make.course(hub), learners=2, trainers=[trainer])
    headers = bearer_for(trainer)
    form = client.get(f"/api/v1/editions/{edition.id}/paper-evaluations", headers=headers).get_json()
    assert (form["id"], form["attended"], form["answered"]) == (edition.id, 2, 0)
    ids = [question["id"] for question in form["questions"]]
    values = {ids[key] if isinstance(key, int) else key: value for key, value in answers.items()}
    if surface == "api":
        response = client.post(f"/api/v1/editions/{edition.id}/paper-evaluations", headers=headers,
                               json={"answers": values})
    else:
        auth.login_as(trainer)
        response = post_form(client, f"/editions/{edition.id}/paper-evaluations", values)
    expected = 302 if surface == "page" and status == 201 else status
    assert response.status_code == expected
    assert (message[surface] if isinstance(message, dict) else message) in response.get_data(as_text=True)
    assert _responses() == int(status == 201)
    if surface == "api" and status == 201:
        assert response.get_json()["answered"] == 1


def test_paper_answers_through_the_api_stop_at_who_attended_and_stay_anonymous(make, client):
    hub = make.organiser()
    trainer = make.trainer(hub)
    edition, enrolments = finished_edition(make, make.course(hub), learners=1, absent=1,
                                           trainers=[trainer])
    url = f"/api/v1/editions/{edition.id}/paper-evaluations"
    question = client.get(url, headers=bearer_for(trainer)).get_json()["questions"][0]["id"]
    first = client.post(url, headers=bearer_for(trainer), json={"answers": {question: 3}})
    assert first.status_code == 201 and first.get_json()["answered"] == 1
    full = client.post(url, headers=bearer_for(trainer), json={"answers": {question: 4}})
    assert full.status_code == 409 and "answered already (1)" in full.get_json()["detail"]
    assert _responses() == 1
    assert db.session.scalar(select(func.count()).select_from(EvaluationInvitation)) == 0
    # Neither a learner nor a trainer of no edition types in answers.
    learner = db.session.get(User, enrolments[0].learner_id)
    assert client.post(url, headers=bearer_for(learner), json={"answers": {question: 3}}).status_code == 403
    assert client.get(url, headers=bearer_for(make.trainer(hub))).status_code == 403
    assert client.get("/api/v1/editions/999999/paper-evaluations",
                      headers=bearer_for(trainer)).status_code == 404
