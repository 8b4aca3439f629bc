"""Walk-ins: a trainer enrols someone who came to the session and marks them present."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college.accounts.models import Kind, User
from college.catalogue.models import Edition
from college.enrolment.models import Enrolment, EnrolmentStatus, Notification
from college.extensions import db
from tests.attendance.conftest import attendance_rows
from tests.conftest import double_click, post_form, shown_form


def walk_in(client, classroom, **data):
    session = classroom.sessions[0]
    return post_form(client, f"/sessions/{session.id}/walk-in", data,
                     page=f"/sessions/{session.id}/roster")


def seats_taken(edition_id: int) -> int:
    return db.session.get(Edition, edition_id).seats_taken


def test_trainer_enrols_a_walk_in_without_email_and_marks_them_present(client, auth, classroom):
    auth.login_as(classroom.trainer)
    response = walk_in(client, classroom, name="Mevrouw Gevers", kind="caregiver")
    assert response.status_code == 302
    newcomer = db.session.scalar(select(User).where(User.name == "Mevrouw Gevers"))
    assert newcomer.email is None and newcomer.kind == Kind.CAREGIVER
    assert newcomer.managed_by_organiser_id == classroom.organiser.id
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == newcomer.id))
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.enrolled_by_id == classroom.trainer.id
    assert (classroom.sessions[0].id, newcomer.id, "present") in attendance_rows()
    assert seats_taken(classroom.edition.id) == 3
    page = client.get(f"/sessions/{classroom.sessions[0].id}/roster").get_data(as_text=True)
    assert "Mevrouw Gevers" in page


def test_walk_in_with_an_account_is_found_by_email(client, auth, classroom):
    auth.login_as(classroom.trainer)
    response = walk_in(client, classroom, email=classroom.stranger.email.upper())
    assert response.status_code == 302
    assert (classroom.sessions[0].id, classroom.stranger.id, "present") in attendance_rows()
    # The organiser never dealt with her: her confirmation says who enrolled her, and where.
    body = db.session.scalar(select(Notification.body).where(
        Notification.user_id == classroom.stranger.id, Notification.kind == "enrolled"))
    assert f"Tine Trainer of {classroom.organiser.name} enrolled you" in body


def test_walk_in_finds_nobody_by_a_staff_address(client, auth, classroom):
    auth.login_as(classroom.trainer)
    response = walk_in(client, classroom, email=classroom.coordinator.email)
    assert response.status_code == 404
    assert "No learner with this email address" in response.get_data(as_text=True)
    assert attendance_rows() == []


def test_walk_in_counts_against_capacity(client, auth, classroom):
    db.session.get(Edition, classroom.edition.id).capacity = 2  # Ann and Bart hold both seats
    db.session.commit()
    auth.login_as(classroom.trainer)
    users_before = db.session.scalar(select(func.count()).select_from(User))
    response = walk_in(client, classroom, name="Te Laat", kind="caregiver")
    assert response.status_code == 409
    assert "no seat for a walk-in" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before
    assert seats_taken(classroom.edition.id) == 2
    assert attendance_rows() == []


def test_walk_in_bad_input_changes_nothing(client, auth, classroom):
    auth.login_as(classroom.trainer)
    for data, status, message in (
        ({"email": "nobody@example.be"}, 404, "No learner with this email address"),
        ({"name": ""}, 422, "Enter the name"),
        ({"name": "X", "kind": "doctor"}, 422, "Choose caregiver or professional"),
    ):
        response = walk_in(client, classroom, **data)
        assert response.status_code == status
        assert message in response.get_data(as_text=True)
    assert attendance_rows() == []
    assert seats_taken(classroom.edition.id) == 2


def test_only_the_editions_trainers_admit_walk_ins(client, auth, classroom, make):
    auth.login_as(make.trainer(classroom.organiser))
    response = walk_in(client, classroom, name="Iemand", kind="caregiver")
    assert response.status_code == 403
    assert attendance_rows() == []


def test_a_double_click_on_walk_in_enrols_and_marks_present_once(client, auth, classroom):
    auth.login_as(classroom.trainer)
    session = classroom.sessions[0]
    roster = f"/sessions/{session.id}/roster"

    answers = double_click(client, f"/sessions/{session.id}/walk-in",
                           {"name": "Mevrouw Gevers", "kind": "caregiver"}, page=roster)

    assert answers[0] == answers[1] == (
        302, roster, ["Mevrouw Gevers is enrolled and marked present."]
    )
    newcomers = db.session.scalars(select(User.id).where(User.name == "Mevrouw Gevers")).all()
    assert len(newcomers) == 1
    assert (session.id, newcomers[0], "present") in attendance_rows()
    assert seats_taken(classroom.edition.id) == 3


def test_a_refused_walk_in_keeps_its_token_and_the_roster_offers_a_new_one(client, auth, classroom):
    db.session.get(Edition, classroom.edition.id).capacity = 2  # no free seat
    db.session.commit()
    auth.login_as(classroom.trainer)
    session = classroom.sessions[0]
    url, roster = f"/sessions/{session.id}/walk-in", f"/sessions/{session.id}/roster"
    shown = shown_form(client, roster, url)

    refused = client.post(url, data={**shown, "name": "Te Laat", "kind": "caregiver"})

    assert refused.status_code == 409
    kept = BeautifulSoup(refused.get_data(as_text=True), "html.parser").find(
        "form", action=url).find("input", attrs={"name": "once_token"})["value"]
    assert kept == shown["once_token"]
    assert shown_form(client, roster, url)["once_token"] != shown["once_token"]
