"""Privacy: data export, deletion, retention, and the log of who saw a learner's data."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import User
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue.models import TrainingSession
from college.certificates.models import Certificate, CertificateStatus, StoredFile
from college.enrolment.models import EnrolmentStatus
from college.extensions import db
from college.jobs import queue
from college.privacy.models import DataExport, ExportStatus, PersonalDataAccess
from tests.conftest import PASSWORD, double_click, post_form, run_worker


def learner_with_history(make):
    organiser = make.organiser(name="Mantelzorghub Leiestreek")
    course = make.course(organiser, title="Omgaan met dementie")
    edition = make.edition(course, sessions=2, starts_on=timeutil.today() - timedelta(days=30))
    learner = make.learner(name="Maria Peeters", email="maria@example.be", phone="0470 12 34 56")
    enrolment = make.enrolment(learner, edition, status=EnrolmentStatus.COMPLETED)
    session = db.session.scalars(select(TrainingSession)).first()
    db.session.add(Attendance(session_id=session.id, learner_id=learner.id,
                              status=AttendanceStatus.PRESENT))
    db.session.add(StoredFile(key="certificates/1.pdf", content_type="application/pdf", size=9,
                              content=b"%PDF-fake"))
    db.session.add(Certificate(enrolment_id=enrolment.id, learner_id=learner.id,
                               edition_id=edition.id, status=CertificateStatus.ISSUED,
                               verification_code="ABCDEFGHJK", storage_key="certificates/1.pdf",
                               issued_at=timeutil.now()))
    db.session.commit()
    return organiser, learner


def test_learner_downloads_all_their_data_built_in_the_background(app, client, auth, make):
    organiser, learner = learner_with_history(make)
    auth.login_as(learner)
    response = post_form(client, "/account/privacy/export", page="/account/privacy")
    assert response.status_code == 303
    assert "being prepared" in client.get("/account/privacy").get_data(as_text=True)
    run_worker(app)
    export = db.session.scalar(select(DataExport))
    assert export.status == ExportStatus.READY
    page = client.get("/account/privacy").get_data(as_text=True)
    assert f"/account/privacy/exports/{export.id}.zip" in page
    download = client.get(f"/account/privacy/exports/{export.id}.zip")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["email"] == "maria@example.be"
    assert data["enrolments"][0]["course"] == "Omgaan met dementie"
    assert data["attendance"][0]["status"] == "present"
    assert data["certificates"][0]["verification_code"] == "ABCDEFGHJK"
    assert archive.read("certificates/ABCDEFGHJK.pdf") == b"%PDF-fake"


def test_another_learner_cannot_download_my_export(app, client, auth, make):
    organiser, learner = learner_with_history(make)
    auth.login_as(learner)
    post_form(client, "/account/privacy/export", page="/account/privacy")
    run_worker(app)
    export_id = db.session.scalar(select(DataExport.id))
    auth.logout()
    auth.login_as(make.learner())
    assert client.get(f"/account/privacy/exports/{export_id}.zip").status_code == 404


def test_second_export_request_while_one_is_queued_is_refused(client, auth, make):
    learner = make.learner()
    auth.login_as(learner)
    post_form(client, "/account/privacy/export", page="/account/privacy")
    response = post_form(client, "/account/privacy/export", page="/account/privacy",
                         follow_redirects=True)
    assert "already being prepared" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DataExport)) == 1


def test_deleting_my_account_removes_personal_data_but_keeps_counts(client, auth, make):
    organiser, learner = learner_with_history(make)
    auth.login_as(learner)
    response = post_form(client, "/account/delete", {"password": PASSWORD, "confirm": "y"},
                         page="/account/privacy")
    assert response.status_code == 302
    user = db.session.get(User, learner.id)
    assert user.email is None and user.name == "—" and user.phone is None
    assert user.password_hash is None and user.anonymised_at is not None
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1
    assert db.session.scalar(select(Certificate.verification_code)) == "ABCDEFGHJK"
    assert "Maria Peeters" not in client.get("/").get_data(as_text=True)
    assert auth.login("maria@example.be").status_code == 401


def test_delete_with_wrong_password_changes_nothing(client, auth, make):
    learner = make.learner(name="Jef Claes")
    auth.login_as(learner)
    response = post_form(client, "/account/delete", {"password": "niet juist", "confirm": "y"},
                         page="/account/privacy")
    assert response.status_code == 422
    assert "password is not correct" in response.get_data(as_text=True)
    assert db.session.get(User, learner.id).name == "Jef Claes"


def test_coordinator_deletes_a_managed_account_of_their_organiser_only(client, auth, make):
    mine, theirs = make.organiser(), make.organiser()
    managed = make.learner(email=None, password=None, name="Mevrouw Gevers",
                           managed_by_organiser_id=mine.id)
    other = make.learner(email=None, password=None, name="Meneer Other",
                         managed_by_organiser_id=theirs.id)
    auth.login_as(make.coordinator(mine))
    response = post_form(client, f"/organisers/{mine.id}/people/{managed.id}/delete",
                         {"confirmed": "yes"})
    assert response.status_code == 302
    assert db.session.get(User, managed.id).anonymised_at is not None
    response = post_form(client, f"/organisers/{theirs.id}/people/{other.id}/delete",
                         {"confirmed": "yes"}, page=f"/organisers/{mine.id}/people")
    assert response.status_code == 403
    assert db.session.get(User, other.id).name == "Meneer Other"


def test_learner_sees_which_coordinator_viewed_their_data(client, auth, make):
    organiser = make.organiser()
    managed = make.learner(email=None, password=None, name="Mevrouw Gevers",
                           managed_by_organiser_id=organiser.id)
    coordinator = make.coordinator(organiser, name="Coördinator Carla")
    auth.login_as(coordinator)
    client.get(f"/organisers/{organiser.id}/people")
    row = db.session.scalar(select(PersonalDataAccess))
    assert (row.viewer_id, row.learner_id, row.context) == (coordinator.id, managed.id, "people")

    learner = make.learner()
    from college.privacy.access import record_access

    record_access(db.session.get(User, coordinator.id), [learner.id], "roster")
    auth.logout()
    auth.login_as(learner)
    page = client.get("/account/privacy").get_data(as_text=True)
    assert "Coördinator Carla" in page and "attendance list" in page


def test_retention_dry_run_lists_then_apply_anonymises(runner, make):
    with time_machine.travel(timeutil.now() - timedelta(days=4 * 365), tick=False):
        old = make.learner(name="Oud Account")
        staff_organiser = make.organiser()
        old_trainer = make.trainer(staff_organiser)
    recent = make.learner(name="Nieuw Account")
    result = runner.invoke(args=["college", "anonymise-inactive", "--years", "3"])
    assert result.exit_code == 0, result.output
    assert "Would anonymise 1 learner(s)" in result.output
    assert db.session.get(User, old.id).anonymised_at is None
    result = runner.invoke(args=["college", "anonymise-inactive", "--years", "3", "--apply"])
    assert "Anonymised 1 learner(s)" in result.output
    db.session.expire_all()
    assert db.session.get(User, old.id).anonymised_at is not None
    assert db.session.get(User, recent.id).anonymised_at is None
    assert db.session.get(User, old_trainer.id).anonymised_at is None


def test_verification_after_deletion_follows_the_organisers_choice(client, auth, make):
    organiser, learner = learner_with_history(make)
    auth.login_as(learner)
    post_form(client, "/account/delete", {"password": PASSWORD, "confirm": "y"},
              page="/account/privacy")
    page = client.get("/verify/ABCDEFGHJK")
    assert page.status_code == 200
    assert "Maria Peeters" not in page.get_data(as_text=True)
    assert "Omgaan met dementie" in page.get_data(as_text=True)
    db.session.get(type(organiser), organiser.id).verify_anonymised_certificates = False
    db.session.commit()
    assert client.get("/verify/ABCDEFGHJK").status_code == 404


def test_a_double_click_on_prepare_my_download_prepares_one(client, auth, make):
    auth.login_as(make.learner())

    answers = double_click(client, "/account/privacy/export", {}, page="/account/privacy")

    # Not "already being prepared" the second time: it was one request for one download.
    assert answers[0] == answers[1] == (
        303, "/account/privacy", ["Your download is being prepared. Reload this page in a moment."]
    )
    assert db.session.scalar(select(func.count()).select_from(DataExport)) == 1
    assert queue("default").count == 1  # one job to build it
