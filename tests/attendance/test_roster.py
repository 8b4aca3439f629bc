"""The roster: one form post records a session; the audit trail; who may; bad input refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from college.attendance.models import AttendanceChange, AttendanceSource, AttendanceStatus
from college.attendance.recording import record_attendance
from college.errors import Invalid, NotAllowed
from college.extensions import db
from tests.attendance.conftest import add_trainer, attendance_rows, change_count
from tests.conftest import post_form


def roster_url(classroom, index=0) -> str:
    return f"/sessions/{classroom.sessions[index].id}/roster"


def test_roster_lists_seated_learners_only(client, auth, classroom):
    auth.login_as(classroom.trainer)
    response = client.get(roster_url(classroom))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ann Aerts" in page and "Bart Bosmans" in page
    assert "Wim Wachtlijst" not in page and "Sara Stranger" not in page
    assert "Omgaan met dementie" in page and "Zaal 1" in page


def test_everyone_present_prechecks_without_saving(client, auth, classroom):
    auth.login_as(classroom.trainer)
    page = client.get(roster_url(classroom) + "?preset=present").get_data(as_text=True)
    for learner in (classroom.ann, classroom.bart):
        assert f'name="status-{learner.id}" value="present" checked' in page
    assert attendance_rows() == []


def test_one_post_saves_everyone_with_exceptions(client, auth, classroom):
    auth.login_as(classroom.trainer)
    session = classroom.sessions[0]
    response = post_form(client, roster_url(classroom), {
        f"status-{classroom.ann.id}": "present",
        f"status-{classroom.bart.id}": "late",
    })
    assert response.status_code == 302
    assert attendance_rows() == [
        (session.id, classroom.ann.id, "present"),
        (session.id, classroom.bart.id, "late"),
    ]
    assert change_count() == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Attendance saved: 2 changes." in page


def test_save_rest_present_fills_unchosen_learners(client, auth, classroom):
    auth.login_as(classroom.trainer)
    session = classroom.sessions[0]
    response = post_form(client, roster_url(classroom), {
        f"status-{classroom.bart.id}": "absent", "rest": "present",
    })
    assert response.status_code == 302
    assert attendance_rows() == [
        (session.id, classroom.ann.id, "present"),
        (session.id, classroom.bart.id, "absent"),
    ]


def test_correction_is_kept_in_the_history(client, auth, classroom):
    auth.login_as(classroom.trainer)
    url = roster_url(classroom)
    post_form(client, url, {f"status-{classroom.ann.id}": "absent"})
    post_form(client, url, {f"status-{classroom.ann.id}": "late"})
    # Saving the same status again is no change and writes no history.
    post_form(client, url, {f"status-{classroom.ann.id}": "late"})
    changes = db.session.scalars(select(AttendanceChange).order_by(AttendanceChange.id)).all()
    assert [(c.old_status, c.new_status, c.changed_by_id) for c in changes] == [
        (None, AttendanceStatus.ABSENT, classroom.trainer.id),
        (AttendanceStatus.ABSENT, AttendanceStatus.LATE, classroom.trainer.id),
    ]
    page = client.get(f"/sessions/{classroom.sessions[0].id}/history").get_data(as_text=True)
    assert page.count("Ann Aerts") == 2 and "Tine Trainer" in page
    assert "absent" in page and "late" in page and "not recorded" in page


def test_coordinator_of_the_organiser_may_record(client, auth, classroom):
    auth.login_as(classroom.coordinator)
    response = post_form(client, roster_url(classroom), {f"status-{classroom.ann.id}": "excused"})
    assert response.status_code == 302
    assert attendance_rows() == [(classroom.sessions[0].id, classroom.ann.id, "excused")]


@pytest.mark.parametrize("data_for, message", [
    # Someone the organiser never dealt with is shown by the number sent, never by name.
    (lambda c: {f"status-{c.stranger.id}": "present", f"status-{c.ann.id}": "present"},
     lambda c: f"Not enrolled in this edition, so not marked: {c.stranger.id}."),
    (lambda c: {f"status-{c.waiting.id}": "present"}, "Wim Wachtlijst"),
    (lambda c: {f"status-{c.ann.id}": "asleep"}, "Unknown attendance status"),
    (lambda c: {"status-abc": "present"}, "Unknown learner"),
    (lambda c: {}, "Nothing to save"),
])
def test_bad_roster_input_changes_nothing(client, auth, classroom, data_for, message):
    auth.login_as(classroom.trainer)
    response = post_form(client, roster_url(classroom), data_for(classroom))
    assert response.status_code == 422
    message = message(classroom) if callable(message) else message
    assert message in response.get_data(as_text=True)
    assert "Sara Stranger" not in response.get_data(as_text=True)
    assert attendance_rows() == [] and change_count() == 0


def test_trainer_of_another_edition_is_refused(client, auth, classroom, make):
    other_trainer = make.trainer(classroom.organiser)
    add_trainer(make.edition(classroom.course), other_trainer)
    auth.login_as(other_trainer)
    assert client.get(roster_url(classroom)).status_code == 403
    response = post_form(client, roster_url(classroom), {f"status-{classroom.ann.id}": "present"},
                         page="/")
    assert response.status_code == 403
    assert attendance_rows() == []


@pytest.mark.parametrize("who", ["learner", "foreign_coordinator"])
def test_learners_and_other_organisers_cannot_see_the_roster(client, auth, classroom, make, who):
    user = classroom.ann if who == "learner" else make.coordinator(make.organiser())
    auth.login_as(user)
    for suffix in ("roster", "roster.csv", "history", "sign-in-sheet.pdf", "checkin-code"):
        assert client.get(f"/sessions/{classroom.sessions[0].id}/{suffix}").status_code == 403
    assert client.get(f"/editions/{classroom.edition.id}/attendance").status_code == 403


def test_anonymous_is_asked_to_log_in(client, classroom):
    response = client.get(roster_url(classroom))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_unknown_session_is_404(client, auth, classroom):
    auth.login_as(classroom.trainer)
    assert client.get("/sessions/999999/roster").status_code == 404


def test_service_refuses_a_learner_marking_others(classroom):
    with pytest.raises(NotAllowed):
        record_attendance(session_id=classroom.sessions[0].id,
                          records={classroom.bart.id: AttendanceStatus.PRESENT},
                          actor=classroom.ann, source=AttendanceSource.CHECKIN)
    with pytest.raises(NotAllowed):
        record_attendance(session_id=classroom.sessions[0].id,
                          records={classroom.bart.id: AttendanceStatus.PRESENT},
                          actor=classroom.ann, source=AttendanceSource.ROSTER)
    with pytest.raises(Invalid):
        record_attendance(session_id=classroom.sessions[0].id, records={"x": "present"},
                          actor=classroom.trainer)
    assert attendance_rows() == []


def test_roster_flags_a_learner_who_can_no_longer_reach_the_threshold(client, auth, classroom,
                                                                     clock):
    # 75% of 4 sessions is 3: two absences make it unreachable for Bart.
    for session in classroom.sessions[:2]:
        clock.move_to(session.starts_at)
        record_attendance(session_id=session.id,
                          records={classroom.ann.id: "present", classroom.bart.id: "absent"},
                          actor=classroom.trainer)
    auth.login_as(classroom.trainer)
    page = client.get(roster_url(classroom, 1)).get_data(as_text=True)
    assert page.count("can no longer reach it") == 1
    bart_line = page[page.index("Bart Bosmans"):]
    assert "can no longer reach it" in bart_line[:600]
    overview = client.get(f"/editions/{classroom.edition.id}/attendance").get_data(as_text=True)
    assert "can no longer reach the threshold" in overview
    assert "attendance: 0 of 3 sessions attended" in overview


def count_queries(client, url) -> int:
    from sqlalchemy import event

    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_roster_and_overview_load_in_a_fixed_number_of_queries(client, auth, classroom, make):
    auth.login_as(classroom.trainer)
    record_attendance(session_id=classroom.sessions[0].id,
                      records={classroom.ann.id: "present"}, actor=classroom.trainer)
    urls = [roster_url(classroom), f"/editions/{classroom.edition.id}/attendance"]
    few = [count_queries(client, url) for url in urls]
    for _ in range(6):
        learner = make.learner()
        make.enrolment(learner, classroom.edition)
        record_attendance(session_id=classroom.sessions[0].id, records={learner.id: "late"},
                          actor=classroom.trainer)
    assert [count_queries(client, url) for url in urls] == few
    # The roster: the user (1), the session with edition and course (1), its trainers (1),
    # "teaches?" (1), the seated learners (1), their marks (1), the rule with the edition's
    # sessions and quiz (1), the seated enrolments (1), attendance counts (1), the access log (1),
    # who came with respite (1).
    assert few[0] == 11


def test_a_stale_roster_does_not_undo_a_check_in(client, auth, classroom):
    auth.login_as(classroom.trainer)
    url = roster_url(classroom)
    post_form(client, url, {f"status-{classroom.ann.id}": "absent",
                            f"status-{classroom.bart.id}": "absent"})
    page = client.get(url).get_data(as_text=True)  # the trainer's phone shows both absent
    record_attendance(session_id=classroom.sessions[0].id, records={classroom.ann.id: "present"},
                      actor=classroom.ann, source=AttendanceSource.CHECKIN)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(url, data={
        "csrf_token": token,
        f"was-{classroom.ann.id}": "absent", f"status-{classroom.ann.id}": "absent",
        f"was-{classroom.bart.id}": "absent", f"status-{classroom.bart.id}": "excused",
    })
    assert response.status_code == 302
    assert attendance_rows() == [
        (classroom.sessions[0].id, classroom.ann.id, "present"),
        (classroom.sessions[0].id, classroom.bart.id, "excused"),
    ]


def test_saving_an_unchanged_roster_changes_nothing(client, auth, classroom):
    auth.login_as(classroom.trainer)
    url = roster_url(classroom)
    post_form(client, url, {f"status-{classroom.ann.id}": "late"})
    response = post_form(client, url, {f"was-{classroom.ann.id}": "late",
                                       f"status-{classroom.ann.id}": "late"})
    assert response.status_code == 302
    assert "nothing changed" in client.get(url).get_data(as_text=True)
    assert change_count() == 1
