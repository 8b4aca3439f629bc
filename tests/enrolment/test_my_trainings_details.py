"""'My trainings' says where to go, what to bring and whom to call (issue 16, item 12)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from college.catalogue.models import Edition
from college.enrolment.models import EnrolmentStatus
from college.extensions import db
from tests.conftest import post_form


def _card(client, enrolment_id: int):
    page = BeautifulSoup(client.get("/my/trainings").get_data(as_text=True), "html.parser")
    return page.find(attrs={"aria-labelledby": f"enrolment-{enrolment_id}-title"})


def test_each_enrolment_links_its_course_calendar_map_what_to_bring_and_contact(client, auth, make):
    hub = make.organiser("Mantelzorghub Gent", contact_phone="09 266 12 34",
                         contact_email="academie@gent.be", contact_address="Botermarkt 1, 9000 Gent",
                         contact_hours="weekdays 9-12")
    course = make.course(hub, title="Tillen en verplaatsen")
    edition = make.edition(course, sessions=2, venue="Dienstencentrum De Vlinder",
                           address="Vlinderstraat 12", place="9000 Gent",
                           what_to_bring="Comfortable shoes and your identity card")
    learner = make.learner()
    enrolment = make.enrolment(learner, edition, EnrolmentStatus.ENROLLED)
    auth.login_as(learner)
    card = _card(client, enrolment.id)
    assert card is not None
    hrefs = [a["href"] for a in card.find_all("a")]
    assert f"/courses/{course.id}#edition-{edition.id}" in hrefs
    assert f"/editions/{edition.id}.ics" in hrefs
    assert client.get(f"/editions/{edition.id}.ics").mimetype == "text/calendar"
    text = " ".join(card.get_text(" ").split())
    assert "Dienstencentrum De Vlinder, Vlinderstraat 12, 9000 Gent" in text
    maps = [h for h in hrefs if h.startswith("https://www.openstreetmap.org/search")]
    assert maps and parse_qs(urlsplit(maps[0]).query)["query"] == ["Vlinderstraat 12, 9000 Gent"]
    assert "Comfortable shoes and your identity card" in text
    assert "tel:092661234" in hrefs and "mailto:academie@gent.be" in hrefs
    assert "Botermarkt 1, 9000 Gent" in text and "weekdays 9-12" in text


def test_the_page_itself_asks_nothing_of_another_site(client, auth, make):
    """A map link is a link: no map tiles, scripts or images load from elsewhere."""
    edition = make.edition(address="Vlinderstraat 12", place="Gent")
    learner = make.learner()
    make.enrolment(learner, edition, EnrolmentStatus.ENROLLED)
    auth.login_as(learner)
    page = BeautifulSoup(client.get("/my/trainings").get_data(as_text=True), "html.parser")
    loaded = [tag.get("src") or tag.get("href") for tag in page.find_all(["img", "script", "iframe", "link"])]
    assert all(not (url or "").startswith(("http://", "https://", "//")) for url in loaded)


def test_an_edition_without_address_or_contact_shows_no_empty_labels(client, auth, make):
    edition = make.edition(venue="", address="", place="Gent")
    learner = make.learner()
    enrolment = make.enrolment(learner, edition, EnrolmentStatus.ENROLLED)
    auth.login_as(learner)
    card = _card(client, enrolment.id)
    text = card.get_text(" ")
    assert "What to bring" not in text and "Questions? Contact" not in text
    assert "Show on a map" in text  # the town alone is enough for a map


def test_coordinator_sets_what_to_bring_on_the_edition(client, auth, make):
    hub = make.organiser()
    edition = make.edition(make.course(hub))
    auth.login_as(make.coordinator(hub))
    response = post_form(client, f"/manage/editions/{edition.id}/edit", {
        "venue": edition.venue, "place": edition.place, "what_to_bring": "Een boterham",
        "starts_on": edition.starts_on.isoformat(), "ends_on": edition.ends_on.isoformat(),
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Edition, edition.id).what_to_bring == "Een boterham"
