"""My learning record says, per certificate that expires, its last valid day and that it
expired or expires in so many days (within the reminder days): on the page, in the CSV and in
the PDF, on both sides of the edge (the last valid day and the day after)."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from datetime import date, datetime, time

import pytest
import time_machine

from college import signals, timeutil
from college.accounts.models import Kind, Language
from college.certificates.models import CertificateStatus
from college.extensions import db
from tests.accreditation.conftest import accredit, completed
from tests.api.conftest import bearer_for
from tests.certificates.helpers import certificates_of, pdf_text

LAST_VALID_DAY = date(2027, 6, 2)  # an edition on 2 June 2025 + 24 months


def at_noon(day: date) -> datetime:
    return timeutil.brussels(day, time(12, 0))


@pytest.fixture()
def refresher(make, schemes, professional):
    """A first-aid refresher (valid 24 months) the professional completed, its attest issued;
    and a course whose attest does not expire."""
    course = make.course(title="Eerste hulp", hours=3, open_to_professionals=True,
                         certificate_validity_months=24)
    accredit(course, schemes["nurses"], 3)
    _, enrolment = completed(make, professional, course, date(2025, 6, 2), sessions=1, attended=1)
    plain = make.course(title="Signalen van overbelasting", hours=4, open_to_professionals=True)
    _, other = completed(make, professional, plain, date(2025, 9, 1), sessions=1, attended=1)
    for item in (enrolment, other):
        signals.enrolment_completed.send(None, enrolment_id=item.id)
    db.session.commit()
    for item in (enrolment, other):
        [certificate] = certificates_of(item.id)
        certificate.status, certificate.issued_at = CertificateStatus.ISSUED, timeutil.now()
    db.session.commit()
    [certificate] = certificates_of(enrolment.id)
    assert certificate.expires_on == LAST_VALID_DAY
    return certificate


@contextmanager
def signed_in_on(auth, learner, day: date):
    """The learner signed in on a day of the fake clock (and signed out after)."""
    with time_machine.travel(at_noon(day), tick=False):
        auth.login_as(learner)
        yield
        auth.logout()


def _page(client, auth, professional, day: date) -> str:
    with signed_in_on(auth, professional, day):
        return " ".join(client.get("/account/learning-record").get_data(as_text=True).split())


def _training_line(html: str, title: str) -> str:
    start = html.index(f"{title} (")
    return html[start:html.index("</li>", start)]


@pytest.mark.parametrize(("day", "said"), [
    (date(2026, 12, 1), "Certificate: Valid until 2 June 2027"),  # long before: no countdown
    (date(2027, 4, 3), "Certificate: <strong>Valid until 2 June 2027: expires in 60 days</strong>"),
    (date(2027, 6, 1), "Certificate: <strong>Valid until 2 June 2027: expires in 1 day</strong>"),
    (LAST_VALID_DAY, "Certificate: <strong>Valid until 2 June 2027: expires today</strong>"),
    (date(2027, 6, 3), "Certificate: <strong>Expired: it was valid until 2 June 2027</strong>"),
])
def test_the_page_shows_the_last_valid_day_and_how_the_certificate_stands(
        client, auth, professional, refresher, day, said):
    html = _page(client, auth, professional, day)
    assert said in _training_line(html, "Eerste hulp")
    assert "Certificate:" not in _training_line(html, "Signalen van overbelasting")


def test_the_reminder_days_decide_when_the_countdown_starts(app, monkeypatch, client, auth,
                                                            professional, refresher):
    monkeypatch.setitem(app.config, "CERTIFICATE_EXPIRY_REMINDER_DAYS", 10)
    assert "expires in" not in _page(client, auth, professional, date(2027, 5, 22))  # 11 days
    assert "expires in 10 days" in _page(client, auth, professional, date(2027, 5, 23))


def _csv(client, auth, professional, day: date) -> list[list[str]]:
    with signed_in_on(auth, professional, day):
        text = client.get("/account/learning-record.csv").get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_the_csv_says_the_same_on_both_sides_of_the_edge(client, auth, professional, refresher):
    on_the_day = _csv(client, auth, professional, LAST_VALID_DAY)
    assert on_the_day[0] == ["Year", "Scheme", "Unit", "Earned", "Training",
                             "Certificate valid until", "Certificate"]
    assert ["2025", "", "", "", "Eerste hulp", "2027-06-02",
            "Valid until 2 June 2027: expires today"] in on_the_day
    assert ["2025", "Permanente vorming verpleegkundigen", "hours", "3", "", "", ""] in on_the_day
    assert not any(row[4] == "Signalen van overbelasting" for row in on_the_day)

    day_after = _csv(client, auth, professional, date(2027, 6, 3))
    assert ["2025", "", "", "", "Eerste hulp", "2027-06-02",
            "Expired: it was valid until 2 June 2027"] in day_after


def _pdf(client, auth, professional, day: date) -> str:
    with signed_in_on(auth, professional, day):
        response = client.get("/account/learning-record.pdf")
    assert response.mimetype == "application/pdf"
    return " ".join(pdf_text(response.data).split())


def test_the_pdf_says_the_same_on_both_sides_of_the_edge(client, auth, professional, refresher):
    assert "Certificate: Valid until 2 June 2027: expires today" in _pdf(
        client, auth, professional, LAST_VALID_DAY)
    assert "Certificate: Expired: it was valid until 2 June 2027" in _pdf(
        client, auth, professional, date(2027, 6, 3))


def test_in_dutch_too(client, auth, make, schemes):
    learner = make.learner(kind=Kind.PROFESSIONAL, language=Language.NL)
    course = make.course(title="Eerste hulp", open_to_professionals=True,
                         certificate_validity_months=24)
    _, enrolment = completed(make, learner, course, date(2025, 6, 2), sessions=1, attended=1)
    signals.enrolment_completed.send(None, enrolment_id=enrolment.id)
    db.session.commit()
    [certificate] = certificates_of(enrolment.id)
    certificate.status, certificate.issued_at = CertificateStatus.ISSUED, timeutil.now()
    db.session.commit()
    html = _page(client, auth, learner, date(2027, 6, 1))
    assert "Attest: <strong>Geldig tot 2 juni 2027: vervalt over 1 dag</strong>" in html
    assert "Vervallen: het was geldig tot 2 juni 2027" in _page(client, auth, learner,
                                                                  date(2027, 6, 3))


def test_a_revoked_certificate_is_not_shown(client, auth, professional, refresher):
    refresher.status = CertificateStatus.REVOKED
    db.session.commit()
    assert "Certificate:" not in _page(client, auth, professional, LAST_VALID_DAY)



@pytest.mark.parametrize(("day", "expired", "days"), [
    (date(2026, 12, 1), False, None),
    (LAST_VALID_DAY, False, 0),
    (date(2027, 6, 3), True, None),
])
def test_the_api_says_the_same(client, professional, refresher, day, expired, days):
    with time_machine.travel(at_noon(day), tick=False):
        body = client.get("/api/v1/me/learning-record", headers=bearer_for(professional)).get_json()
    trainings = {item["title"]: item for year in body["years"] for item in year["trainings"]}
    assert trainings["Eerste hulp"] == {"day": "2025-06-02", "title": "Eerste hulp", "hours": 3,
                                        "valid_until": "2027-06-02", "expired": expired,
                                        "expires_in_days": days}
    assert trainings["Signalen van overbelasting"]["valid_until"] is None
