"""The list a professional body asks for, per edition and scheme: CSV with registration numbers,
points and dates; who lacks a number first; only the organiser's coordinators."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from college.accreditation.services import set_registration_number
from college.enrolment.models import EnrolmentStatus
from college.extensions import db
from college.privacy.models import PersonalDataAccess
from tests.accreditation.conftest import accredit, completed
from tests.api.conftest import assert_problem, bearer_for
from tests.conftest import Auth


@pytest.fixture()
def world(make, schemes, professional):
    hub = make.organiser()
    course = make.course(hub, title="Mantelzorgers herkennen", hours=4, open_to_professionals=True)
    accredit(course, schemes["riziv"], 4, number="2026/0173", rubric="Ethiek en economie")
    accredit(course, schemes["nurses"], 4, number="PV-2026-0412")
    edition, _ = completed(make, professional, course, date(2026, 3, 3), sessions=2, attended=2)
    physician = make.learner(kind=professional.kind, name="Sarah Baert")
    make.enrolment(physician, edition, status=EnrolmentStatus.COMPLETED)
    dropped = make.learner(kind=professional.kind, name="Tom Vandenberghe")
    make.enrolment(dropped, edition)
    set_registration_number(physician, schemes["riziv"].id, "1-23456-25-004")
    set_registration_number(professional, schemes["nurses"].id, "PV 77")
    db.session.commit()
    return {"hub": hub, "course": course, "edition": edition, "coordinator": make.coordinator(hub),
            "physician": physician}


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_the_csv_has_numbers_points_and_dates(client, world, schemes):
    Auth(client).login_as(world["coordinator"])
    edition = world["edition"]
    response = client.get(f"/manage/editions/{edition.id}/accreditation/{schemes['riziv'].id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _rows(response)
    assert rows[0][:7] == ["Scheme", "Accreditation number", "Course", "Dates", "Name", "Email",
                           "Registration number"]
    by_name = {row[4]: row for row in rows[1:]}
    assert set(by_name) == {"An De Vos", "Sarah Baert", "Tom Vandenberghe"}
    assert by_name["An De Vos"][7:] == ["2", "2", "yes", "4"]
    # The physician completed but attended no session: the RIZIV scheme asks for all of them.
    assert by_name["Sarah Baert"][6:] == ["1-23456-25-004", "0", "2", "yes", "0"]
    assert by_name["Tom Vandenberghe"][9:] == ["no", "0"]
    assert by_name["Sarah Baert"][:4] == ["RIZIV-accreditering artsen", "2026/0173",
                                          "Mantelzorgers herkennen", "2026-03-03, 2026-03-10"]


def test_the_page_lists_who_lacks_a_number_per_scheme(client, world, schemes):
    Auth(client).login_as(world["coordinator"])
    html = client.get(f"/manage/editions/{world['edition'].id}/accreditation").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    sections = {section.h2.get_text(strip=True): section for section in soup.select("section.card")}
    riziv = sections["RIZIV-accreditering artsen"].select(".missing-numbers li")
    nurses = sections["Permanente vorming verpleegkundigen"].select(".missing-numbers li")
    assert [item.get_text(" ", strip=True).split(" (")[0] for item in riziv] == ["An De Vos"]
    assert [item.get_text(" ", strip=True).split(" (")[0] for item in nurses] == ["Sarah Baert"]
    # Tom did not complete: the body credits him nothing, so his missing number is no problem.
    assert "Tom Vandenberghe" not in html
    # The coordinator saw the learners' numbers: the access log says so.
    viewed = set(db.session.scalars(select(PersonalDataAccess.learner_id).where(
        PersonalDataAccess.context == "accreditation")))
    assert world["physician"].id in viewed


def test_the_api_list_agrees(client, world, schemes):
    url = f"/api/v1/editions/{world['edition'].id}/accreditation-lists/{schemes['riziv'].id}"
    body = client.get(url, headers=bearer_for(world["coordinator"])).get_json()
    assert body["dates"] == ["2026-03-03", "2026-03-10"]
    assert body["accreditation"]["number"] == "2026/0173"
    rows = {row["name"]: row for row in body["rows"]}
    assert rows["Sarah Baert"]["registration_number"] == "1-23456-25-004"
    assert rows["An De Vos"]["points"] == 4
    assert body["missing"] == [rows["An De Vos"]["user_id"]]


def test_a_scheme_the_course_is_not_accredited_in_is_404(client, world):
    from college.accreditation.services import add_scheme

    other = add_scheme(None, "pharmacists", "Permanente vorming apothekers")
    db.session.commit()
    Auth(client).login_as(world["coordinator"])
    assert client.get(f"/manage/editions/{world['edition'].id}/accreditation/{other.id}.csv").status_code == 404
    assert_problem(client.get(f"/api/v1/editions/{world['edition'].id}/accreditation-lists/{other.id}",
                              headers=bearer_for(world["coordinator"])), 404)


@pytest.mark.parametrize("who", ["learner", "other_coordinator"])
def test_learners_and_other_organisers_cannot_export(client, make, world, schemes, professional, who):
    user = professional if who == "learner" else make.coordinator(make.organiser())
    edition = world["edition"]
    Auth(client).login_as(user)
    assert client.get(f"/manage/editions/{edition.id}/accreditation").status_code == 403
    assert client.get(f"/manage/editions/{edition.id}/accreditation/{schemes['riziv'].id}.csv").status_code == 403
    assert_problem(client.get(f"/api/v1/editions/{edition.id}/accreditation-lists/{schemes['riziv'].id}",
                              headers=bearer_for(user)), 403)
    assert db.session.scalar(select(PersonalDataAccess.id)) is None


def test_the_page_takes_a_fixed_number_of_queries(client, make, world, schemes, professional):
    from tests.conftest import counted_queries

    Auth(client).login_as(world["coordinator"])
    url = f"/manage/editions/{world['edition'].id}/accreditation"
    with counted_queries() as few:
        client.get(url)
    for number in range(6):
        learner = make.learner(kind=professional.kind, name=f"Deelnemer {number}")
        make.enrolment(learner, world["edition"], status=EnrolmentStatus.COMPLETED)
        set_registration_number(learner, schemes["riziv"].id, "1-23456-25-004")
    db.session.commit()
    with counted_queries() as many:
        assert client.get(url).get_data(as_text=True).count("Deelnemer") == 6  # no nurses' number
    assert len(few) == len(many)
