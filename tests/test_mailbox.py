"""Mails in development: kept on /dev/mailbox (in Redis) and printed; never in production."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from college import config
from college.config import ConfigError
from college.enrolment.models import Notification, NotificationStatus
from college.extensions import db
from tests.conftest import post_form, run_worker


def mailbox_page(client, language: str = "en") -> BeautifulSoup:
    response = client.get("/dev/mailbox", headers={"Accept-Language": language})
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_a_password_reset_mail_can_be_read_and_its_link_followed(app, client, make, capfd):
    learner = make.learner(email="vergeten@example.be", name="Rita Peeters")
    post_form(client, "/password/forgot", {"email": learner.email})
    run_worker(app)
    page = mailbox_page(client)
    mail = page.select_one("article.mail")
    assert mail.h2.get_text(strip=True) == "Choose a new password"
    assert "vergeten@example.be" in mail.get_text()
    assert "Hello Rita Peeters" in mail.get_text()
    link = mail.select_one("a[href*='/password/reset/']")["href"]
    assert link.startswith("http://localhost/password/reset/")
    # The link works: it opens the form to choose a new password.
    form = client.get(link.removeprefix("http://localhost"))
    assert form.status_code == 200 and "new password" in form.get_data(as_text=True).lower()
    # ... and the console shows it too.
    assert re.search(r"mail to vergeten@example.be: Choose a new password", capfd.readouterr().err)


def test_outbox_mails_land_in_the_mailbox_newest_first(app, client, make, auth):
    learner = make.learner()
    edition = make.edition(make.course(make.organiser(), title="Omgaan met dementie"))
    auth.login_as(learner)
    post_form(client, f"/editions/{edition.id}/enrol", page=f"/courses/{edition.course_id}")
    run_worker(app)
    assert db.session.scalars(db.select(Notification.status)).all() == [NotificationStatus.LOGGED]
    subjects = [h2.get_text(strip=True) for h2 in mailbox_page(client).select("article.mail h2")]
    assert len(subjects) == 1 and "Omgaan met dementie" in subjects[0]


def test_the_empty_mailbox_says_so_in_both_languages(client):
    assert "No mails yet." in mailbox_page(client).get_text()
    dutch = mailbox_page(client, "nl")
    assert dutch.h1.get_text(strip=True) == "Postvak (ontwikkeling)"
    assert "Nog geen mails." in dutch.get_text()


def test_production_has_no_mailbox(another_app):
    production = another_app(PRODUCTION=True, COLLEGE_ENV="production", DEV_MAILBOX=False)
    assert production.test_client().get("/dev/mailbox").status_code == 404


def test_production_refuses_the_mailbox_flag(tmp_path):
    environ = {"COLLEGE_ENV": "production", "SECRET_KEY": "k" * 40,
               "PUBLIC_BASE_URL": "https://academie.example.be", "DEV_MAILBOX": "1"}
    with pytest.raises(ConfigError, match="mailbox is not allowed in production"):
        config.load(str(tmp_path), environ)
    del environ["DEV_MAILBOX"]
    assert config.load(str(tmp_path), environ)["DEV_MAILBOX"] is False
    assert config.load(str(tmp_path), {})["DEV_MAILBOX"] is True
