"""Deleting a managed account is confirmed on a page that says what goes and what stays."""

from __future__ import annotations

from bs4 import BeautifulSoup

from college.accounts.models import Language, User
from college.extensions import db
from tests.conftest import post_form, shown_form


def test_the_delete_button_leads_to_a_confirmation_in_plain_words(client, auth, make):
    organiser = make.organiser()
    managed = make.learner(email=None, password=None, name="Mevrouw Gevers", phone="09 111 22 33",
                           managed_by_organiser_id=organiser.id)
    auth.login_as(make.coordinator(organiser))
    people = BeautifulSoup(client.get(f"/organisers/{organiser.id}/people").get_data(as_text=True),
                           "html.parser")
    link = people.find("a", string=lambda s: s and "Delete Mevrouw Gevers" in s)
    url = f"/organisers/{organiser.id}/people/{managed.id}/delete"
    assert link["href"] == url
    response = client.get(url)
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    words = " ".join(page.main.get_text(" ").split())
    assert page.h1.get_text(strip=True) == "Delete Mevrouw Gevers and their personal data?"
    assert "removes the name, phone number and note of Mevrouw Gevers" in words
    assert "enrolments and attendance stay, without a name" in words
    assert "This cannot be undone." in words
    assert page.select_one("main form button").get_text(strip=True) == "Yes, delete Mevrouw Gevers"
    assert db.session.get(User, managed.id).anonymised_at is None  # looking changed nothing
    # A POST without the confirmation (the old one-click button) only shows the page.
    response = post_form(client, url, page=f"/organisers/{organiser.id}/people")
    assert response.status_code == 200 and "This cannot be undone." in response.get_data(as_text=True)
    assert db.session.get(User, managed.id).anonymised_at is None
    # Its button deletes.
    response = client.post(url, data=shown_form(client, url))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, managed.id).anonymised_at is not None
    assert db.session.get(User, managed.id).phone is None
    assert client.get(url).status_code == 404  # nothing left to delete


def test_the_confirmation_speaks_dutch(client, auth, make):
    organiser = make.organiser()
    managed = make.learner(email=None, password=None, name="Mevrouw Gevers",
                           managed_by_organiser_id=organiser.id)
    auth.login_as(make.coordinator(organiser, language=Language.NL))
    response = client.get(f"/organisers/{organiser.id}/people/{managed.id}/delete",
                          headers={"Accept-Language": "nl"})
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.h1.get_text(strip=True) == "Mevrouw Gevers en haar of zijn persoonsgegevens wissen?"
    assert "Dit kan niet ongedaan gemaakt worden." in page.main.get_text()


def test_another_organisers_coordinator_gets_no_confirmation(client, auth, make):
    mine, theirs = make.organiser(), make.organiser()
    other = make.learner(email=None, password=None, managed_by_organiser_id=theirs.id)
    auth.login_as(make.coordinator(mine))
    assert client.get(f"/organisers/{theirs.id}/people/{other.id}/delete").status_code == 403
