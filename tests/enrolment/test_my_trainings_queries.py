"""'My trainings' loads in a fixed number of queries, whatever the number of enrolments (issue 15)."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup

from college import timeutil
from college.enrolment.models import EnrolmentStatus
from tests.conftest import counted_queries

#: The signed-in user with memberships (1), the enrolments with their editions and courses (1),
#: their organisers (1) and sessions (1), open waiting-list offers (1), evaluations waiting (1)
#: burden questions waiting (1) and respite asked (1; its sessions only when there is some).
MY_TRAININGS_QUERIES = 8


def _my_trainings(client) -> tuple[int, BeautifulSoup]:
    with counted_queries() as statements:
        response = client.get("/my/trainings")
    assert response.status_code == 200
    return len(statements), BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_my_trainings_takes_the_same_queries_for_one_enrolment_or_many(client, auth, make):
    learner = make.learner()
    make.enrolment(learner, make.edition(sessions=2))
    auth.login_as(learner)
    few, page = _my_trainings(client)
    assert len(page.select("article.enrolment")) == 1
    assert len(page.select("ul.session-list li")) == 2

    today = timeutil.today()
    for n in range(4):  # other organisers, a waiting list, a past training
        edition = make.edition(make.course(make.organiser(contact_phone=f"09 123 45 6{n}")),
                               sessions=3, starts_on=today + timedelta(days=3 + n))
        make.enrolment(learner, edition)
    make.enrolment(learner, make.edition(sessions=1), EnrolmentStatus.WAITLISTED)
    make.enrolment(learner, make.edition(sessions=1, starts_on=today - timedelta(days=60)),
                   EnrolmentStatus.COMPLETED)
    many, page = _my_trainings(client)
    assert len(page.select("article.enrolment")) == 6
    assert len(page.select("ul.session-list li")) == 2 + 4 * 3
    assert "09 123 45 63" in page.get_text()
    assert many == few == MY_TRAININGS_QUERIES
