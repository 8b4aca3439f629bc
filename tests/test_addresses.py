"""The public address: from PUBLIC_BASE_URL, else (development) from the request people use."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from college import config, mailbox, timeutil
from college.addresses import public_base_url
from college.catalogue.models import edition_trainer
from college.certificates.rendering import verification_url
from college.config import ConfigError
from college.extensions import db
from tests.conftest import Auth, IsolatedClient, post_form, run_worker

PORT_5101 = "127.0.0.1:5101"


def test_production_refuses_to_start_without_public_base_url(tmp_path):
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL is not set") as refused:
        config.load(str(tmp_path), {"COLLEGE_ENV": "production", "SECRET_KEY": "k" * 40})
    assert "https://" in str(refused.value)  # says what to set it to


def test_public_base_url_needs_a_scheme(tmp_path):
    with pytest.raises(ConfigError, match="must start with https://"):
        config.load(str(tmp_path), {"PUBLIC_BASE_URL": "academie.example.be"})


def test_development_has_no_default_address(tmp_path):
    assert config.load(str(tmp_path), {})["PUBLIC_BASE_URL"] is None
    assert config.load(str(tmp_path), {"PUBLIC_BASE_URL": "https://a.example.be/"})[
        "PUBLIC_BASE_URL"] == "https://a.example.be"


@pytest.fixture()
def dev_app(another_app):
    """The College as `make run PORT=5101` starts it: no PUBLIC_BASE_URL."""
    return another_app(PUBLIC_BASE_URL=None)


class ClientAt(IsolatedClient):
    """A browser that reaches the College at another address."""

    address = f"http://{PORT_5101}"

    def open(self, *args, **kwargs):
        if args and isinstance(args[0], str):
            kwargs.setdefault("base_url", self.address)
        return super().open(*args, **kwargs)


def client_at(app, address: str) -> ClientAt:
    client = ClientAt(app, app.response_class, use_cookies=True)
    client.address = address
    return client


@pytest.fixture()
def dev_client(dev_app):
    return client_at(dev_app, f"http://{PORT_5101}")


def test_check_in_page_and_qr_code_use_the_address_of_the_request(dev_client, make, clock):
    organiser = make.organiser()
    trainer = make.trainer(organiser)
    edition = make.edition(make.course(organiser))
    db.session.execute(edition_trainer.insert().values(edition_id=edition.id, user_id=trainer.id))
    session = make.session(edition, starts_at=timeutil.now() + timedelta(days=1))
    clock.move_to(session.starts_at)
    Auth(dev_client).login_as(trainer)
    page = dev_client.get(f"/sessions/{session.id}/checkin-code").get_data(as_text=True)
    assert f"http://{PORT_5101}/checkin" in page
    assert "127.0.0.1:5000" not in page and "http://localhost" not in page


def test_calendar_file_links_to_the_address_of_the_request(dev_client, make):
    edition = make.edition(make.course(make.organiser(), title="Tillen en verplaatsen"))
    make.session(edition, starts_at=timeutil.now() + timedelta(days=3))
    ics = dev_client.get(f"/editions/{edition.id}.ics").get_data(as_text=True).replace("\r\n ", "")
    assert f"http://{PORT_5101}/courses/{edition.course_id}" in ics
    assert "127.0.0.1:5000" not in ics


def test_a_mail_sent_by_the_worker_links_to_the_address_of_the_request_that_queued_it(
        dev_app, dev_client, make):
    learner = make.learner(email="vergeten@example.be")
    assert post_form(dev_client, "/password/forgot", {"email": learner.email}).status_code == 200
    # Another browser on another address later: the queued mail keeps the first one.
    client_at(dev_app, "http://localhost:7000").get("/")
    run_worker(dev_app)
    with dev_app.app_context():
        mails = mailbox.kept_mails()
    assert [mail.to for mail in mails] == [learner.email]
    assert re.search(rf"http://{re.escape(PORT_5101)}/password/reset/\S+", mails[0].body)


def test_a_job_queued_by_the_worker_itself_uses_the_last_address_requests_came_in_on(
        dev_app, dev_client):
    dev_client.get("/")
    with dev_app.app_context():
        assert public_base_url() == f"http://{PORT_5101}"
        assert verification_url("ABCD-1234") == f"http://{PORT_5101}/verify/ABCD-1234"


def test_a_configured_address_wins_over_the_request(app):
    client_at(app, f"http://{PORT_5101}").get("/")
    assert verification_url("ABCD-1234") == "http://localhost/verify/ABCD-1234"
