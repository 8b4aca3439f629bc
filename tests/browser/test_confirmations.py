"""What cannot be undone is confirmed first, on a page that says what will happen (issue 16)."""

from __future__ import annotations

from sqlalchemy import select

from college.accounts.models import User
from college.enrolment.models import Enrolment, EnrolmentStatus
from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.browser.test_journeys import fresh
from tests.conftest import PASSWORD


def test_a_caregiver_gives_up_a_waiting_list_place_after_reading_what_it_means(pages, make):
    edition = make.edition(make.course(make.organiser(), title="Omgaan met dementie"), capacity=1)
    make.enrolment(make.learner(), edition)
    learner = make.learner(name="Rita Peeters")
    place = make.enrolment(learner, edition, EnrolmentStatus.WAITLISTED)

    page = pages.open(viewport=PHONE, language="en")
    log_in(page, learner.email, PASSWORD)
    page.goto("/my/trainings")
    with page.expect_navigation():
        page.click("main a:has-text('Leave the waiting list')")
    main = page.locator("main").inner_text()
    assert page.locator("h1").inner_text() == "Leave the waiting list?"
    assert "You are number 1 on the waiting list." in main
    assert "If you join again later, you join at the end of the list." in main
    assert fresh(select(Enrolment.status).where(Enrolment.id == place.id)) == [
        EnrolmentStatus.WAITLISTED]
    with page.expect_navigation():
        page.click("main button:has-text('Yes, leave the waiting list')")
    assert "The enrolment is cancelled." in page.locator("main").inner_text()
    assert fresh(select(Enrolment.status).where(Enrolment.id == place.id)) == [
        EnrolmentStatus.CANCELLED]
    assert page.problems == []


def test_a_coordinator_deletes_a_managed_account_only_after_the_confirmation(pages, make):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    managed = make.learner(email=None, password=None, name="Maurice Van Wassenhove",
                           phone="09 386 12 34", managed_by_organiser_id=organiser.id)

    page = pages.open(viewport=DESKTOP, language="en")
    log_in(page, coordinator.email, PASSWORD)
    page.goto(f"/organisers/{organiser.id}/people")
    with page.expect_navigation():
        page.click("main a:has-text('Delete Maurice Van Wassenhove')")
    main = page.locator("main").inner_text()
    assert "removes the name, phone number and note of Maurice Van Wassenhove" in main
    assert "This cannot be undone." in main
    with page.expect_navigation():
        page.click("main a:has-text('No, go back')")
    assert fresh(select(User.anonymised_at).where(User.id == managed.id)) == [None]
    with page.expect_navigation():
        page.click("main a:has-text('Delete Maurice Van Wassenhove')")
    with page.expect_navigation():
        page.click("main button:has-text('Yes, delete Maurice Van Wassenhove')")
    assert "The account and its personal data have been deleted." in page.locator("main").inner_text()
    assert fresh(select(User.phone).where(User.id == managed.id)) == [None]
    assert page.problems == []
