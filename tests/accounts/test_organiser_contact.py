"""An organiser's contact details and the help page (issue 16, item 16): set on the settings page
or through the API, shown on its course pages' footer, in confirmations and on "My trainings"."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import select

from college.accounts.models import Language, Organiser
from college.enrolment.models import EnrolmentStatus, Notification
from college.extensions import db
from tests.api.conftest import assert_problem, bearer_for
from tests.conftest import post_form

CONTACT = {"contact_phone": "09 266 12 34", "contact_email": "Academie@Gent.be",
           "contact_address": "Botermarkt 1, 9000 Gent", "contact_hours": "weekdays 9-12"}


def _contact(organiser_id: int) -> tuple[str, str, str, str]:
    db.session.expire_all()
    hub = db.session.get(Organiser, organiser_id)
    return hub.contact_phone, hub.contact_email, hub.contact_address, hub.contact_hours


def test_coordinator_sets_contact_details_on_the_settings_page(client, auth, make):
    hub = make.organiser()
    auth.login_as(make.coordinator(hub))
    response = post_form(client, f"/organisers/{hub.id}/settings",
                         {"waitlist_closes_hours_before": "0", **CONTACT})
    assert response.status_code == 302
    assert _contact(hub.id) == ("09 266 12 34", "academie@gent.be", "Botermarkt 1, 9000 Gent",
                                "weekdays 9-12")


def test_a_bad_phone_number_or_email_is_refused_and_nothing_changes(client, auth, make):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    auth.login_as(coordinator)
    response = post_form(client, f"/organisers/{hub.id}/settings",
                         {"waitlist_closes_hours_before": "0", **CONTACT, "contact_phone": "bel me"})
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert response.status_code == 422
    assert page.find(id="contact_phone")["aria-invalid"] == "true"
    assert "Enter a phone number in digits" in page.get_text()
    body = assert_problem(client.patch(f"/api/v1/organisers/{hub.id}", headers=bearer_for(coordinator),
                                       json={"contact_email": "geen-adres"}), 422)
    assert "valid email address" in body["errors"]["contact_email"][0]
    assert _contact(hub.id) == ("", "", "", "")


def test_the_api_reads_and_changes_the_contact_details(client, make):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    response = client.patch(f"/api/v1/organisers/{hub.id}", headers=bearer_for(coordinator),
                            json=CONTACT)
    assert response.status_code == 200
    assert response.get_json()["contact_email"] == "academie@gent.be"
    assert client.get(f"/api/v1/organisers/{hub.id}",
                      headers=bearer_for(coordinator)).get_json()["contact_hours"] == "weekdays 9-12"


def test_a_course_page_shows_its_organisers_contact_in_the_footer(client, make):
    hub = make.organiser("Mantelzorghub Gent", **{**CONTACT, "contact_email": "academie@gent.be"})
    course = make.course(hub)
    page = BeautifulSoup(client.get(f"/courses/{course.id}").get_data(as_text=True), "html.parser")
    footer = page.find("footer")
    hrefs = [a["href"] for a in footer.find_all("a")]
    assert "tel:092661234" in hrefs and "mailto:academie@gent.be" in hrefs
    assert "Questions? Contact Mantelzorghub Gent" in footer.get_text()
    assert "weekdays 9-12" in footer.get_text()


def test_the_confirmation_mail_says_what_to_bring_and_whom_to_call(client, auth, make):
    hub = make.organiser("Mantelzorghub Gent", contact_phone="09 266 12 34")
    edition = make.edition(make.course(hub), what_to_bring="Comfortable shoes")
    learner = make.learner()
    auth.login_as(learner)
    assert post_form(client, f"/editions/{edition.id}/enrol", page="/my/trainings").status_code == 302
    body = db.session.scalar(select(Notification.body).where(Notification.user_id == learner.id))
    assert "What to bring: Comfortable shoes" in body
    assert "Questions? Contact Mantelzorghub Gent: 09 266 12 34" in body
    assert body.rstrip().endswith("Caregivers College")  # above the signature


def test_every_footer_links_the_help_page_which_answers_three_questions(client, make):
    for path in ("/", "/courses", "/privacy"):
        footer = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser").find("footer")
        assert "/help" in [a["href"] for a in footer.find_all("a")], path
    page = BeautifulSoup(client.get("/help").get_data(as_text=True), "html.parser")
    questions = [h2.get_text(strip=True) for h2 in page.find("main").find_all("h2")]
    assert questions == ["How do I enrol someone else?", "What if I cannot come?",
                         "Where is my attest?"]


def test_the_help_page_speaks_dutch_to_a_dutch_learner(client, auth, make):
    auth.login_as(make.learner(language=Language.NL))
    page = BeautifulSoup(client.get("/help").get_data(as_text=True), "html.parser")
    questions = [h2.get_text(strip=True) for h2 in page.find("main").find_all("h2")]
    assert questions == ["Hoe schrijf ik iemand anders in?", "Wat als ik niet kan komen?",
                         "Waar vind ik mijn attest?"]


def test_my_trainings_shows_the_contact_of_each_organiser(client, auth, make):
    hub = make.organiser("Zorgzame buurt Ledeberg", contact_email="buurt@ledeberg.be")
    learner = make.learner()
    make.enrolment(learner, make.edition(make.course(hub)), EnrolmentStatus.WAITLISTED,
                   waitlist_position=1)
    auth.login_as(learner)
    page = client.get("/my/trainings").get_data(as_text=True)
    assert 'href="mailto:buurt@ledeberg.be"' in page
