"""Accounts without email that a coordinator keeps: a phone number and a note, corrected on
the page and through PATCH /api/v1/users/{id}, and "To phone" that lets a coordinator call."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from college.accounts.models import Kind, Language, User
from college.enrolment.models import Notification, NotificationStatus
from college.enrolment.services import enrol_learner
from college.extensions import db
from college.privacy.models import PersonalDataAccess
from tests.api.conftest import assert_problem, bearer_for
from tests.conftest import post_form


class Links(HTMLParser):
    """Every link of a page: (href, text)."""

    def __init__(self):
        super().__init__()
        self.links: list[list[str]] = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = [dict(attrs).get("href", ""), ""]
            self.links.append(self._open)

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def links(html: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(html)
    return [(href, " ".join(text.split())) for href, text in parser.links]


def fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def managed(make, organiser, **fields) -> User:
    fields.setdefault("name", "Jozef Wouters")
    return make.learner(email=None, password=None, managed_by_organiser_id=organiser.id, **fields)


def test_a_coordinator_creates_an_account_with_phone_and_note(client, make, auth):
    organiser = make.organiser()
    auth.login_as(make.coordinator(organiser))
    response = post_form(client, f"/organisers/{organiser.id}/people/new", {
        "name": "Mevrouw Gevers", "email": "", "roles": ["learner"], "kind": "caregiver",
        "phone": "09 386 12 34", "note": "Belt liefst 's morgens."})
    assert response.status_code == 302
    person = db.session.scalar(select(User).where(User.name == "Mevrouw Gevers"))
    assert (person.phone, person.note, person.is_managed) == ("09 386 12 34", "Belt liefst 's morgens.", True)
    page = client.get(f"/organisers/{organiser.id}/people").get_data(as_text=True)
    assert ("tel:093861234", "09 386 12 34") in links(page)
    assert "Belt liefst &#39;s morgens." in page
    assert (f"/organisers/{organiser.id}/people/{person.id}/edit",
            "Change the details of Mevrouw Gevers") in links(page)


def test_a_coordinator_corrects_a_managed_account(client, make, auth):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    person = managed(make, organiser, name="Jozef Wouter")
    auth.login_as(coordinator)
    url = f"/organisers/{organiser.id}/people/{person.id}/edit"
    assert 'value="Jozef Wouter"' in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {"name": "Jozef Wouters", "phone": "+32 470 12 34 56",
                                       "note": "Hoort slecht: spreek traag.", "kind": "professional"})
    assert response.status_code == 302
    person = fresh(person.id)
    assert (person.name, person.phone, person.note, person.kind) == (
        "Jozef Wouters", "+32 470 12 34 56", "Hoort slecht: spreek traag.", Kind.PROFESSIONAL)
    # Showing the person's details is logged for them.
    assert db.session.scalar(select(PersonalDataAccess.context).where(
        PersonalDataAccess.learner_id == person.id, PersonalDataAccess.viewer_id == coordinator.id))

    refused = post_form(client, url, {"name": "Jozef", "phone": "geen", "kind": "caregiver"})
    assert refused.status_code == 422 and "Enter a phone number in digits" in refused.get_data(as_text=True)
    assert fresh(person.id).name == "Jozef Wouters"


def test_only_the_organisers_own_managed_accounts_can_be_corrected(client, make, auth):
    organiser, elsewhere = make.organiser(), make.organiser()
    theirs = managed(make, elsewhere)
    with_email = make.learner()
    auth.login_as(make.coordinator(organiser))
    for user_id in (theirs.id, with_email.id, 999999):
        assert client.get(f"/organisers/{organiser.id}/people/{user_id}/edit").status_code == 404
    assert client.get(f"/organisers/{elsewhere.id}/people/{theirs.id}/edit").status_code == 403


@pytest.mark.parametrize("language", ["en", "nl"])
def test_to_phone_shows_the_number_to_tap_what_to_say_and_done(app, client, make, auth, language):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser, language=Language(language))
    edition = make.edition(make.course(organiser, title="Tillen en verplaatsen"), place="Zulte")
    person = managed(make, organiser, name="Maurice Van Wassenhove", phone="09 386 12 34",
                     note="Belt liefst 's voormiddags.")
    no_phone = managed(make, organiser, name="Germaine Zonder")
    for learner in (person, no_phone):
        enrol_learner(edition_id=edition.id, learner_id=learner.id, actor=coordinator)
    db.session.commit()
    auth.login_as(coordinator)
    page = client.get(f"/organisers/{organiser.id}/to-phone").get_data(as_text=True)
    texts = dict(links(page))
    call = {"en": "Call 09 386 12 34", "nl": "Bel 09 386 12 34"}[language]
    assert texts["tel:093861234"] == call
    assert "Belt liefst &#39;s voormiddags." in page
    assert "Tillen en verplaatsen" in page and "Zulte" in page  # what to tell them
    add_phone = {"en": "Add a phone number", "nl": "Voeg een telefoonnummer toe"}[language]
    assert (f"/organisers/{organiser.id}/people/{no_phone.id}/edit", add_phone) in links(page)
    done = {"en": "Done: passed on by phone", "nl": "Gedaan: telefonisch doorgegeven"}[language]
    assert done in page

    notification_id = db.session.scalar(select(Notification.id).where(Notification.user_id == person.id))
    assert post_form(client, f"/notifications/{notification_id}/phoned",
                     page=f"/organisers/{organiser.id}/to-phone").status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, notification_id).status == NotificationStatus.SENT
    assert "Maurice Van Wassenhove" not in client.get(f"/organisers/{organiser.id}/to-phone").get_data(as_text=True)


# ---- the API ----------------------------------------------------------------------------------


def test_coordinators_correct_managed_accounts_through_the_api(client, make):
    organiser = make.organiser()
    person = managed(make, organiser, name="Jozef Wouter")
    response = client.patch(f"/api/v1/users/{person.id}", headers=bearer_for(make.coordinator(organiser)),
                            json={"name": "Jozef Wouters", "phone": "09 123 45 67", "note": "Na 10 uur"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["name"], body["phone"], body["note"], body["is_managed"]) == (
        "Jozef Wouters", "09 123 45 67", "Na 10 uur", True)
    response = client.post("/api/v1/users", headers=bearer_for(make.coordinator(organiser)), json={
        "name": "Nieuwe Beller", "roles": ["learner"], "kind": "caregiver", "phone": "09 222 22 22",
        "note": "Dochter belt mee"})
    assert response.status_code == 201
    assert (response.get_json()["phone"], response.get_json()["note"]) == ("09 222 22 22", "Dochter belt mee")


def test_accounts_out_of_reach_answer_like_ones_that_do_not_exist(client, make):
    organiser, elsewhere = make.organiser(), make.organiser()
    theirs = managed(make, elsewhere, name="Van Elders")
    learner_with_email = make.learner()
    headers = bearer_for(make.coordinator(organiser))
    missing = assert_problem(client.patch("/api/v1/users/999999", headers=headers, json={"name": "X"}), 404)
    for user_id in (theirs.id, learner_with_email.id):
        refused = assert_problem(client.patch(f"/api/v1/users/{user_id}", headers=headers, json={"name": "X"}), 404)
        assert refused["detail"] == missing["detail"]
        assert "Van Elders" not in str(refused)
    for caller in (make.learner(), make.trainer(elsewhere)):
        assert_problem(client.patch(f"/api/v1/users/{theirs.id}", headers=bearer_for(caller), json={"name": "X"}), 403)
    assert fresh(theirs.id).name == "Van Elders"


@pytest.mark.parametrize("body", [{}, {"email": "a@example.be"}, {"phone": "bellen"}, {"kind": "dragon"}])
def test_wrong_changes_to_a_managed_account_are_refused(client, make, body):
    organiser = make.organiser()
    person = managed(make, organiser, name="Blijft")
    assert_problem(client.patch(f"/api/v1/users/{person.id}", headers=bearer_for(make.coordinator(organiser)),
                                json=body), 422)
    assert fresh(person.id).name == "Blijft"
