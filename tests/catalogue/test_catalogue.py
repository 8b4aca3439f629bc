"""The catalogue per track: landing, filters, accent-blind search, visibility, query counts."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import time, timedelta

import pytest
from sqlalchemy import event

from college import timeutil
from college.accounts.models import Kind
from college.accreditation.services import add_accreditation, add_scheme
from college.extensions import db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture()
def two_tracks(make):
    hub = make.organiser("Mantelzorghub Gent", municipality="Gent")
    caregivers = make.course(hub, title="Omgaan met dementie", open_to_caregivers=True,
                             open_to_professionals=False)
    professionals = make.course(hub, title="Mantelzorgers herkennen en doorverwijzen",
                                open_to_caregivers=False, open_to_professionals=True,
                                hours=3)
    nurses = add_scheme(None, "nurses", "Permanente vorming verpleegkundigen")
    add_accreditation(None, professionals, nurses.id, 2.5, number="PV-1", rubric="Communicatie")
    db.session.commit()
    return caregivers, professionals


def test_anonymous_visitor_sees_the_caregivers_track(client, two_tracks):
    html = page(client, "/courses")
    assert "Omgaan met dementie" in html
    assert "herkennen en doorverwijzen" not in html


def test_professional_lands_on_their_track_and_sees_points(client, make, auth, two_tracks):
    auth.login_as(make.learner(kind=Kind.PROFESSIONAL))
    html = page(client, "/courses")
    assert "herkennen en doorverwijzen" in html
    assert "Omgaan met dementie" not in html
    # English reader: a decimal point.
    assert "Accreditation: Permanente vorming verpleegkundigen" in html
    assert "2.5 points, Communicatie (number PV-1)" in " ".join(html.split())


def test_caregiver_lands_on_theirs_and_can_switch(client, make, auth, two_tracks):
    auth.login_as(make.learner(kind=Kind.CAREGIVER))
    assert "Omgaan met dementie" in page(client, "/courses")
    switched = page(client, "/courses?track=professionals")
    assert "herkennen en doorverwijzen" in switched and "Omgaan met dementie" not in switched


def test_course_open_to_both_shows_on_both_tracks(client, make):
    make.course(title="Samen zorgen", open_to_caregivers=True, open_to_professionals=True)
    assert "Samen zorgen" in page(client, "/courses?track=caregivers")
    assert "Samen zorgen" in page(client, "/opleidingen?track=professionals")


def test_course_card_shows_organiser_hours_and_upcoming_editions(client, make):
    hub = make.organiser("Zorgzame buurt Aalst", municipality="Aalst")
    course = make.course(hub, title="Tillen en verplaatsen", summary="Veilig helpen opstaan.",
                         hours=4.5)
    make.edition(course, place="Erembodegem", capacity=12)
    full = make.edition(course, place="Nieuwerkerken", capacity=1)
    make.enrolment(make.learner(), full)
    make.edition(course, place="Vroeger", starts_on=timeutil.today() - timedelta(days=30),
                 ends_on=timeutil.today() - timedelta(days=29))
    html = page(client, "/courses")
    assert "Veilig helpen opstaan." in html
    assert "Zorgzame buurt Aalst (Aalst)" in html
    assert "4.5" in html  # English reader: a decimal point
    assert "Erembodegem" in html and "12 seats left" in html
    assert "Nieuwerkerken" in html and "Full: you can join the waiting list" in html
    assert "Vroeger" not in html


def test_unpublished_courses_are_invisible(client, make, auth):
    hub = make.organiser()
    draft = make.course(hub, title="Nog in voorbereiding", published=False)
    assert "Nog in voorbereiding" not in page(client, "/courses")
    assert client.get(f"/courses/{draft.id}").status_code == 404
    auth.login_as(make.learner())
    assert client.get(f"/courses/{draft.id}").status_code == 404
    auth.logout()
    auth.login_as(make.coordinator(make.organiser()))
    assert client.get(f"/courses/{draft.id}").status_code == 404
    auth.logout()
    auth.login_as(make.coordinator(hub))
    assert "Not published" in page(client, f"/courses/{draft.id}")


def test_unknown_course_is_404(client):
    assert client.get("/courses/4242").status_code == 404


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("zorg", True),
        ("ZORG", True),
        ("coordinator", True),
        ("coördinator", True),
        ("Coördinatie", False),
        ("zorg coordinator", True),
        ("zorg dementie", False),
        ("naïef", True),
        ("naief", True),
        ("100%", False),
        ("_", False),
    ],
)
def test_search_ignores_case_and_accents(client, make, query, found):
    make.course(title="Zorg voor jezelf", summary="Met de coördinator van de hub.",
                description="Wees niet naief.")
    html = page(client, "/courses?q=" + query)
    assert ("Zorg voor jezelf" in html) is found


def test_search_text_follows_edits(client, make):
    course = make.course(title="Respijtzorg")
    course.title = "Vakantie voor mantelzorgers"
    db.session.commit()
    assert "Vakantie voor mantelzorgers" in page(client, "/courses?q=vakantie")
    assert "Vakantie" not in page(client, "/courses?q=respijt")


def test_filters_by_organiser_municipality_place_and_month(client, make):
    gent = make.organiser("Mantelzorghub Gent", municipality="Gent")
    aalst = make.organiser("Zorgzame buurt Aalst", municipality="Aalst")
    in_gent = make.course(gent, title="Grenzen stellen")
    in_aalst = make.course(aalst, title="Respijtzorg: wat bestaat er?")
    next_month = (timeutil.today().replace(day=1) + timedelta(days=40)).replace(day=10)
    later = (next_month + timedelta(days=62)).replace(day=10)
    make.edition(in_gent, place="Ledeberg", starts_on=next_month, ends_on=next_month)
    make.edition(in_aalst, place="Hofstade", starts_on=later, ends_on=later)

    html = page(client, f"/courses?organiser={gent.id}")
    assert "Grenzen stellen" in html and "Respijtzorg" not in html
    html = page(client, "/courses?municipality=Aalst")
    assert "Respijtzorg" in html and "Grenzen stellen" not in html
    html = page(client, "/courses?place=hofstade")
    assert "Respijtzorg" in html and "Grenzen stellen" not in html
    html = page(client, f"/courses?month={next_month:%Y-%m}")
    assert "Grenzen stellen" in html and "Respijtzorg" not in html
    # Mistyped filters are ignored, not an error.
    html = page(client, "/courses?month=soon&organiser=abc&track=pets")
    assert "Grenzen stellen" in html and "Respijtzorg" in html


def test_course_page_lists_editions_with_sessions(client, make):
    hub = make.organiser()
    trainer = make.trainer(hub, name="Els Vermeulen")
    course = make.course(hub, title="Omgaan met dementie", description="Lange uitleg.")
    edition = make.edition(course, place="Gentbrugge", venue="Lokaal dienstencentrum",
                           trainers=[trainer], sessions=2, capacity=8,
                           enrolment_closes_at=timeutil.brussels(timeutil.today() + timedelta(days=10),
                                                                 time(18, 30)))
    html = page(client, f"/courses/{course.id}")
    assert "Lange uitleg." in html
    assert "Gentbrugge" in html and "Lokaal dienstencentrum" in html
    assert "Els Vermeulen" in html and "8 seats left" in html
    assert html.count("14:00") == 2
    assert f"/editions/{edition.id}.ics" in html
    assert "Enrolment closes" in html and "18:30" in html


@contextmanager
def counting_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _data_set(make, editions: int, sessions: int, courses: int = 1):
    hub = make.organiser()
    trainers = [make.trainer(hub) for _ in range(2)]
    made = []
    for _ in range(courses):
        course = make.course(hub, open_to_caregivers=True)
        for _ in range(editions):
            edition = make.edition(course, sessions=sessions, trainers=trainers)
            make.enrolment(make.learner(), edition)
        made.append(course)
    return made


def test_course_page_and_catalogue_use_a_fixed_number_of_queries(client, make, auth):
    auth.login_as(make.learner())
    small_url = f"/courses/{_data_set(make, editions=1, sessions=1)[0].id}"
    with counting_queries() as small_page:
        page(client, small_url)
    with counting_queries() as small_catalogue:
        page(client, "/courses")

    large_url = f"/courses/{_data_set(make, editions=6, sessions=5, courses=8)[0].id}"
    with counting_queries() as large_page:
        html = page(client, large_url)
    with counting_queries() as large_catalogue:
        listing = page(client, "/courses")
    assert html.count('class="card edition"') == 6
    assert listing.count('class="card course-card"') == 9
    assert len(small_page) == len(large_page)
    assert len(small_catalogue) == len(large_catalogue)
    # The course page: login, course, editions, sessions, trainers (and their memberships),
    # accreditations, the learner's enrolments, whether enrolling asks anything.
    assert len(large_page) <= 9 and len(large_catalogue) <= 6
