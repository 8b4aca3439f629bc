"""A caregiver answers the evaluation of a training on a phone, without JavaScript: one question
per screen, large labelled answer buttons, "Next question" as a plain link."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from college.accounts.models import User
from college.evaluation.models import EvaluationAnswer, EvaluationInvitation
from college.extensions import db
from tests.browser.conftest import PHONE, log_in
from tests.conftest import PASSWORD
from tests.evaluation.helpers import finished_edition, invite

pytestmark = pytest.mark.browser


def test_a_caregiver_answers_the_evaluation_on_a_phone_without_javascript(pages, make):
    course = make.course(make.organiser(), title="Omgaan met dementie")
    _edition, (enrolment,) = finished_edition(make, course, learners=1)
    invite()
    learner = db.session.get(User, enrolment.learner_id)

    page = pages.open(viewport=PHONE, language="en", javascript=False)
    log_in(page, learner.email, PASSWORD)
    page.goto("/my/trainings")
    with page.expect_navigation():
        page.click("text=Evaluate Omgaan met dementie")
    questions = page.locator("fieldset.evaluation-question")
    assert questions.count() == 7
    # One question fills the screen: the second starts below it.
    assert questions.nth(1).bounding_box()["y"] >= PHONE["height"] * 0.8
    first = questions.nth(0)
    assert "Question 1 of 7" in first.inner_text()
    answer = first.locator("label", has_text="Veel").first
    box = answer.bounding_box()
    assert box["height"] >= 44 and box["width"] >= PHONE["width"] * 0.7  # a large, labelled button
    answer.click()
    assert first.locator("input:checked").count() == 1
    first.locator("a", has_text="Next question").click()
    assert page.url.endswith("#question-2")
    questions.nth(1).locator("label", has_text="Heel veel").click()
    page.fill("textarea", "Heel herkenbaar, dank je.")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert urlsplit(page.url).path == "/my/trainings"  # the browser keeps the #question-2
    assert "Thank you" in page.locator("main").inner_text()
    assert page.problems == []

    db.session.commit()  # the served app wrote the answers on its own connection
    db.session.expire_all()
    assert db.session.get(EvaluationInvitation, enrolment.id).answered is True
    assert db.session.scalar(select(func.count()).select_from(EvaluationAnswer)) == 3
