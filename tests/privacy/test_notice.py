"""One privacy notice per installation: its facts configured, versioned, linked from every page,
agreed to at registration and again after it changed, in Dutch and English, page and API."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from college import config
from college.accounts.models import Language, User
from college.extensions import db
from college.privacy.models import DataExport
from tests.api.conftest import assert_problem, bearer_for
from tests.conftest import Auth, post_form, run_worker

FACTS = {
    "PRIVACY_CONTROLLER_NAME": "Gemeente Deinze, Mantelzorghub Leiestreek",
    "PRIVACY_CONTROLLER_ADDRESS": "Markt 1, 9800 Deinze",
    "PRIVACY_CONTACT_EMAIL": "privacy@deinze.example",
    "PRIVACY_DPO_NAME": "Karel Verbeke",
    "PRIVACY_DPO_EMAIL": "dpo@deinze.example",
    "PRIVACY_DPO_PHONE": "09 381 95 00",
    "PRIVACY_NOTICE_VERSION": "2027-02",
}


@pytest.fixture()
def installation(app, monkeypatch):
    """This installation's facts, as the environment would set them."""
    for key, value in FACTS.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 4)
    return app


def fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_the_facts_come_from_the_environment_with_demo_defaults(tmp_path):
    configured = config.load(str(tmp_path), FACTS)
    assert {key: configured[key] for key in FACTS} == FACTS
    defaults = config.load(str(tmp_path), {})
    assert defaults["PRIVACY_CONTACT_EMAIL"] and defaults["PRIVACY_DPO_EMAIL"]
    assert defaults["PRIVACY_NOTICE_VERSION"]


@pytest.mark.parametrize(("language", "headings"), [
    ("en", ["Who is responsible", "What we keep", "Why", "Who sees it", "How long",
            "Your rights, and how to use them", "Data protection officer"]),
    ("nl", ["Wie is verantwoordelijk", "Wat we bijhouden", "Waarom", "Wie het ziet", "Hoe lang",
            "Je rechten, en hoe je ze gebruikt", "Functionaris voor gegevensbescherming"]),
])
def test_the_notice_says_who_what_why_how_long_rights_and_whom_to_ask(installation, client, language, headings):
    response = client.get("/privacy", headers={"Accept-Language": language})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for heading in headings:
        assert f"<h2>{heading}</h2>" in page, heading
    for fact in ("Gemeente Deinze, Mantelzorghub Leiestreek", "Markt 1, 9800 Deinze",
                 "privacy@deinze.example", "Karel Verbeke", "dpo@deinze.example", "09 381 95 00", "2027-02"):
        assert fact in page, fact
    assert {"en": "for 4 years", "nl": "4 jaar"}[language] in page


@pytest.mark.parametrize("path", ["/", "/courses", "/login", "/register", "/password/forgot", "/no-such-page"])
def test_every_page_links_to_the_notice_in_its_footer(client, path):
    page = client.get(path).get_data(as_text=True)
    footer = page[page.index('<footer'):]
    assert 'href="/privacy"' in footer


def test_registration_links_to_the_notice_and_records_the_version_agreed_to(installation, client):
    form = client.get("/register").get_data(as_text=True)
    assert 'href="/privacy"' in form[form.index("<main"):form.index("</main>")]
    post_form(client, "/register", {"kind": "caregiver", "name": "Lotte", "email": "lotte@example.be",
                                    "password": "een lange zin hier", "consent": "y"})
    assert User.by_email("lotte@example.be").consent_version == "2027-02"


def test_a_new_version_asks_for_consent_again_at_the_next_login(installation, client, make):
    learner = make.learner(consent_version="2026-01", name="Ria Wouters")
    response = Auth(client).login(learner.email)
    assert response.status_code == 302
    page = client.get("/my/trainings")
    assert page.status_code == 302 and page.headers["Location"].startswith("/privacy/consent")
    consent_page = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "The privacy notice has changed since you agreed to version 2026-01." in consent_page
    assert "Karel Verbeke" in consent_page  # the notice itself, to read here
    # Their data stays within reach: download or delete instead of agreeing.
    assert client.get("/account/privacy").status_code == 200
    # Nothing else is done before agreeing.
    assert post_form(client, "/account", {"name": "Anders"}, page="/account/privacy").status_code == 302
    assert fresh(learner.id).name == "Ria Wouters"

    refused = post_form(client, "/privacy/consent", {})
    assert refused.status_code == 422 and "Tick the box to agree" in refused.get_data(as_text=True)
    agreed = post_form(client, "/privacy/consent?next=/my/trainings", {"agree": "y"})
    assert agreed.status_code == 302 and agreed.headers["Location"] == "/my/trainings"
    assert fresh(learner.id).consent_version == "2027-02"
    assert client.get("/my/trainings").status_code == 200


def test_the_consent_page_in_dutch(installation, client, make):
    learner = make.learner(consent_version="2026-01", language=Language.NL)
    Auth(client).login(learner.email)
    page = client.get("/privacy/consent").get_data(as_text=True)
    assert "De privacyverklaring is veranderd sinds je akkoord ging met versie 2026-01." in page


def test_my_data_and_my_account_say_which_version_was_agreed_to(installation, app, client, make):
    learner = make.learner(consent_version="2027-02")
    Auth(client).login(learner.email)
    assert "You agreed to version 2027-02 of the privacy notice" in client.get("/account").get_data(as_text=True)
    post_form(client, "/account/privacy/export", page="/account/privacy")
    run_worker(app)
    export = db.session.scalar(select(DataExport))
    data = json.loads(zipfile.ZipFile(io.BytesIO(
        client.get(f"/account/privacy/exports/{export.id}.zip").data)).read("data.json"))
    assert data["profile"]["privacy_notice_version"] == "2027-02"
    assert data["profile"]["consented_at"]


# ---- the API ----------------------------------------------------------------------------------


def test_the_api_publishes_the_notice(installation, client):
    body = client.get("/api/v1/privacy-notice").get_json()
    assert body["version"] == "2027-02" and body["url"] == "http://localhost/privacy"
    assert body["dpo_email"] == "dpo@deinze.example" and body["retention_years"] == 4


def test_an_api_token_waits_for_consent_to_the_new_version(installation, client, make):
    learner = make.learner(consent_version="2026-01")
    headers = bearer_for(learner)
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert (me["privacy_notice_version"], me["must_agree_to_privacy_notice"]) == ("2026-01", True)
    refused = assert_problem(client.get("/api/v1/me/enrolments", headers=headers), 403)
    assert "version 2027-02" in refused["detail"]
    assert_problem(client.post("/api/v1/me/privacy-consent", headers=headers, json={"version": "2026-01"}), 409)
    response = client.post("/api/v1/me/privacy-consent", headers=headers, json={"version": "2027-02"})
    assert response.status_code == 200
    assert response.get_json()["must_agree_to_privacy_notice"] is False
    assert client.get("/api/v1/me/enrolments", headers=headers).status_code == 200
    assert fresh(learner.id).consent_version == "2027-02"
