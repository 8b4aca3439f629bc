"""Questionnaires in versions, the report's minimum group, and anonymity in tables and queries."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import DateTime, Integer, String, select

from college.accounts.models import User
from college.catalogue.models import Track
from college.evaluation.models import (
    EvaluationAnswer,
    EvaluationResponse,
    QuestionnaireVersion,
)
from college.evaluation.questionnaires import (
    current_version,
    save_course_questions,
    save_questions,
    standard_questionnaire,
)
from college.evaluation.services import evaluation_for, submit_evaluation
from college.extensions import db
from tests.conftest import counted_queries, post_form
from tests.evaluation.helpers import finished_edition, invite


def _answer_all(enrolments, first_option=4, text=None):
    """Each learner answers the first question (and the open one, when text is given)."""
    for enrolment in enrolments:
        learner = db.session.get(User, enrolment.learner_id)
        evaluation = evaluation_for(learner, enrolment.id)
        ids = [question_id for question_id, _question in evaluation.questions]
        values = {ids[0]: str(first_option)}
        if text:
            values[ids[-1]] = f"{text} {enrolment.id}"
        submit_evaluation(learner, enrolment.id, values)
    db.session.commit()


def test_editing_an_answered_questionnaire_makes_a_new_version(make, client, auth):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    course = make.course(hub)
    _edition, enrolments = finished_edition(make, course, learners=1)
    invite()
    questionnaire = standard_questionnaire(hub.id, Track.CAREGIVERS)
    first = current_version(questionnaire.id)
    # Not answered yet: changed in place.
    changed = [{"kind": "scale", "text": "Hoe was het?", "options": ["Slecht", "Goed"]}]
    assert save_questions(coordinator, questionnaire, changed).id == first.id
    db.session.commit()
    _answer_all(enrolments, first_option=2)
    # Answered: the change is a new version, the answered one keeps its questions.
    auth.login_as(coordinator)
    url = f"/questionnaires/{questionnaire.id}/edit"
    response = post_form(client, url, {
        "questions-0-kind": "choice", "questions-0-text": "Kom je terug?",
        "questions-0-options": "Ja\nNee"})
    assert response.status_code == 302
    versions = db.session.scalars(select(QuestionnaireVersion).where(
        QuestionnaireVersion.questionnaire_id == questionnaire.id).order_by(QuestionnaireVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].questions[0]["text"] == "Hoe was het?"
    assert versions[1].questions == [{"key": "q1", "kind": "choice", "text": "Kom je terug?",
                                      "options": ["Ja", "Nee"]}]


@pytest.mark.parametrize(("slots", "message"), [
    ({"questions-0-kind": "scale", "questions-0-text": "Hoe?", "questions-0-options": "Enkel"},
     "needs between 2 and 7 answers"),
    ({"questions-0-kind": "scale", "questions-0-text": "", "questions-0-options": "A\nB"}, "has no text"),
    ({**{f"questions-{n}-kind": "open" for n in range(2)},
      **{f"questions-{n}-text": f"Vraag {n}" for n in range(2)}}, "at most one open question"),
    ({**{f"questions-{n}-kind": "choice" for n in range(7)},
      **{f"questions-{n}-text": f"Vraag {n}" for n in range(7)},
      **{f"questions-{n}-options": "Ja\nNee" for n in range(7)}}, "at most 6 questions"),
])
def test_bad_questions_are_refused_and_nothing_changes(make, client, auth, slots, message):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    course = make.course(hub)
    auth.login_as(coordinator)
    response = post_form(client, f"/courses/{course.id}/evaluation-questions", slots)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(QuestionnaireVersion.id).join(QuestionnaireVersion.questionnaire)
                             .where(QuestionnaireVersion.questionnaire.has(course_id=course.id))) is None


def test_a_course_adds_its_questions_after_the_standard_ones(make):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    course = make.course(hub)
    save_course_questions(coordinator, course.id, [{"kind": "open", "text": "Welk onderwerp mist er?"}])
    _edition, enrolments = finished_edition(make, course, learners=1)
    invite()
    evaluation = evaluation_for(db.session.get(User, enrolments[0].learner_id), enrolments[0].id)
    texts = [question["text"] for _id, question in evaluation.questions]
    assert len(texts) == 8 and texts[-1] == "Welk onderwerp mist er?"


def test_no_column_leads_from_an_answer_to_a_person():
    for model in (EvaluationResponse, EvaluationAnswer):
        table = model.__table__
        targets = {key.column.table.name for key in table.foreign_keys}
        assert targets <= {"edition", "questionnaire_version", "evaluation_response"}, targets
        assert not [column.name for column in table.columns if isinstance(column.type, DateTime)
                    or "user" in column.name or "enrolment" in column.name or "learner" in column.name]
    # The key is random: no increasing number that follows the order of answering.
    key = EvaluationResponse.__table__.c.id
    assert isinstance(key.type, String) and not isinstance(key.type, Integer)
    assert EvaluationResponse.__table__.kwargs["sqlite_with_rowid"] is False


def _report(client, hub, **query):
    return client.get(f"/organisers/{hub.id}/evaluations", query_string=query)


def test_the_report_shows_no_figure_about_fewer_than_five(make, client, auth):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    big, small = make.course(hub, title="Grote groep"), make.course(hub, title="Kleine groep")
    _edition, many = finished_edition(make, big, learners=6)
    small_edition, few = finished_edition(make, small, learners=4)
    invite()
    _answer_all(many[:5], first_option=4, text="Heel leerrijk")
    _answer_all(few, first_option=1, text="Te kort")
    auth.login_as(coordinator)

    whole = _report(client, hub)
    page = whole.get_data(as_text=True)
    assert whole.status_code == 200
    assert "9 of the 10 people invited answered (90%)" in page
    assert "Heel leerrijk" in page and "Te kort" in page  # nine answers together
    # The small course alone: everything withheld, the open answers too.
    alone = _report(client, hub, course=small.id).get_data(as_text=True)
    assert "too few answers" in alone and "Te kort" not in alone
    assert "Helemaal niet" not in alone  # no distribution of the four
    rows = list(csv.reader(io.StringIO(
        client.get(f"/organisers/{hub.id}/evaluations.csv", query_string={"edition": small_edition.id})
        .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert all("Te kort" not in cell for row in rows for cell in row)
    assert ["Response rate", "", "", "", "4", "too few answers"] in rows
    # The big course: the distribution, the mean and the chart with its table.
    soup = BeautifulSoup(_report(client, hub, course=big.id).get_data(as_text=True), "html.parser")
    assert soup.select("svg.chart")
    assert "Mean: 4" in soup.get_text()


def test_the_report_queries_never_join_answers_to_people(make, client, auth):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    _edition, many = finished_edition(make, make.course(hub), learners=5)
    invite()
    _answer_all(many, text="Goed")
    auth.login_as(coordinator)
    with counted_queries() as statements:
        assert _report(client, hub).status_code == 200
    touching_answers = [s for s in statements if "evaluation_response" in s or "evaluation_answer" in s]
    assert touching_answers
    for statement in touching_answers:
        assert "enrolment" not in statement and '"user"' not in statement
        assert "evaluation_invitation" not in statement and "user.id" not in statement


def test_the_report_is_for_the_organisers_coordinators_and_checks_its_period(make, client, auth):
    hub, other = make.organiser(), make.organiser()
    auth.login_as(make.coordinator(other))
    assert _report(client, hub).status_code == 403
    auth.logout()
    auth.login_as(make.coordinator(hub))
    bad = _report(client, hub, start="2026-13-01")
    assert bad.status_code == 400 and "not a valid date" in bad.get_data(as_text=True)
    assert _report(client, hub, course="12x").status_code == 404
    foreign = make.course(other)
    assert _report(client, hub, course=foreign.id).status_code == 404


def test_the_report_runs_a_fixed_number_of_queries(make, client, auth):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    auth.login_as(coordinator)

    def queries() -> int:
        with counted_queries() as statements:
            assert _report(client, hub).status_code == 200
        return len(statements)

    _edition, first = finished_edition(make, make.course(hub), learners=5)
    invite()
    _answer_all(first, text="Goed")
    small = queries()
    for _round in range(3):
        _edition, more = finished_edition(make, make.course(hub), learners=5)
        invite()
        _answer_all(more, text="Fijn")
    assert queries() == small
