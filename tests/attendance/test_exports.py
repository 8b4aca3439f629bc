"""Paper fallback and spreadsheet: the sign-in sheet PDF and the roster CSV."""

from __future__ import annotations

import io

from pypdf import PdfReader

from college.attendance.recording import record_attendance
from college.enrolment.models import EnrolmentStatus


def test_sign_in_sheet_lists_course_date_room_trainer_and_learners(client, auth, classroom, make):
    make.enrolment(make.learner(name="Chris Completed"), classroom.edition,
                   status=EnrolmentStatus.COMPLETED)
    auth.login_as(classroom.trainer)
    session = classroom.sessions[0]
    response = client.get(f"/sessions/{session.id}/sign-in-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("Omgaan met dementie", "Zaal 1", "Tine Trainer", "Ann Aerts",
                     "Bart Bosmans", "Chris Completed", "Signature",
                     str(session.starts_at.astimezone().year)):
        assert expected in text
    assert "Wim Wachtlijst" not in text and "Sara Stranger" not in text


def test_roster_csv_opens_in_excel(client, auth, classroom):
    session = classroom.sessions[0]
    record_attendance(session_id=session.id, records={classroom.ann.id: "late"},
                      actor=classroom.trainer)
    auth.login_as(classroom.trainer)
    response = client.get(f"/sessions/{session.id}/roster.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Learner;Email address;Status")
    assert lines[1].startswith(f"Ann Aerts;{classroom.ann.email};late;roster;")
    assert lines[2].startswith(f"Bart Bosmans;{classroom.bart.email};;")
    assert len(lines) == 3


def test_trainer_finds_the_session_from_their_list(client, auth, classroom, make):
    other_course = make.course(make.organiser(), title="Tillen en verplaatsen")
    make.edition(other_course)
    auth.login_as(classroom.trainer)
    page = client.get("/teaching").get_data(as_text=True)
    assert "Omgaan met dementie" in page and "Tillen en verplaatsen" not in page
    assert f"/sessions/{classroom.sessions[0].id}/roster" in page
    assert "My sessions" in client.get("/").get_data(as_text=True)


def test_edition_csv_has_a_column_per_session(client, auth, classroom, clock):
    first, second = classroom.sessions[:2]
    record_attendance(session_id=first.id, records={classroom.ann.id: "present",
                                                    classroom.bart.id: "absent"},
                      actor=classroom.trainer)
    clock.move_to(second.starts_at)
    record_attendance(session_id=second.id, records={classroom.ann.id: "excused"},
                      actor=classroom.trainer)
    auth.login_as(classroom.coordinator)
    response = client.get(f"/editions/{classroom.edition.id}/attendance.csv")
    assert response.status_code == 200
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0].count(";") == 2 + 4 + 4
    assert lines[1].startswith(f"Ann Aerts;{classroom.ann.email};present;excused;;;1;1;33;no;")
    assert lines[2].startswith(f"Bart Bosmans;{classroom.bart.email};absent;;;;0;0;0;no;")
    assert "attendance: 0 of 3 sessions attended" in lines[2]
    auth.logout()
    auth.login_as(classroom.ann)
    assert client.get(f"/editions/{classroom.edition.id}/attendance.csv").status_code == 403
