"""'My trainings' loads in a fixed number of queries, whatever the number of enrolments, and
shows them a page at a time with the next few sessions (issue 15)."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from college import timeutil
from college.catalogue.models import TrainingSession
from college.enrolment.models import EnrolmentStatus
from college.enrolment.overview import CARDS_PER_PAGE, NEXT_SESSIONS
from college.extensions import db
from tests.conftest import counted_queries

#: The signed-in user with memberships (1), a page of the enrolments to come with their editions,
#: courses and organisers (1), the next sessions (1), the past trainings (1), open waiting-list
#: offers (1), respite asked (1; its sessions only when there is some), evaluations waiting (1)
#: and burden questions waiting (1; the answers given only when some are open).
MY_TRAININGS_QUERIES = 8


def _my_trainings(client, query: str = "") -> tuple[int, BeautifulSoup]:
    with counted_queries() as statements:
        response = client.get("/my/trainings" + query)
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
    assert len(page.select("ul.session-list li")) == NEXT_SESSIONS
    assert "09 123 45 63" in page.get_text()
    assert many == few == MY_TRAININGS_QUERIES


def test_the_next_sessions_are_the_soonest_and_the_page_says_how_many_more(client, auth, make):
    learner = make.learner()
    today = timeutil.today()
    later = make.edition(make.course(title="Later"), sessions=4, starts_on=today + timedelta(days=30))
    sooner = make.edition(make.course(title="Sooner"), sessions=4, starts_on=today + timedelta(days=2))
    make.enrolment(learner, later)
    make.enrolment(learner, sooner)
    waiting = make.edition(make.course(title="Waiting"), sessions=2, starts_on=today + timedelta(days=1))
    make.enrolment(learner, waiting, EnrolmentStatus.WAITLISTED)  # no seat: not their sessions
    auth.login_as(learner)

    _count, page = _my_trainings(client)
    shown = [item.get_text(" ", strip=True) for item in page.select("ul.session-list li")]
    assert len(shown) == NEXT_SESSIONS
    assert all("Sooner" in line for line in shown[:4]) and "Later" in shown[4]
    section = page.find("section", attrs={"aria-labelledby": "sessions-title"})
    assert "3 more sessions are planned after these." in section.get_text(" ", strip=True)
    assert section.find("a", href="/account/calendar") is not None


def test_many_enrolments_come_a_page_at_a_time(client, auth, make):
    learner = make.learner()
    today = timeutil.today()
    total = 2 * CARDS_PER_PAGE + 3
    for n in range(total):
        make.enrolment(learner, make.edition(make.course(title=f"Vorming {n:02d}"),
                                             starts_on=today + timedelta(days=1 + n)))
    make.enrolment(learner, make.edition(make.course(title="Voorbij"),
                                         starts_on=today - timedelta(days=30)))
    auth.login_as(learner)

    def titles(page: BeautifulSoup) -> list[str]:
        return [card.h3.get_text(strip=True) for card in page.select("article.enrolment")]

    first_count, first = _my_trainings(client)
    assert titles(first) == [f"Vorming {n:02d}" for n in range(CARDS_PER_PAGE)]
    pages = first.find("nav", attrs={"aria-label": "Pages of my enrolments"})
    assert pages.find("p").get_text(strip=True) == "Page 1 of 3"
    assert pages.find("a", rel="next")["href"] == "/my/trainings?page=2#upcoming-title"
    assert "Voorbij" in first.find("section", attrs={"aria-labelledby": "past-title"}).get_text()

    last_count, last = _my_trainings(client, "?page=3")
    assert titles(last) == [f"Vorming {n:02d}" for n in range(2 * CARDS_PER_PAGE, total)]
    assert last_count == first_count == MY_TRAININGS_QUERIES
    assert "Voorbij" in last.get_text()

    # A page that no longer exists shows the last one; a page that is not a number the first.
    _count, beyond = _my_trainings(client, "?page=9")
    assert titles(beyond) == titles(last)
    _count, odd = _my_trainings(client, "?page=twee")
    assert titles(odd) == titles(first)


def test_a_session_leaves_my_next_sessions_once_it_has_ended(client, auth, make, clock):
    """The edge of "next": a session is listed until its end, not a second after."""
    learner = make.learner()
    edition = make.edition(make.course(title="Tillen en verplaatsen"), sessions=2,
                           starts_on=timeutil.today() + timedelta(days=1))
    make.enrolment(learner, edition)
    first, second = db.session.scalars(select(TrainingSession).where(
        TrainingSession.edition_id == edition.id).order_by(TrainingSession.starts_at)).all()

    def listed() -> list[str]:
        if client.get("/my/trainings").status_code != 200:
            auth.login_as(learner)  # the clock's jump outlived the login
        _count, page = _my_trainings(client)
        return [item.strong.get_text(strip=True) for item in page.select("ul.session-list li")]

    clock.move_to(first.ends_at - timedelta(seconds=1))
    assert len(listed()) == 2
    clock.move_to(first.ends_at)
    assert len(listed()) == 2
    before_end = listed()
    clock.advance(timedelta(seconds=1))
    assert listed() == before_end[1:]
    clock.move_to(second.ends_at + timedelta(seconds=1))
    assert listed() == []
