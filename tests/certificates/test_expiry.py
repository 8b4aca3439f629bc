"""Certificates that expire: a course's validity, "valid until" on the attest, "expired" on the
verify page, in the upload check and the API from the day after (both sides of the edge), one
reminder before (mail, or "To phone"), My certificates; bad validities refused on page and API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import Language, Organiser
from college.catalogue.models import Course
from college.certificates.expiry import add_months, remind_before_expiry
from college.certificates.expiry_tasks import remind_of_expiring_certificates
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.services import verify_pdf
from college.certificates.signing import Verdict
from college.certificates.storage import file_storage
from college.enrolment.models import Notification, NotificationStatus
from college.extensions import db
from tests.api.conftest import assert_problem, bearer_for
from tests.catalogue.test_manage import course_data
from tests.certificates.helpers import (
    certificates_of,
    complete_enrolment,
    pdf_text,
    run_worker,
)
from tests.conftest import post_form

ENDS_ON = date(2026, 3, 31)


def at_noon(day: date) -> datetime:
    return timeutil.brussels(day, time(12, 0))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 10), 36, date(2029, 3, 10)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),  # April is shorter: its last day
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),  # across the new year
    ],
)
def test_months_are_counted_as_people_count_them(day, months, expected):
    assert add_months(day, months) == expected


def expiring_certificate(make, *, months: int = 36, **learner) -> Certificate:
    """A certificate of a course valid for `months`, issued without rendering (the row only)."""
    course = make.course(title="Eerste hulp", certificate_validity_months=months)
    edition = make.edition(course, starts_on=ENDS_ON, ends_on=ENDS_ON)
    enrolment = complete_enrolment(make, edition=edition, **learner)
    [certificate] = certificates_of(enrolment.id)
    certificate.status = CertificateStatus.ISSUED
    certificate.issued_at = timeutil.now()
    db.session.commit()
    return certificate


def test_a_certificate_of_a_course_with_a_validity_expires_after_the_editions_last_day(make):
    certificate = expiring_certificate(make, months=36)
    assert certificate.expires_on == date(2029, 3, 31)
    assert not certificate.expired(date(2029, 3, 31))
    assert certificate.expired(date(2029, 4, 1))

    plain = complete_enrolment(make)  # a course without validity: no expiry
    [never] = certificates_of(plain.id)
    assert never.expires_on is None and not never.expired(date(2100, 1, 1))


def test_the_attest_says_until_when_it_is_valid_in_the_learners_language(app, make):
    course = make.course(title="Eerste hulp", certificate_validity_months=36)
    edition = make.edition(course, starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 10))
    dutch = complete_enrolment(make, edition=edition, language=Language.NL)
    english = complete_enrolment(make, edition=edition, language=Language.EN)
    run_worker(app)

    [nl] = certificates_of(dutch.id)
    [en] = certificates_of(english.id)
    assert "Geldig tot 10 maart 2029" in pdf_text(file_storage().get(nl.storage_key))
    assert "Valid until 10 March 2029" in pdf_text(file_storage().get(en.storage_key))


def test_verify_page_and_api_say_expired_from_the_day_after_the_last_valid_day(client, make):
    certificate = expiring_certificate(make, months=36, name="Maria Peeters")
    code = certificate.verification_code

    with time_machine.travel(at_noon(date(2029, 3, 31)), tick=False):
        page = client.get(f"/verify/{code}").get_data(as_text=True)
        assert "This certificate is valid." in page and "Valid until" in page
        assert "has expired" not in page
        body = client.get(f"/api/v1/verify/{code}").get_json()
        assert body["valid"] is True and body["expired"] is False
        assert body["valid_until"] == "2029-03-31"

    with time_machine.travel(at_noon(date(2029, 4, 1)), tick=False):
        page = client.get(f"/verify/{code}").get_data(as_text=True)
        assert "This certificate was valid until" in page and "It has expired." in page
        assert "This certificate is valid." not in page
        body = client.get(f"/api/v1/verify/{code}").get_json()
        assert body["valid"] is False and body["expired"] is True and body["revoked"] is False


def test_upload_check_says_expired_from_the_day_after(app, client, make):
    course = make.course(title="Eerste hulp", certificate_validity_months=1)
    edition = make.edition(course, starts_on=timeutil.today() + timedelta(days=1),
                           ends_on=timeutil.today() + timedelta(days=1))
    enrolment = complete_enrolment(make, edition=edition)
    run_worker(app)
    [certificate] = certificates_of(enrolment.id)
    content = file_storage().get(certificate.storage_key)
    last_day = certificate.expires_on

    with time_machine.travel(at_noon(last_day), tick=False):
        assert verify_pdf(content).verdict == Verdict.VALID
        response = client.post("/api/v1/certificates/verify",
                               data={"file": (_file(content), "attest.pdf")})
        assert response.get_json()["verdict"] == "valid" and response.get_json()["valid"] is True

    with time_machine.travel(at_noon(last_day + timedelta(days=1)), tick=False):
        check = verify_pdf(content)
        assert check.verdict == Verdict.EXPIRED and check.certificate.id == certificate.id
        response = client.post("/api/v1/certificates/verify",
                               data={"file": (_file(content), "attest.pdf")})
        body = response.get_json()
        assert body["verdict"] == "expired" and body["valid"] is False
        assert body["certificate"]["expired"] is True
        page = post_form(client, "/verify/pdf", {"file": (_file(content), "attest.pdf")},
                         page="/verify", content_type="multipart/form-data")
        assert "but the certificate was valid until" in page.get_data(as_text=True)


def _file(content: bytes):
    import io

    return io.BytesIO(content)


def test_learners_are_reminded_once_before_by_mail_or_on_the_to_phone_list(app, make, clock):
    mailed = expiring_certificate(make, months=36, name="Maria Peeters", language=Language.NL)
    phoned = expiring_certificate(make, months=36, email=None, name="Jef Claes")
    last_day = mailed.expires_on
    assert app.config["CERTIFICATE_EXPIRY_REMINDER_DAYS"] == 60

    clock.move_to(at_noon(last_day - timedelta(days=61)))
    assert remind_of_expiring_certificates() == 0
    assert _reminders() == []

    clock.move_to(at_noon(last_day - timedelta(days=60)))
    assert remind_of_expiring_certificates() == 2
    reminders = _reminders()
    assert [(n.user_id, n.status) for n in reminders] == [
        (mailed.learner_id, NotificationStatus.PENDING), (phoned.learner_id, NotificationStatus.TO_PHONE)]
    assert "Je attest voor Eerste hulp vervalt op 31 maart 2029" in reminders[0].subject
    assert "31 maart 2029" in reminders[0].body

    clock.move_to(at_noon(last_day - timedelta(days=10)))
    assert remind_of_expiring_certificates() == 0  # once
    assert len(_reminders()) == 2


def test_the_reminder_days_come_from_the_configuration_and_revoked_ones_are_skipped(app, make,
                                                                                   clock, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_EXPIRY_REMINDER_DAYS", 30)
    kept = expiring_certificate(make, months=12)
    late = expiring_certificate(make, months=10)  # past its last day before the others' window
    revoked = expiring_certificate(make, months=12)
    revoked.status = CertificateStatus.REVOKED
    db.session.commit()

    clock.move_to(at_noon(kept.expires_on - timedelta(days=31)))
    assert remind_before_expiry() == 0
    clock.move_to(at_noon(kept.expires_on - timedelta(days=30)))
    assert remind_before_expiry() == 1
    db.session.commit()
    # Revoked, or past its last day: nobody is reminded of those.
    assert [n.user_id for n in _reminders()] == [kept.learner_id]
    assert late.expires_on < timeutil.today()


def _reminders() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(Notification).where(Notification.kind == "certificate_expiry").order_by(Notification.id)))


def test_my_certificates_shows_until_when_and_which_expired(client, make, auth):
    learner = make.learner()
    today = timeutil.today()
    for title, ends_on in (("Eerste hulp 2025", today - timedelta(days=40)),
                           ("Eerste hulp 2026", today - timedelta(days=1))):
        course = make.course(title=title, certificate_validity_months=1)
        enrolment = complete_enrolment(make, learner=learner,
                                       edition=make.edition(course, starts_on=ends_on, ends_on=ends_on))
        [certificate] = certificates_of(enrolment.id)
        certificate.status, certificate.issued_at = CertificateStatus.ISSUED, timeutil.now()
    db.session.commit()

    auth.login_as(learner)
    page = " ".join(client.get("/certificates").get_data(as_text=True).split())
    cards = {card.split("</h2>")[0].split(">")[-1]: card
             for card in page.split('class="card certificate-card"')[1:]}
    valid, expired = cards["Eerste hulp 2026"], cards["Eerste hulp 2025"]
    assert "Ready" in valid and "valid until" in valid and "Expired" not in valid
    assert "Expired" in expired and "Valid until" in expired

    items = client.get("/api/v1/me/certificates", headers=bearer_for(learner)).get_json()["items"]
    expired = {item["course_title"]: item["expired"] for item in items}
    assert expired == {"Eerste hulp 2025": True, "Eerste hulp 2026": False}
    assert all(item["valid_until"] for item in items)


# ---- bad input: one table for the page and the API ----------------------------------------------

BAD_VALIDITY = [
    ("-1", -1, "1 to 120 months"),
    ("0", 0, "1 to 120 months"),
    ("121", 121, "1 to 120 months"),
    ("99999999999", 99999999999, "1 to 120 months"),
    ("2,5", 2.5, "whole number"),
    ("veel", "veel", "whole number"),
]


@pytest.mark.parametrize(("typed", "_sent", "message"), BAD_VALIDITY)
def test_a_bad_validity_on_the_course_page_changes_nothing(client, make, auth, typed, _sent, message):
    hub = make.organiser()
    auth.login_as(make.coordinator(hub))
    course = make.course(hub, title="Eerste hulp", certificate_validity_months=36)

    response = post_form(client, f"/manage/courses/{course.id}/edit",
                         course_data(title="Eerste hulp", certificate_validity_months=typed))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Course, course.id).certificate_validity_months == 36


def test_the_course_page_sets_and_clears_the_validity(client, make, auth):
    hub = make.organiser()
    auth.login_as(make.coordinator(hub))
    course = make.course(hub, title="Eerste hulp")
    assert post_form(client, f"/manage/courses/{course.id}/edit",
                     course_data(title="Eerste hulp", certificate_validity_months="36")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Course, course.id).certificate_validity_months == 36
    assert post_form(client, f"/manage/courses/{course.id}/edit",
                     course_data(title="Eerste hulp", certificate_validity_months="")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Course, course.id).certificate_validity_months is None


NEW_COURSE = {"title": "Eerste hulp", "tracks": ["caregivers"], "hours": 4}


@pytest.mark.parametrize(("_typed", "sent", "message"), BAD_VALIDITY)
def test_a_bad_validity_in_the_api_changes_nothing(client, make, _typed, sent, message):
    hub = make.organiser()
    headers = bearer_for(make.coordinator(hub))
    response = client.post("/api/v1/courses", headers=headers,
                           json={**NEW_COURSE, "certificate_validity_months": sent})
    body = assert_problem(response, 422)
    assert "certificate_validity_months" in str(body)
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_the_api_creates_a_course_whose_certificates_expire(client, make):
    hub = make.organiser()
    headers = bearer_for(make.coordinator(hub))
    response = client.post("/api/v1/courses", headers=headers,
                           json={**NEW_COURSE, "certificate_validity_months": 36})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["certificate_validity_months"] == 36
    plain = client.post("/api/v1/courses", headers=bearer_for(make.coordinator(hub)), json=NEW_COURSE)
    assert plain.get_json()["certificate_validity_months"] is None


@pytest.mark.parametrize(("_typed", "sent", "message"), BAD_VALIDITY)
def test_a_bad_validity_in_a_change_through_the_api_changes_nothing(client, make, _typed, sent,
                                                                    message):
    hub = make.organiser()
    course = make.course(hub, title="Eerste hulp", certificate_validity_months=36)
    response = client.patch(f"/api/v1/courses/{course.id}", headers=bearer_for(make.coordinator(hub)),
                            json={"title": "Eerste hulp (nieuw)", "certificate_validity_months": sent})
    body = assert_problem(response, 422)
    assert any(message in text for text in body["errors"]["certificate_validity_months"])
    db.session.expire_all()
    unchanged = db.session.get(Course, course.id)
    assert (unchanged.title, unchanged.certificate_validity_months) == ("Eerste hulp", 36)


def test_the_api_reads_sets_and_clears_a_courses_validity(client, make):
    hub = make.organiser()
    headers = bearer_for(make.coordinator(hub))
    course = make.course(hub, title="Eerste hulp", certificate_validity_months=36)
    address = f"/api/v1/courses/{course.id}"
    assert client.get(address).get_json()["certificate_validity_months"] == 36

    changed = client.patch(address, headers=headers, json={"certificate_validity_months": 24})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["certificate_validity_months"] == 24
    assert changed.get_json()["title"] == "Eerste hulp"  # the fields left out keep theirs
    db.session.expire_all()
    assert db.session.get(Course, course.id).certificate_validity_months == 24

    cleared = client.patch(address, headers=headers, json={"certificate_validity_months": None})
    assert cleared.get_json()["certificate_validity_months"] is None
    db.session.expire_all()
    assert db.session.get(Course, course.id).certificate_validity_months is None
    assert client.get(address).get_json()["certificate_validity_months"] is None


def test_a_validity_change_through_the_api_keeps_the_certificates_made_before(client, make):
    certificate = expiring_certificate(make, months=36)
    course_id = db.session.scalar(select(Course.id).where(Course.title == "Eerste hulp"))
    hub_coordinator = make.coordinator(
        db.session.get(Organiser, db.session.get(Course, course_id).organiser_id))
    response = client.patch(f"/api/v1/courses/{course_id}", headers=bearer_for(hub_coordinator),
                            json={"certificate_validity_months": 12})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).expires_on == date(2029, 3, 31)


def test_only_the_courses_coordinators_change_it_through_the_api(client, make):
    hub = make.organiser()
    course = make.course(hub, title="Eerste hulp", certificate_validity_months=36)
    address = f"/api/v1/courses/{course.id}"
    learner = client.patch(address, headers=bearer_for(make.learner()),
                           json={"certificate_validity_months": 12})
    assert_problem(learner, 403)
    other_hub = client.patch(address, headers=bearer_for(make.coordinator(make.organiser())),
                             json={"certificate_validity_months": 12})
    assert_problem(other_hub, 403)
    empty = client.patch(address, headers=bearer_for(make.coordinator(hub)), json={})
    assert "Send at least one field to change." in str(assert_problem(empty, 422))
    db.session.expire_all()
    assert db.session.get(Course, course.id).certificate_validity_months == 36


def test_the_worker_runs_the_reminders_every_hour(app):
    from college.jobs import PERIODIC_JOBS

    periodic = {path: (queue, key, seconds) for queue, path, key, seconds in PERIODIC_JOBS}
    assert periodic["college.certificates.expiry_tasks.remind_of_expiring_certificates"] == (
        "default", "CERTIFICATE_EXPIRY_INTERVAL", 3600)
