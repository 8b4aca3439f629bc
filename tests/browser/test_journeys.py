"""The four journeys of issue 9, in Chromium against the served College and a real RQ worker.

Each journey clicks through the pages as a person would; the `pages` fixture saves a
screenshot of every open page when a journey fails (test-artifacts/).
"""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

from pypdf import PdfReader
from sqlalchemy import select

from college import signals, timeutil
from college.accounts.confirmation import make_confirmation_token
from college.accounts.models import Kind, User
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import TrainingSession, edition_trainer
from college.certificates.models import Certificate, CertificateStatus
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from college.learning import attempts, modules, quiz_authoring
from college.learning.models import QuestionKind
from college.learning.quiz_authoring import ChoiceInput
from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.conftest import PASSWORD


def fresh(statement):
    """Rows as the database has them now (the served app and the worker wrote them)."""
    db.session.commit()  # end the test's read transaction: see other connections' commits
    db.session.expire_all()
    return db.session.scalars(statement).all()


def reload_until(page, text: str, seconds: float = 60) -> None:
    """Reload the page until it shows `text` (a certificate the worker is still rendering)."""
    deadline = time.monotonic() + seconds
    while text not in page.locator("main").inner_text():
        assert time.monotonic() < deadline, f"{page.url} never showed {text!r}"
        time.sleep(0.5)
        page.reload()


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF."""
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def test_caregiver_registers_on_a_phone_finds_a_training_nearby_enrols_and_subscribes(pages, make):
    organiser = make.organiser("Mantelzorghub Waasland", contact_phone="03 777 12 34",
                               contact_hours="weekdagen van 9 tot 12 uur")
    far = make.course(organiser, title="Rugsparend tillen")
    make.edition(far, place="Brugge", sessions=1)
    near = make.course(organiser, title="Omgaan met dementie thuis")
    make.edition(near, place="Lokeren", venue="Dienstencentrum Ter Beke", address="Kerkstraat 5",
                 what_to_bring="Iets om te schrijven", sessions=2)

    page = pages.open(viewport=PHONE, language="en")
    page.goto("/register")
    page.check("input[name=kind][value=caregiver]")
    page.fill("#name", "Maria Peeters")
    page.fill("#email", "maria.peeters@example.be")
    page.fill("#password", "een lange zin als wachtwoord")
    page.check("#consent")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "We sent a link to maria.peeters@example.be" in page.locator("main").inner_text()
    # She opens the link the worker mailed her (made here as the mail job makes it).
    [maria] = fresh(select(User).where(User.email == "maria.peeters@example.be"))
    page.goto(f"/account/confirm/{make_confirmation_token(maria, maria.email)}")
    with page.expect_navigation():
        page.click("main button:has-text('Yes, confirm my address')")
    assert "Welcome, Maria Peeters" in page.locator("main").inner_text()

    page.goto("/courses")
    page.select_option("#place", "Lokeren")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    listing = page.locator("main").inner_text()
    assert "Omgaan met dementie thuis" in listing and "Rugsparend tillen" not in listing
    with page.expect_navigation():
        page.click("text=Omgaan met dementie thuis")
    with page.expect_navigation():
        page.click("main button:has-text('Enrol')")
    assert "You are enrolled" in page.locator("main").inner_text()

    page.goto("/account/calendar")
    with page.expect_navigation():
        page.click("main button:has-text('Make my calendar address')")
    # The address is built on PUBLIC_BASE_URL; the served test app answers its path.
    feed = page.request.get(urlsplit(page.input_value("#feed-url")).path)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    calendar = feed.text()
    assert calendar.count("BEGIN:VEVENT") == 2
    assert "Omgaan met dementie thuis" in calendar and "Rugsparend tillen" not in calendar
    first = fresh(select(TrainingSession).join(TrainingSession.edition)
                  .where(TrainingSession.edition.has(course_id=near.id))
                  .order_by(TrainingSession.starts_at))[0]
    starts = timeutil.local(first.starts_at)
    assert f"DTSTART;TZID=Europe/Brussels:{starts:%Y%m%dT%H%M%S}" in calendar

    # "Cancel my enrolment" asks first and says what happens; she keeps her seat.
    page.goto("/my/trainings")
    with page.expect_navigation():
        page.click("main a:has-text('Cancel my enrolment')")
    assert page.locator("h1").inner_text() == "Cancel your enrolment?"
    assert "your seat goes to the next person on the waiting list" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.click("main a:has-text('No, keep it')")
    assert urlsplit(page.url).path == "/my/trainings"
    assert [e.status for e in fresh(select(Enrolment).join(Enrolment.learner)
                                    .where(User.email == "maria.peeters@example.be"))] == [
        EnrolmentStatus.ENROLLED]

    # "My trainings" says where, what to bring and whom to ask, with a map and a calendar file.
    training = page.locator("main").inner_text()
    assert "Kerkstraat 5" in training and "Iets om te schrijven" in training
    assert "Questions? Contact Mantelzorghub Waasland" in training and "03 777 12 34" in training
    map_link = page.locator("main a:has-text('Show on a map')").get_attribute("href")
    assert map_link.startswith("https://www.openstreetmap.org/search?query=") and "Lokeren" in map_link
    ics = page.request.get(page.locator("main a:has-text('Add to my calendar')").get_attribute("href"))
    assert ics.status == 200 and ics.text().count("BEGIN:VEVENT") == 2

    # The help page, from the footer of every page.
    with page.expect_navigation():
        page.click("footer a:has-text('Help: questions and answers')")
    assert "What if I cannot come?" in page.locator("main").inner_text()

    # She adds her phone number and moves to another address, confirmed at that address.
    page.goto("/account")
    page.fill("#phone", "0470 12 34 56")
    page.fill("#email", "maria.p@example.be")
    page.fill("#current_password", "een lange zin als wachtwoord")
    with page.expect_navigation():
        page.click("main button:has-text('Save my details')")
    assert "Your new email address waits for its link" in page.locator("main").inner_text()
    [maria] = fresh(select(User).where(User.id == maria.id))
    assert (maria.phone, maria.email) == ("0470 12 34 56", "maria.peeters@example.be")
    page.goto(f"/account/confirm/{make_confirmation_token(maria, 'maria.p@example.be')}")
    with page.expect_navigation():
        page.click("main button:has-text('Yes, confirm my address')")
    assert fresh(select(User.email).where(User.id == maria.id)) == ["maria.p@example.be"]
    assert page.problems == []


def test_trainer_records_attendance_on_a_phone_with_everyone_present_and_two_exceptions(
    pages, make
):
    organiser = make.organiser()
    trainer = make.trainer(organiser, name="Tine Trainer")
    course = make.course(organiser, title="Zorgen voor jezelf")
    edition = make.edition(course, starts_on=timeutil.today())
    db.session.execute(edition_trainer.insert().values(edition_id=edition.id, user_id=trainer.id))
    db.session.commit()
    learners = {name: make.learner(name=name) for name in ("Ann", "Bart", "Chris", "Dina")}
    for learner in learners.values():
        make.enrolment(learner, edition)
    # The trainer is in the room: the session has just begun.
    session = make.session(edition, starts_at=timeutil.now() - timedelta(minutes=5))

    page = pages.open(viewport=PHONE, language="en")
    log_in(page, trainer.email, PASSWORD)
    # Through the phone's folded menu to "My sessions", where the roster is the big button.
    page.click(".site-header summary")
    with page.expect_navigation():
        page.click(".nav-menu a:has-text('My sessions')")
    with page.expect_navigation():
        page.click(f".roster-buttons a[href='/sessions/{session.id}/roster']")
    with page.expect_navigation():
        page.click("main a:has-text('Everyone present')")
    page.click(f"label[for=status-{learners['Bart'].id}-late]")
    page.click(f"label[for=status-{learners['Dina'].id}-absent]")
    with page.expect_navigation():
        page.click("main button:has-text('Save attendance')")
    assert page.locator(".error-summary").count() == 0

    recorded = {
        row.learner_id: row.status
        for row in fresh(select(Attendance).where(Attendance.session_id == session.id))
    }
    assert recorded == {
        learners["Ann"].id: AttendanceStatus.PRESENT,
        learners["Bart"].id: AttendanceStatus.LATE,
        learners["Chris"].id: AttendanceStatus.PRESENT,
        learners["Dina"].id: AttendanceStatus.ABSENT,
    }
    assert page.problems == []


def test_professional_reads_modules_passes_the_quiz_and_downloads_the_certificate(
    pages, make, rq_worker
):
    organiser = make.organiser("Mantelzorghub Gent")
    trainer = make.trainer(organiser)
    course = make.course(
        organiser, title="Palliatieve zorg thuis", open_to_caregivers=False,
        open_to_professionals=True, modules_required=True, min_attendance_pct=0, quiz_pass_pct=70,
    )
    edition = make.edition(course)
    for title in ("Wat is palliatieve zorg?", "Praten over het levenseinde"):
        modules.create_module(trainer, course.id, title=title, minutes=5,
                              body_markdown=f"Over **{title.lower()}**.")
    quiz_authoring.save_quiz_settings(trainer, course.id, pass_pct=70)
    quiz_authoring.save_question(trainer, course.id, text="Wie beslist over de zorg?",
                                 kind=QuestionKind.SINGLE,
                                 choices=[ChoiceInput("De patiënt zelf", True),
                                          ChoiceInput("Altijd de huisarts", False)])
    quiz_authoring.save_question(trainer, course.id, text="Palliatieve zorg is enkel voor de laatste dag.",
                                 kind=QuestionKind.TRUE_FALSE,
                                 choices=[ChoiceInput("Juist", False), ChoiceInput("Fout", True)])
    nurse = make.learner(kind=Kind.PROFESSIONAL, name="An Verpleegkundige",
                         profession="Thuisverpleegkundige",
                         registration_number="RIZIV-1-23456-78-901")
    make.enrolment(nurse, edition)

    page = pages.open(viewport=PHONE, language="en")
    log_in(page, nurse.email, PASSWORD)
    page.goto(f"/courses/{course.id}/learning")
    with page.expect_navigation():
        page.click("main a:has-text('Wat is palliatieve zorg?')")
    assert "palliatieve zorg" in page.locator("main").inner_text()
    for _ in range(2):
        with page.expect_navigation():
            page.click("main button:has-text('Mark as done')")
        if page.locator("main a:has-text('Praten over het levenseinde →')").count():
            with page.expect_navigation():
                page.click("main a:has-text('Praten over het levenseinde →')")

    page.goto(f"/courses/{course.id}/learning")
    with page.expect_navigation():
        page.click("main button:has-text('Start the quiz')")
    # One question per screen.
    assert page.locator("h1").inner_text() == "Question 1 of 2"
    assert page.locator(".question-text").count() == 1
    page.click("label:has-text('De patiënt zelf')")
    with page.expect_navigation():
        page.click("main button:has-text('Next')")
    assert page.locator("h1").inner_text() == "Question 2 of 2"
    page.click("label:has-text('Fout')")
    with page.expect_navigation():
        page.click("main button:has-text('Check and hand in')")
    with page.expect_navigation():
        page.click("main button:has-text('Hand in')")
    assert "passed" in page.locator("main").inner_text().lower()
    # The score reads as people say it, not "1.0 of 1".
    assert re.fullmatch(r"[0-2] of 2 correct · score \d+%", page.locator(".result-score").inner_text())

    page.goto("/certificates")
    reload_until(page, "Download certificate (PDF)")
    link = page.locator("main a:has-text('Download certificate (PDF)')").get_attribute("href")
    download = page.request.get(link)
    assert download.status == 200
    assert download.headers["content-type"] == "application/pdf"
    certificate = fresh(select(Certificate).where(Certificate.learner_id == nurse.id))[0]
    assert certificate.status == CertificateStatus.ISSUED
    text = pdf_text(download.body())
    for expected in ("An Verpleegkundige", "Palliatieve zorg thuis",
                     certificate.verification_code):
        assert expected in text, f"{expected!r} missing from the certificate"
    assert page.problems == []


def test_coordinator_enrols_a_caregiver_who_phoned_then_revokes_and_reissues(
    pages, make, rq_worker
):
    organiser = make.organiser("Mantelzorghub Aalst")
    coordinator = make.coordinator(organiser, name="Els Coördinator")
    course = make.course(organiser, title="Rouw en verlies")
    edition = make.edition(course, sessions=1)

    page = pages.open(viewport=DESKTOP, language="en")
    log_in(page, coordinator.email, PASSWORD)
    page.goto(f"/organisers/{organiser.id}/people/new")
    page.fill("#name", "Rosa Telefoon")
    page.check("input[name=roles][value=learner]")
    page.check("input[name=kind][value=caregiver]")
    page.fill("#phone", "09 321 54 76")
    page.fill("#note", "Belt liefst 's morgens")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    rosa = fresh(select(User).where(User.name == "Rosa Telefoon"))[0]
    assert rosa.email is None

    page.goto(f"/editions/{edition.id}/enrolments")
    page.select_option("#managed_learner", label="Rosa Telefoon")
    with page.expect_navigation():
        page.click("main button:has-text('Enrol this person')")
    assert "Rosa Telefoon" in page.locator("main table").inner_text()
    enrolment = fresh(select(Enrolment).where(Enrolment.learner_id == rosa.id))[0]
    assert enrolment.status == EnrolmentStatus.ENROLLED

    # Rosa has no email: "To phone" gives her number to tap, the note and what to tell her.
    page.goto(f"/organisers/{organiser.id}/to-phone")
    call = page.locator("main a:has-text('Call 09 321 54 76')")
    assert call.get_attribute("href").startswith("tel:")
    card = page.locator("main article", has_text="Rosa Telefoon").inner_text()
    assert "Belt liefst 's morgens" in card and "What to tell them" in card
    with page.expect_navigation():
        page.locator("main article", has_text="Rosa Telefoon").locator(
            "button:has-text('Done: passed on by phone')").click()
    assert "Rosa Telefoon" not in page.locator("main").inner_text()

    # Later: Rosa completed the training (the completion engine reports it), the worker renders.
    enrolment.status = EnrolmentStatus.COMPLETED
    signals.enrolment_completed.send(None, enrolment_id=enrolment.id)
    db.session.commit()
    page.goto(f"/editions/{edition.id}/certificates")
    reload_until(page, "Download")  # only an issued certificate offers it
    old = fresh(select(Certificate).where(Certificate.enrolment_id == enrolment.id))[0]

    with page.expect_navigation():
        page.click("main a:has-text('Revoke')")
    page.fill("#reason", "Verkeerde naam op het getuigschrift")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    with page.expect_navigation():
        page.click("main a:has-text('Reissue')")
    page.fill("#reason", "Naam verbeterd")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    reload_until(page, "Download")  # the revoked one offers none: this is the new one

    certificates = fresh(select(Certificate).where(Certificate.enrolment_id == enrolment.id)
                         .order_by(Certificate.id))
    assert [c.status for c in certificates] == [CertificateStatus.REVOKED, CertificateStatus.ISSUED]
    new = certificates[1]
    assert old.id == certificates[0].id and new.replaces_id == old.id

    page.goto(f"/verify/{old.verification_code}")
    assert "This certificate has been revoked" in page.locator("main").inner_text()
    # Someone with the paper attest types its code on /verify.
    page.goto("/verify")
    page.fill("#code", new.verification_code)
    with page.expect_navigation():
        page.click("main button:has-text('Verify')")
    assert "This certificate is valid" in page.locator("main").inner_text()
    assert page.problems == []


def test_quiz_time_limit_is_announced_politely_and_warns_before_it_runs_out(pages, make):
    organiser = make.organiser()
    trainer = make.trainer(organiser)
    course = make.course(organiser, title="Valpreventie")
    edition = make.edition(course)
    learner = make.learner()
    make.enrolment(learner, edition)
    quiz_authoring.save_quiz_settings(trainer, course.id, pass_pct=50, time_limit_minutes=10)
    quiz_authoring.save_question(trainer, course.id, text="Waar vallen ouderen het vaakst?",
                                 kind=QuestionKind.SINGLE,
                                 choices=[ChoiceInput("Thuis", True), ChoiceInput("Buiten", False)])
    attempt = attempts.start_attempt(learner, course.id)
    db.session.commit()  # the live server reads it from another connection

    # Without JavaScript the deadline is plain text.
    plain = pages.open(viewport=PHONE, language="en", javascript=False)
    log_in(plain, learner.email, PASSWORD)
    plain.goto(f"/quiz/attempts/{attempt.id}/questions/1")
    local = timeutil.local(attempt.deadline)
    shown = plain.locator(".quiz-timer").inner_text()
    assert "Hand in before" in shown
    assert f"{local.hour}:{local.minute:02d}" in shown or f"{local:%-I:%M}" in shown
    assert plain.locator("#quiz-time-left").inner_text() == ""

    page = pages.open(viewport=PHONE, language="en")
    page.clock.install()
    log_in(page, learner.email, PASSWORD)
    page.goto(f"/quiz/attempts/{attempt.id}/questions/1")
    region = page.locator("#quiz-time-left")
    assert region.get_attribute("aria-live") == "polite"
    assert region.inner_text() == "About 10 minutes left."
    page.clock.run_for(timedelta(minutes=3, seconds=30).seconds * 1000)
    assert region.inner_text() == "About 7 minutes left."
    assert "quiz-timer-warning" not in page.locator("#quiz-timer").get_attribute("class")
    page.clock.run_for(timedelta(minutes=3).seconds * 1000)
    assert region.inner_text() == "Only 4 minutes left: hand in your answers soon."
    assert "quiz-timer-warning" in page.locator("#quiz-timer").get_attribute("class")
    page.clock.run_for(timedelta(minutes=3, seconds=15).seconds * 1000)
    assert region.inner_text() == "Less than a minute left: hand in your answers now."
    page.clock.run_for(timedelta(minutes=1).seconds * 1000)
    assert region.inner_text().startswith("The time is up.")
    assert page.problems == []


def test_caregiver_asks_respite_on_a_phone_the_coordinator_asks_a_partner_who_confirms(
        pages, make):
    """Issue 18: respite asked while enrolling, arranged by the hub through a partner's link."""
    from college.regions.models import Municipality
    from college.respite import links
    from college.respite.models import RespitePartner, RespiteRequest

    organiser = make.organiser("Mantelzorghub Deinze")
    coordinator = make.coordinator(organiser, name="Els Coördinator")
    caregiver = make.learner(name="Maria Peeters")
    course = make.course(organiser, title="Omgaan met dementie", offers_respite=True)
    edition = make.edition(course, sessions=2)
    deinze = Municipality(nis_code="44083", name="Deinze", postcodes="9800")
    db.session.add(deinze)
    db.session.commit()
    partner = RespitePartner(organiser_id=organiser.id, name="Oppasdienst Samana",
                             email="oppas@example.be", kinds="company personal_care")
    db.session.add(partner)
    db.session.commit()

    page = pages.open(viewport=PHONE, language="en")
    log_in(page, caregiver.email, PASSWORD)
    page.goto(f"/editions/{edition.id}/enrol")
    page.check("#respite")
    page.check("input[name=respite_kind][value=company]")
    page.select_option("#respite_municipality_id", label="Deinze")
    page.fill("#respite_address", "Kerkstraat 12, 9800 Deinze")
    page.fill("#respite_mobility", "Stapt met een rollator")
    page.check("#respite_consent")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    request = fresh(select(RespiteRequest))[0]
    assert request.address == "Kerkstraat 12, 9800 Deinze"
    page.goto("/my/trainings")
    assert "Respite during the training" in page.locator("main").inner_text()

    desk = pages.open(viewport=DESKTOP, language="en")
    log_in(desk, coordinator.email, PASSWORD)
    desk.goto(f"/editions/{edition.id}/respite")
    assert "Still needed for 2 sessions." in desk.locator("main").inner_text()
    with desk.expect_navigation():
        desk.click("main button:has-text('Ask partner')")

    partner_page = pages.open(viewport=PHONE, language="en")
    partner_page.goto(f"/respite/answer/{links.make_token(request.id, partner.id)}")
    text = partner_page.locator("main").inner_text()
    assert "Kerkstraat 12" in text and "Maria" not in text
    partner_page.fill("#helper_first_name", "Greet")
    with partner_page.expect_navigation():
        partner_page.click("main button:has-text('Yes, we come')")
    assert "Confirmed" in partner_page.locator("main").inner_text()

    page.goto("/my/trainings")
    mine = page.locator("main").inner_text()
    assert "arranged" in mine and "Oppasdienst Samana" in mine and "Greet" in mine
    assert page.problems == [] and desk.problems == [] and partner_page.problems == []
