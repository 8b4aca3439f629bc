"""Invitations after the last session, answering on the page and the rules of an answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college.accounts.models import User
from college.attendance.models import Attendance, AttendanceSource, AttendanceStatus
from college.catalogue.models import TrainingSession
from college.enrolment.models import Notification, NotificationStatus
from college.evaluation.models import (
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationResponse,
)
from college.evaluation.services import evaluation_for, invite_after_last_session
from college.extensions import db
from tests.conftest import post_form
from tests.evaluation.helpers import finished_edition, invite


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_who_attended_is_invited_once_by_mail_or_on_to_phone(make):
    course = make.course()
    edition, enrolments = finished_edition(make, course, learners=2, absent=1)
    without_email = make.learner(email=None, password=None, phone="0470 12 34 56")
    enrolment = make.enrolment(without_email, edition)
    session_id = db.session.scalar(select(TrainingSession.id).where(TrainingSession.edition_id == edition.id))
    db.session.add(Attendance(session_id=session_id, learner_id=without_email.id,
                              source=AttendanceSource.ROSTER, status=AttendanceStatus.LATE))
    db.session.commit()

    assert invite() == 3
    assert invite() == 0  # once
    invited = set(db.session.scalars(select(EvaluationInvitation.enrolment_id)))
    assert invited == {enrolments[0].id, enrolments[1].id, enrolment.id}  # not the absent one
    statuses = dict(db.session.execute(
        select(Notification.user_id, Notification.status).where(Notification.kind == "evaluation")).all())
    assert statuses[without_email.id] == NotificationStatus.TO_PHONE
    assert statuses[enrolments[0].learner_id] == NotificationStatus.PENDING
    body = db.session.scalar(select(Notification.body).where(Notification.user_id == enrolments[0].learner_id,
                                                            Notification.kind == "evaluation"))
    assert f"/my/evaluations/{enrolments[0].id}" in body and "anonymous" in body


def test_not_invited_before_the_last_session_has_ended(make, clock):
    course = make.course()
    edition, _enrolments = finished_edition(make, course, learners=1, days_ago=0)
    # The last session ends a minute from now: not yet; a minute later: invited.
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.edition_id == edition.id))
    session.ends_at = clock.now() + timedelta(minutes=1)
    db.session.commit()
    assert invite_after_last_session() == 0
    clock.advance(timedelta(minutes=1))
    assert invite_after_last_session() == 1


def _page_answers(client, url):
    page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    return page


def test_a_learner_answers_on_my_trainings_and_the_answers_are_kept_apart(make, client, auth):
    course = make.course()
    _edition, enrolments = finished_edition(make, course, learners=1)
    invite()
    learner = db.session.get(User, enrolments[0].learner_id)
    auth.login_as(learner)
    mine = BeautifulSoup(client.get("/my/trainings").get_data(as_text=True), "html.parser")
    link = mine.find("a", href=f"/my/evaluations/{enrolments[0].id}")
    assert link is not None and "Evaluate" in link.get_text()

    url = f"/my/evaluations/{enrolments[0].id}"
    page = _page_answers(client, url)
    fieldsets = page.select("fieldset.evaluation-question")
    assert len(fieldsets) == 7  # the shipped caregivers' evaluation: six to choose, one open
    first = fieldsets[0]
    assert "Question 1 of 7" in first.legend.get_text()
    labels = [label.get_text() for label in first.select(".answer-choices label")]
    assert labels == ["Helemaal niet", "Een beetje", "Redelijk", "Veel", "Heel veel"]
    names = [fieldset.find(["input", "textarea"])["name"] for fieldset in fieldsets]

    response = post_form(client, url, {names[0]: "4", names[6]: "Heel fijne lesgever"})
    assert response.status_code == 302
    assert db.session.get(EvaluationInvitation, enrolments[0].id).answered is True
    stored = db.session.scalars(select(EvaluationAnswer)).all()
    assert {(a.option, a.text) for a in stored} == {(4, None), (None, "Heel fijne lesgever")}
    assert _count(EvaluationResponse) == 1
    # Answered: gone from My trainings, and the page says so.
    assert f"/my/evaluations/{enrolments[0].id}" not in client.get("/my/trainings").get_data(as_text=True)
    again = post_form(client, url, {names[0]: "1"}, page="/my/trainings")
    assert again.status_code == 409
    assert _count(EvaluationResponse) == 1


@pytest.mark.parametrize(("values", "message"), [
    ({}, "Answer at least one question"),
    ({"FIRST": "9"}, "Choose one of the answers shown."),
    ({"FIRST": "two"}, "Choose one of the answers shown."),
    ({"OPEN": "x" * 2001}, "longer than 2000 characters"),
])
def test_bad_answers_are_refused_and_nothing_is_kept(make, client, auth, values, message):
    course = make.course()
    _edition, enrolments = finished_edition(make, course, learners=1)
    invite()
    auth.login_as(db.session.get(User, enrolments[0].learner_id))
    url = f"/my/evaluations/{enrolments[0].id}"
    names = [fieldset.find(["input", "textarea"])["name"]
             for fieldset in _page_answers(client, url).select("fieldset.evaluation-question")]
    sent = {names[0] if key == "FIRST" else names[-1]: value for key, value in values.items()}
    response = post_form(client, url, sent)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(EvaluationResponse) == 0
    assert db.session.get(EvaluationInvitation, enrolments[0].id).answered is False


def test_someone_else_and_a_learner_not_invited_cannot_answer(make, client, auth):
    course = make.course()
    _edition, enrolments = finished_edition(make, course, learners=1, absent=1)
    invite()
    auth.login_as(db.session.get(User, enrolments[1].learner_id))  # absent: not invited
    assert client.get(f"/my/evaluations/{enrolments[1].id}").status_code == 404
    assert client.get(f"/my/evaluations/{enrolments[0].id}").status_code == 404  # not theirs


def test_an_evaluation_closes_eight_weeks_after_the_invitation(make, client, auth, clock):
    course = make.course()
    _edition, enrolments = finished_edition(make, course, learners=1)
    invite()
    learner = db.session.get(User, enrolments[0].learner_id)
    clock.advance(timedelta(weeks=8) - timedelta(seconds=1))
    assert evaluation_for(learner, enrolments[0].id).questions
    auth.login_as(learner)
    assert client.get(f"/my/evaluations/{enrolments[0].id}").status_code == 200
    clock.advance(timedelta(seconds=1))
    assert client.get(f"/my/evaluations/{enrolments[0].id}").status_code == 404
    assert f"/my/evaluations/{enrolments[0].id}" not in client.get("/my/trainings").get_data(as_text=True)


def test_the_export_says_whether_an_evaluation_was_answered_but_not_what(make):
    from college.privacy.services import anonymise, user_data

    course = make.course()
    _edition, enrolments = finished_edition(make, course, learners=1)
    invite()
    learner = db.session.get(User, enrolments[0].learner_id)
    question_id = evaluation_for(learner, enrolments[0].id).questions[-1][0]
    from college.evaluation.services import submit_evaluation
    submit_evaluation(learner, enrolments[0].id, {question_id: "Mijn geheime mening"})
    db.session.commit()
    data = user_data(learner.id)
    assert [(item["course"], item["answered"]) for item in data["evaluations"]] == [(course.title, True)]
    assert "Mijn geheime mening" not in str(data)
    # Erasure: the person goes, the anonymous answers stay for the figures.
    anonymise(learner)
    db.session.commit()
    assert db.session.scalar(select(EvaluationAnswer.text)) == "Mijn geheime mening"
    assert _count(Notification) == 0
