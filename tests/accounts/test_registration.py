"""Registering confirms the address by a mailed link, and no answer tells whether an address
has an account: registration, the API's registration and "forgot password" answer alike, in
about the same time, for new and taken addresses."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from college import signals, timeutil
from college.accounts.models import User
from college.accounts.passwords import verify_password
from college.catalogue.models import Course, Edition
from college.enrolment.models import Notification
from college.enrolment.notifications import write_notification
from college.enrolment.services import enrol_learner
from college.extensions import db
from tests.conftest import PASSWORD, Auth, csrf_token, post_form, run_worker

NEW_PASSWORD = "mijn tuin in de lente"
_CONFIRM_LINK = re.compile(r"http://localhost(/account/confirm/\S+)")


def register(client, email: str, name: str = "Maria Peeters", **extra):
    return post_form(client, "/register", {
        "kind": "caregiver", "name": name, "email": email, "password": NEW_PASSWORD,
        "consent": "y", **extra,
    })


def mails_to(inbox, email: str) -> list:
    return [message for to, message in inbox.messages if to == [email]]


def confirmation_link(inbox, email: str) -> str:
    [mail] = [m for m in mails_to(inbox, email) if "Confirm" in m["Subject"] or "Bevestig" in m["Subject"]]
    return _CONFIRM_LINK.search(mail.get_content()).group(1)


def fresh_user(email: str) -> User:
    db.session.expire_all()
    return User.by_email(email)


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_new_and_a_taken_address_get_the_same_answer(app, make, smtp_inbox):
    owner = make.learner(email="bestaat@example.be", name="Bestaande Eigenaar")
    answers = {}
    for email in ("nieuw@example.be", "bestaat@example.be"):
        browser = app.test_client()
        response = register(browser, email)
        following = browser.get(response.headers["Location"])
        answers[email] = (response.status_code, response.headers["Location"], following.status_code,
                          following.get_data(as_text=True).replace(email, "ADDRESS"))
    assert answers["nieuw@example.be"] == answers["bestaat@example.be"]
    assert answers["nieuw@example.be"][0] == 303
    assert "We sent a link to ADDRESS to confirm your address." in answers["nieuw@example.be"][3]
    assert user_count() == 2  # the owner and the new learner; nothing for the taken address

    run_worker(app)
    assert [m["Subject"] for m in mails_to(smtp_inbox, "nieuw@example.be")] == ["Confirm your email address"]
    [attempt] = mails_to(smtp_inbox, "bestaat@example.be")
    assert attempt["Subject"] == "Someone tried to register with your email address"
    assert "nothing was created and nothing changed" in attempt.get_content()
    assert "http://localhost/password/forgot" in attempt.get_content()
    # The owner's account is as it was.
    assert fresh_user(owner.email).name == "Bestaande Eigenaar"
    assert verify_password(fresh_user(owner.email).password_hash, PASSWORD)


def test_the_api_registration_answers_alike_and_never_409(client, make, smtp_inbox, app):
    make.learner(email="bestaat@example.be")
    bodies = {}
    for email in ("nieuw@example.be", "bestaat@example.be"):
        response = client.post("/api/v1/register", json={
            "email": email, "password": NEW_PASSWORD, "name": "Mia", "kind": "caregiver", "consent": True})
        assert response.status_code == 202, response.get_data(as_text=True)
        bodies[email] = {key: value.replace(email, "ADDRESS") for key, value in response.get_json().items()}
    assert bodies["nieuw@example.be"] == bodies["bestaat@example.be"]
    assert "already" not in str(bodies)
    run_worker(app)
    assert len(mails_to(smtp_inbox, "nieuw@example.be")) == 1
    assert len(mails_to(smtp_inbox, "bestaat@example.be")) == 1


def test_the_link_confirms_the_address_logs_in_and_works_once(app, client, smtp_inbox):
    register(client, "maria@example.be")
    run_worker(app)
    link = confirmation_link(smtp_inbox, "maria@example.be")
    page = client.get(link)
    assert page.status_code == 200
    assert "Is maria@example.be your email address?" in page.get_data(as_text=True)
    assert fresh_user("maria@example.be").email_confirmed_at is None  # opening it is not enough

    response = post_form(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/opleidingen"
    assert fresh_user("maria@example.be").email_confirmed_at is not None
    home = client.get("/opleidingen").get_data(as_text=True)
    assert "Your email address maria@example.be is confirmed. Welcome, Maria Peeters." in home
    assert "Log out" in home

    again = app.test_client()
    assert again.get(link).status_code == 410
    assert post_form(again, link, page="/login").status_code == 410


def test_the_link_expires_after_three_days(app, client, smtp_inbox, clock):
    register(client, "traag@example.be")
    run_worker(app)
    link = confirmation_link(smtp_inbox, "traag@example.be")
    clock.advance(timedelta(days=3, minutes=1))
    assert client.get(link).status_code == 410
    assert post_form(client, link, page="/login").status_code == 410
    assert fresh_user("traag@example.be").email_confirmed_at is None


def test_an_unconfirmed_learner_can_log_in_and_is_reminded(app, client, smtp_inbox):
    register(client, "vergeetachtig@example.be")
    assert Auth(client).login("vergeetachtig@example.be", NEW_PASSWORD).status_code == 302
    page = client.get("/courses").get_data(as_text=True)
    assert "Please confirm your email address: open the link we mailed to vergeetachtig@example.be." in page
    # The first mail got lost: "My account" sends the link again.
    response = post_form(client, "/account/confirmation", page="/account")
    assert response.status_code == 302
    assert "We sent the link again to vergeetachtig@example.be." in client.get("/account").get_data(as_text=True)
    run_worker(app)
    assert len(mails_to(smtp_inbox, "vergeetachtig@example.be")) == 2
    post_form(client, confirmation_link_latest(smtp_inbox, "vergeetachtig@example.be"))
    assert fresh_user("vergeetachtig@example.be").email_confirmed


def confirmation_link_latest(inbox, email: str) -> str:
    return _CONFIRM_LINK.search(mails_to(inbox, email)[-1].get_content()).group(1)


def test_mails_wait_until_the_address_is_confirmed(app, client, make, smtp_inbox):
    edition = make.edition(place="Eeklo")
    ended = db.session.get(Edition, make.edition(starts_on=timeutil.today() - timedelta(days=10)).id)
    register(client, "wacht@example.be")
    learner = fresh_user("wacht@example.be")
    enrol_learner(edition_id=edition.id, learner_id=learner.id, actor=learner)
    # A message about a training that ends before the address is confirmed.
    write_notification("waitlisted", learner=learner, course=db.session.get(Course, ended.course_id),
                       edition=ended, dedupe_key="test:ended", position=1)
    db.session.commit()
    statuses = lambda: sorted(s.value for s in db.session.scalars(  # noqa: E731
        select(Notification.status).where(Notification.user_id == learner.id)))
    assert statuses() == ["held", "held"]
    run_worker(app)
    # Only the link: nothing else goes to an address nobody confirmed.
    assert [m["Subject"] for m in mails_to(smtp_inbox, "wacht@example.be")] == ["Confirm your email address"]

    post_form(client, confirmation_link(smtp_inbox, "wacht@example.be"))
    run_worker(app)
    db.session.expire_all()
    assert statuses() == ["expired", "sent"]  # the training that has ended is not mailed about
    subjects = [m["Subject"] for m in mails_to(smtp_inbox, "wacht@example.be")]
    assert len(subjects) == 2 and subjects[1].startswith("You are enrolled")
    assert "Eeklo" in mails_to(smtp_inbox, "wacht@example.be")[1].get_content()


def test_a_held_mail_of_someone_with_a_phone_number_can_be_phoned_instead(app, client, make, smtp_inbox):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    edition = make.edition(make.course(organiser, title="Grenzen stellen"))
    learner = make.learner(email="telefoon@example.be", name="Rita Telefoon", phone="0470 12 34 56",
                           email_confirmed_at=None)
    enrol_learner(edition_id=edition.id, learner_id=learner.id, actor=learner)
    Auth(client).login_as(coordinator)
    page = client.get(f"/organisers/{organiser.id}/to-phone").get_data(as_text=True)
    assert "Rita Telefoon" in page and 'href="tel:0470123456"' in page
    assert "has not confirmed their email address yet" in page
    notification_id = db.session.scalar(select(Notification.id).where(Notification.user_id == learner.id))
    assert post_form(client, f"/notifications/{notification_id}/phoned",
                     page=f"/organisers/{organiser.id}/to-phone").status_code == 302
    # Confirmed later: what was phoned is not mailed as well.
    db.session.get(User, learner.id).email_confirmed_at = timeutil.now()
    signals.email_confirmed.send(None, user_id=learner.id)
    run_worker(app)
    assert mails_to(smtp_inbox, "telefoon@example.be") == []


def test_a_password_reset_confirms_the_address_too(app, client, smtp_inbox):
    register(client, "reset@example.be")
    post_form(client, "/password/forgot", {"email": "reset@example.be"})
    run_worker(app)
    [reset] = [m for m in mails_to(smtp_inbox, "reset@example.be") if m["Subject"] == "Choose a new password"]
    link = re.search(r"http://localhost(/password/reset/\S+)", reset.get_content()).group(1)
    assert post_form(client, link, {"new_password": "een ander lang wachtwoord"}).status_code == 302
    assert fresh_user("reset@example.be").email_confirmed


def test_the_confirmation_speaks_dutch_after_a_dutch_registration(app, smtp_inbox):
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    response = register(browser, "nederlands@example.be")
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kijk in je mailbox" in page
    assert "We stuurden een link naar nederlands@example.be om je adres te bevestigen." in page
    run_worker(app)
    [mail] = mails_to(smtp_inbox, "nederlands@example.be")
    assert mail["Subject"] == "Bevestig je e-mailadres"


def _timed_post(app, url: str, data: dict, address: str):
    """A form ready to send (its page already loaded), as a function returning its answer."""
    browser = app.test_client()
    payload = {"csrf_token": csrf_token(browser, url), **data}
    return lambda: browser.post(url, data=payload, environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("form", ["forgot password", "registration"])
def test_known_and_unknown_addresses_take_about_the_same_time(app, make, form):
    """Medians over several calls, compared with each other (no bound on absolute speed)."""
    rounds = 9
    if form == "forgot password":
        url, data = "/password/forgot", lambda email: {"email": email}
    else:
        url, data = "/register", lambda email: {"kind": "caregiver", "name": "Tijd", "email": email,
                                                 "password": NEW_PASSWORD, "consent": "y"}
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(rounds):  # interleaved, so a busy moment of the machine hits both
        sends = {"known": _timed_post(app, url, data(make.learner(email=f"gekend{n}@example.be").email),
                                      f"192.0.2.{n}"),
                 "unknown": _timed_post(app, url, data(f"onbekend{n}@example.be"), f"198.51.100.{n}")}
        for kind, send in sends.items():
            started = time.perf_counter()
            response = send()
            timings[kind].append(time.perf_counter() - started)
            assert response.status_code < 400, response.status_code
    known, unknown = statistics.median(timings["known"]), statistics.median(timings["unknown"])
    assert max(known, unknown) < 3 * min(known, unknown), (known, unknown)
