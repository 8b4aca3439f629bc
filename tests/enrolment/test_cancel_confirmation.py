"""Cancelling is confirmed first: a page says what will happen; only its button cancels."""

from __future__ import annotations

from bs4 import BeautifulSoup

from college.accounts.models import Language
from college.enrolment.models import EnrolmentStatus
from tests.conftest import post_form, shown_form
from tests.enrolment.test_views import live


def page(client, url: str, language: str = "en") -> BeautifulSoup:
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text_of(soup: BeautifulSoup) -> str:
    return " ".join(soup.select_one("main").get_text(" ").split())


def test_my_trainings_links_to_a_confirmation_that_says_what_happens(client, auth, make):
    edition = make.edition(make.course(make.organiser(), title="Omgaan met dementie"), capacity=1)
    learner, waiting = make.learner(), make.learner()
    own = make.enrolment(learner, edition)
    make.enrolment(waiting, edition, EnrolmentStatus.WAITLISTED)
    auth.login_as(learner)
    link = page(client, "/my/trainings").find("a", string=lambda s: s and "Cancel my enrolment" in s)
    assert link["href"] == f"/enrolments/{own.id}/cancel"
    confirmation = page(client, link["href"])
    assert confirmation.h1.get_text(strip=True) == "Cancel your enrolment?"
    words = text_of(confirmation)
    assert "Omgaan met dementie" in words
    assert "your seat goes to the next person on the waiting list" in words
    assert "You cannot undo this" in words
    assert confirmation.select_one("main form button").get_text(strip=True) == "Yes, cancel my enrolment"
    assert confirmation.find("a", string="No, keep it")["href"] == "/my/trainings"
    # Nothing happened by looking.
    assert live(edition.id) == [(learner.id, "enrolled", None, None), (waiting.id, "waitlisted", 1, None)]
    # The button of that page cancels.
    action = confirmation.select_one("main form")["action"]
    form = shown_form(client, link["href"], action=action)
    response = client.post(action, data=form, follow_redirects=True)
    assert "The enrolment is cancelled" in response.get_data(as_text=True)
    assert live(edition.id) == [(waiting.id, "enrolled", None, None)]


def test_a_waiting_list_place_is_given_up_only_after_confirming(client, auth, make):
    edition = make.edition(capacity=1)
    make.enrolment(make.learner(), edition)
    learner = make.learner()
    place = make.enrolment(learner, edition, EnrolmentStatus.WAITLISTED)
    auth.login_as(learner)
    link = page(client, "/my/trainings").find("a", href=f"/enrolments/{place.id}/cancel")
    assert link.get_text(strip=True) == "Leave the waiting list"
    # A POST from the old button (no confirmation) only shows the confirmation page.
    response = post_form(client, f"/enrolments/{place.id}/cancel", page="/my/trainings")
    assert response.status_code == 200
    confirmation = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert confirmation.h1.get_text(strip=True) == "Leave the waiting list?"
    assert "You are number 1 on the waiting list." in text_of(confirmation)
    assert "you join at the end of the list" in text_of(confirmation)
    assert [row[1] for row in live(edition.id)] == ["enrolled", "waitlisted"]
    response = post_form(client, f"/enrolments/{place.id}/cancel", {"confirmed": "yes"})
    assert response.status_code == 302
    assert [row[1] for row in live(edition.id)] == ["enrolled"]


def test_the_confirmation_speaks_dutch(client, auth, make):
    edition = make.edition(capacity=1)
    learner = make.learner(language=Language.NL)
    own = make.enrolment(learner, edition)
    auth.login_as(learner)
    confirmation = page(client, f"/enrolments/{own.id}/cancel", language="nl")
    assert confirmation.h1.get_text(strip=True) == "Je inschrijving annuleren?"
    assert "Ja, annuleer mijn inschrijving" in confirmation.select_one("main form button").get_text()
    assert "Dit kan je niet ongedaan maken" in text_of(confirmation)


def test_a_coordinator_confirms_from_the_roster_and_returns_to_it(client, auth, make):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    edition = make.edition(make.course(organiser))
    learner = make.learner(name="Ann Aerts")
    seat = make.enrolment(learner, edition)
    auth.login_as(coordinator)
    roster = page(client, f"/editions/{edition.id}/enrolments")
    link = roster.find("a", string=lambda s: s and "Cancel for Ann Aerts" in s)
    confirmation = page(client, link["href"])
    assert confirmation.h1.get_text(strip=True) == "Cancel the enrolment of Ann Aerts?"
    assert "Ann Aerts loses their seat" in text_of(confirmation)
    action = confirmation.select_one("main form")["action"]
    response = client.post(action, data=shown_form(client, link["href"], action=action))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/editions/{edition.id}/enrolments"
    assert live(edition.id) == []
    assert seat.id is not None


def test_someone_elses_enrolment_has_no_confirmation_page(client, auth, make):
    edition = make.edition()
    theirs = make.enrolment(make.learner(), edition)
    auth.login_as(make.learner())
    assert client.get(f"/enrolments/{theirs.id}/cancel").status_code == 403
