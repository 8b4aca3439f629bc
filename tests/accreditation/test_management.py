"""Schemes and a course's accreditations: coordinators manage them on pages, the API and the CLI,
with the same refusals; the catalogue and the attest show them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from college.accounts.models import Kind
from college.accreditation.models import CourseAccreditation, Scheme
from college.certificates.storage import file_storage
from college.extensions import db
from tests.accreditation.conftest import accredit, completed
from tests.api.conftest import assert_problem, bearer_for
from tests.certificates.helpers import certificates_of, pdf_text
from tests.conftest import Auth, post_form, run_worker


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


#: (fields, status, words of the message) - one table for the page and the API.
SCHEME_CASES = [
    ({"code": "social-workers", "name": "Permanente vorming sociaal werkers"}, 201, None),
    ({"code": "Sociaal Werk!", "name": "Sociaal werk"}, 422, "lower-case letters, digits and dashes"),
    ({"code": "nurses", "name": "Nog eens"}, 409, "A scheme with this code exists already."),
    ({"code": "empty-name", "name": " "}, 422, "This field is required."),
]


def _page_scheme(client, user, fields):
    Auth(client).login_as(user)
    data = {"unit": "hours", "partial_rule": "pro_rata", "number_check": "none", **fields}
    response = post_form(client, "/accreditation/schemes", data, page="/accreditation/schemes")
    return (201 if response.status_code == 302 else response.status_code), response.get_data(as_text=True)


def _api_scheme(client, user, fields):
    response = client.post("/api/v1/accreditation-schemes", json={"unit": "hours", **fields},
                           headers=bearer_for(user))
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("surface", ["page", "api"])
@pytest.mark.parametrize(("fields", "status", "message"), SCHEME_CASES)
def test_coordinators_add_schemes(client, make, schemes, surface, fields, status, message):
    coordinator = make.coordinator(make.organiser())
    before = count(Scheme)
    got, said = (_page_scheme if surface == "page" else _api_scheme)(client, coordinator, fields)
    assert got == status
    if message:
        assert message in said.replace("&#34;", '"')
        assert count(Scheme) == before
    else:
        assert db.session.scalar(select(Scheme.name).where(Scheme.code == fields["code"])) == fields["name"]


def test_learners_cannot_add_schemes(client, make):
    learner = make.learner(kind=Kind.PROFESSIONAL)
    assert_problem(client.post("/api/v1/accreditation-schemes", json={"code": "x", "name": "X"},
                               headers=bearer_for(learner)), 403)
    Auth(client).login_as(learner)
    assert client.get("/accreditation/schemes").status_code == 403
    assert count(Scheme) == 0


def test_cli_seeds_and_adds_schemes(runner):
    assert "riziv" in runner.invoke(args=["college", "seed-schemes"]).output
    assert "Added 0 scheme(s)" in runner.invoke(args=["college", "seed-schemes"]).output
    result = runner.invoke(args=["college", "add-scheme", "--code", "kine", "--name",
                                 "Permanente vorming kinesitherapeuten", "--unit", "hours"])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["college", "add-scheme", "--code", "kine", "--name", "X"])
    # The command line speaks Dutch: "Er bestaat al een accreditatiesysteem met deze code."
    assert refused.exit_code != 0 and "Error:" in refused.output
    assert "kine" in runner.invoke(args=["college", "schemes"]).output
    assert count(Scheme) == 5


ACCREDITATION_CASES = [
    ({"points": "4,5", "number": "PV-1", "rubric": "Communicatie"}, 201, None),
    ({"points": "-1"}, 422, "Enter a number between 0 and 1000."),
    ({"points": "veel"}, 422, "Enter a number."),
]


@pytest.mark.parametrize("surface", ["page", "api"])
@pytest.mark.parametrize(("fields", "status", "message"), ACCREDITATION_CASES)
def test_coordinators_accredit_their_courses(client, make, schemes, surface, fields, status, message):
    hub = make.organiser()
    course = make.course(hub, open_to_professionals=True)
    coordinator = make.coordinator(hub)
    scheme_id = schemes["nurses"].id
    if surface == "page":
        Auth(client).login_as(coordinator)
        url = f"/manage/courses/{course.id}/accreditations"
        response = post_form(client, url, {"scheme_id": scheme_id, **fields}, page=url)
        got, said = (201 if response.status_code == 302 else response.status_code), response.get_data(as_text=True)
    else:
        body = {"scheme_id": scheme_id, **fields}
        try:
            body["points"] = float(body["points"].replace(",", "."))
        except ValueError:
            pass
        response = client.post(f"/api/v1/courses/{course.id}/accreditations", json=body,
                               headers=bearer_for(coordinator))
        got, said = response.status_code, response.get_data(as_text=True)
    if surface == "api" and fields["points"] == "veel":
        assert got == 422  # the API document refuses a string before the service sees it
        assert count(CourseAccreditation) == 0
        return
    assert got == status, said
    if message:
        assert message in said
        assert count(CourseAccreditation) == 0
    else:
        accreditation = db.session.scalar(select(CourseAccreditation))
        assert (accreditation.points, accreditation.number, accreditation.rubric) == (4.5, "PV-1", "Communicatie")


def test_another_organiser_cannot_accredit_or_remove(client, make, schemes):
    course = make.course(open_to_professionals=True)
    accreditation = accredit(course, schemes["nurses"], 4)
    stranger = make.coordinator(make.organiser())
    assert_problem(client.post(f"/api/v1/courses/{course.id}/accreditations",
                               json={"scheme_id": schemes["riziv"].id, "points": 1},
                               headers=bearer_for(stranger)), 403)
    assert_problem(client.delete(f"/api/v1/accreditations/{accreditation.id}",
                                 headers=bearer_for(stranger)), 403)
    Auth(client).login_as(stranger)
    assert client.get(f"/manage/courses/{course.id}/accreditations").status_code == 403
    assert post_form(client, f"/manage/accreditations/{accreditation.id}/remove").status_code == 403
    assert count(CourseAccreditation) == 1


def test_a_scheme_only_once_per_course_and_removing(client, make, schemes):
    hub = make.organiser()
    course = make.course(hub, open_to_professionals=True)
    accreditation = accredit(course, schemes["nurses"], 4)
    coordinator = make.coordinator(hub)
    assert_problem(client.post(f"/api/v1/courses/{course.id}/accreditations",
                               json={"scheme_id": schemes["nurses"].id, "points": 2},
                               headers=bearer_for(coordinator)), 409)
    listed = client.get(f"/api/v1/courses/{course.id}/accreditations").get_json()["items"]
    assert [(item["scheme"]["code"], item["points"]) for item in listed] == [("nurses", 4)]
    Auth(client).login_as(coordinator)
    response = post_form(client, f"/manage/accreditations/{accreditation.id}/remove",
                         page=f"/manage/courses/{course.id}/accreditations")
    assert response.status_code == 302
    assert count(CourseAccreditation) == 0


def test_the_attest_names_each_scheme_with_what_the_learner_earned(app, make, schemes):
    course = make.course(title="Signalen van overbelasting", hours=2, open_to_caregivers=False,
                         open_to_professionals=True)
    accredit(course, schemes["riziv"], 4, number="2026/0173", rubric="Ethiek en economie")
    accredit(course, schemes["nurses"], 4, number="PV-2026-0588")
    learner = make.learner(kind=Kind.PROFESSIONAL, name="Sarah Baert")
    from college.accreditation.services import set_registration_number

    set_registration_number(learner, schemes["riziv"].id, "12345625004")
    db.session.commit()
    _edition, enrolment = completed(make, learner, course, date(2026, 3, 3), sessions=4, attended=3)
    from college import signals

    signals.enrolment_completed.send(None, enrolment_id=enrolment.id)
    db.session.commit()
    run_worker(app)
    [certificate] = certificates_of(enrolment.id)
    text = " ".join(pdf_text(file_storage().get(certificate.storage_key)).split())
    # The RIZIV scheme wants every session (one missed: 0 points); nurses' counts pro rata.
    assert ("RIZIV-accreditering artsen: 0 points, rubric Ethiek en economie, accreditation "
            "number 2026/0173; registration number 1-23456-25-004") in text
    assert "Permanente vorming verpleegkundigen: 3 hours, accreditation number PV-2026-0588" in text
