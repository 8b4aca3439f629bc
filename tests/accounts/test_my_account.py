"""People keep their own details right: "My account" and PATCH /api/v1/me."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from college.accounts.models import Kind, Language, User
from college.extensions import db
from tests.api.conftest import assert_problem, bearer_for
from tests.conftest import PASSWORD, Auth, post_form, run_worker

_CONFIRM_LINK = re.compile(r"http://localhost(/account/confirm/\S+)")


def fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def details(user: User, **changes) -> dict:
    """The form as the page shows it, with some fields changed."""
    form = {"name": user.name, "email": user.email, "phone": user.phone or "",
            "language": user.language.value, "profession": user.profession or "",
            "registration_number": user.registration_number or "", "current_password": ""}
    return {**form, **changes}


def mails_to(inbox, email: str) -> list:
    return [message for to, message in inbox.messages if to == [email]]


def test_a_professional_corrects_name_phone_profession_and_language(client, make, auth):
    learner = make.learner(kind=Kind.PROFESSIONAL, name="Mia Claes", profession="verpleegkundige")
    auth.login_as(learner)
    page = client.get("/account").get_data(as_text=True)
    assert 'value="Mia Claes"' in page and "Registration number" in page
    response = post_form(client, "/account", details(
        learner, name="Mia Claessens", phone="0470 12 34 56", profession="Thuisverpleegkundige",
        registration_number="RIZIV 1-23456-78-901", language="nl"))
    assert response.status_code == 302
    user = fresh(learner.id)
    assert (user.name, user.phone, user.profession, user.registration_number, user.language) == (
        "Mia Claessens", "0470 12 34 56", "Thuisverpleegkundige", "RIZIV 1-23456-78-901", Language.NL)
    assert '<html lang="nl">' in client.get("/account").get_data(as_text=True)


def test_a_caregiver_has_no_profession_to_change(client, make, auth):
    learner = make.learner(kind=Kind.CAREGIVER)
    auth.login_as(learner)
    assert "Registration number" not in client.get("/account").get_data(as_text=True)
    response = post_form(client, "/account", details(learner, profession="Arts"))
    assert response.status_code == 302
    assert fresh(learner.id).profession is None


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": "  "}, "name", "Enter your name."),
    ({"phone": "bel me maar"}, "phone", "Enter a phone number in digits"),
    ({"email": "geen-adres"}, "email", "Enter a valid email address"),
    ({"email": "nieuw@example.be", "current_password": "fout"}, "current_password",
     "Your current password is not correct."),
])
def test_wrong_details_are_refused_and_change_nothing(client, make, auth, changes, field, message):
    learner = make.learner(name="Jan Peeters", phone="09 123 45 67")
    auth.login_as(learner)
    response = post_form(client, "/account", details(learner, name="Jan Janssens", **changes)
                         if "name" not in changes else details(learner, **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and f'href="#{field}"' in page
    user = fresh(learner.id)
    assert (user.name, user.phone, user.pending_email) == ("Jan Peeters", "09 123 45 67", None)


def test_a_new_email_address_replaces_the_old_once_its_link_is_opened(app, client, make, auth, smtp_inbox):
    learner = make.learner(email="oud@example.be", name="Lies Maes")
    auth.login_as(learner)
    response = post_form(client, "/account", details(learner, email="Nieuw@Example.be",
                                                     current_password=PASSWORD))
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "We sent a link to nieuw@example.be" in page and "we keep using oud@example.be" in page
    assert (fresh(learner.id).email, fresh(learner.id).pending_email) == ("oud@example.be", "nieuw@example.be")

    run_worker(app)
    [notice] = mails_to(smtp_inbox, "oud@example.be")
    assert notice["Subject"] == "Your email address is being changed"
    [link_mail] = mails_to(smtp_inbox, "nieuw@example.be")
    assert link_mail["Subject"] == "Confirm your new email address"
    link = _CONFIRM_LINK.search(link_mail.get_content()).group(1)
    # Until then the old address is the login.
    other = app.test_client()
    assert Auth(other).login("oud@example.be").status_code == 302

    assert post_form(client, link).status_code == 302
    user = fresh(learner.id)
    assert (user.email, user.pending_email, user.email_confirmed) == ("nieuw@example.be", None, True)
    fresh_browser = app.test_client()
    assert Auth(fresh_browser).login("oud@example.be").status_code == 401
    assert Auth(fresh_browser).login("nieuw@example.be").status_code == 302
    assert app.test_client().get(link).status_code == 410  # used once


def test_an_address_of_another_account_gets_the_same_answer_and_no_link(app, client, make, auth, smtp_inbox):
    make.learner(email="bezet@example.be")
    learner = make.learner(email="mijn@example.be")
    auth.login_as(learner)
    response = post_form(client, "/account", details(learner, email="bezet@example.be",
                                                     current_password=PASSWORD))
    assert response.status_code == 302
    assert "We sent a link to bezet@example.be" in client.get("/account").get_data(as_text=True)
    run_worker(app)
    [attempt] = mails_to(smtp_inbox, "bezet@example.be")
    assert attempt["Subject"] == "Someone tried to register with your email address"
    assert fresh(learner.id).email == "mijn@example.be"


def test_keeping_the_current_address_ends_the_new_ones_link(app, client, make, auth, smtp_inbox):
    learner = make.learner(email="blijf@example.be")
    auth.login_as(learner)
    post_form(client, "/account", details(learner, email="weg@example.be", current_password=PASSWORD))
    run_worker(app)
    link = _CONFIRM_LINK.search(mails_to(smtp_inbox, "weg@example.be")[0].get_content()).group(1)
    assert post_form(client, "/account/email/cancel", page="/account").status_code == 302
    assert fresh(learner.id).pending_email is None
    assert client.get(link).status_code == 410


def test_my_account_in_dutch(client, make, auth):
    learner = make.learner(language=Language.NL)
    auth.login_as(learner)
    page = client.get("/account").get_data(as_text=True)
    assert "Mijn persoonlijke gegevens" in page and "Telefoonnummer (niet verplicht)" in page


# ---- the API ----------------------------------------------------------------------------------


def test_patch_me_changes_only_what_is_sent(client, make):
    learner = make.learner(kind=Kind.PROFESSIONAL, name="An", profession="Apotheker", phone="09 111 11 11")
    headers = bearer_for(learner)
    response = client.patch("/api/v1/me", headers=headers, json={"name": "An Peeters", "language": "nl"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["name"], body["language"], body["profession"], body["phone"]) == (
        "An Peeters", "nl", "Apotheker", "09 111 11 11")
    response = client.patch("/api/v1/me", headers=headers, json={"phone": None, "registration_number": "123"})
    assert response.get_json()["phone"] is None and response.get_json()["registration_number"] == "123"


def test_patch_me_asks_a_new_address_to_be_confirmed(app, client, make, smtp_inbox):
    learner = make.learner(email="api-oud@example.be")
    headers = bearer_for(learner)
    refused = assert_problem(client.patch("/api/v1/me", headers=headers,
                                          json={"email": "api-nieuw@example.be"}), 422)
    assert list(refused["errors"]) == ["current_password"]
    response = client.patch("/api/v1/me", headers=headers,
                            json={"email": "api-nieuw@example.be", "current_password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["email"], body["pending_email"], body["email_confirmed"]) == (
        "api-oud@example.be", "api-nieuw@example.be", True)
    run_worker(app)
    assert len(mails_to(smtp_inbox, "api-nieuw@example.be")) == 1


@pytest.mark.parametrize("body", [{}, {"kind": "professional"}, {"name": ""}, {"language": "fr"},
                                  {"phone": "abc"}])
def test_patch_me_refuses_nothing_or_what_is_not_mine_to_change(client, make, body):
    learner = make.learner(name="Ongewijzigd")
    assert_problem(client.patch("/api/v1/me", headers=bearer_for(learner), json=body), 422)
    assert fresh(learner.id).name == "Ongewijzigd" and fresh(learner.id).kind == Kind.CAREGIVER


@pytest.mark.parametrize("language", [Language.NL, Language.EN])
def test_the_page_shows_the_language_chosen_so_saving_needs_no_new_choice(client, make, auth, language):
    learner = make.learner(language=language)
    auth.login_as(learner)
    form = shown_form_fields(client.get("/account").get_data(as_text=True))
    assert form["language"] == language.value
    form["phone"] = "0470 12 34 56"
    response = post_form(client, "/account", form)
    assert response.status_code == 302
    assert (fresh(learner.id).phone, fresh(learner.id).language) == ("0470 12 34 56", language)


def shown_form_fields(html: str) -> dict:
    """What the browser sends as the page shows it: text inputs' values and checked radios."""
    soup = BeautifulSoup(html, "html.parser")
    form = next(f for f in soup.find_all("form") if f.find(id="name"))
    sent = {field["name"]: field.get("value", "") for field in form.find_all("input")
            if field.get("name") and field.get("type") not in ("radio", "checkbox", "password")}
    sent.update({field["name"]: field["value"] for field in form.find_all("input", type="radio")
                 if field.has_attr("checked")})
    return sent
