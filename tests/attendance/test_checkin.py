"""Self check-in: a rotating code and QR code during the session, and every way it says no."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from college import timeutil
from college.attendance import codes
from college.attendance.models import Attendance, AttendanceChange, AttendanceSource
from college.catalogue.models import TrainingSession
from college.extensions import db
from tests.attendance.conftest import attendance_rows, change_count
from tests.conftest import post_form

_SHOWN_CODE = re.compile(r'class="checkin-code"[^>]*><span[^>]*>[^<]*</span>(\d{3}) (\d{3})<')


def show_code(client, auth, classroom, session) -> str:
    """Log in as the trainer, read the code on the check-in screen, log out."""
    auth.login_as(classroom.trainer)
    response = client.get(f"/sessions/{session.id}/checkin-code")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<svg" in page and 'src="/static/refresh.js"' in page  # renews without meta refresh
    # A strict CSP must not break it: no style attributes, no inline script.
    assert "style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "http://localhost/checkin and type the code" in page
    code = "".join(_SHOWN_CODE.search(page).groups())
    auth.logout()
    return code


def current_code(session) -> str:
    """The code of that session at this (fake) moment."""
    session = db.session.get(TrainingSession, session.id)
    return codes.current_code(session, timeutil.now())


def test_typed_code_marks_the_learner_present(client, auth, classroom):
    session = classroom.sessions[0]
    with time_machine.travel(session.starts_at - timedelta(minutes=10), tick=False):
        code = show_code(client, auth, classroom, session)
        auth.login_as(classroom.ann)
        response = post_form(client, "/checkin", {"code": f"{code[:3]} {code[3:]}"})
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are checked in" in page
    row = db.session.scalar(select(Attendance))
    assert (row.session_id, row.learner_id, row.status.value, row.source) == (
        session.id, classroom.ann.id, "present", AttendanceSource.CHECKIN)
    change = db.session.scalar(select(AttendanceChange))
    assert change.changed_by_id == classroom.ann.id and change.old_status is None


def test_qr_link_prefills_the_code_and_one_tap_checks_in(client, auth, classroom):
    session = classroom.sessions[0]
    with time_machine.travel(session.starts_at + timedelta(minutes=5), tick=False):
        code = show_code(client, auth, classroom, session)
        auth.login_as(classroom.bart)
        url = f"/checkin/{session.id}?code={code}"
        page = client.get(url).get_data(as_text=True)
        assert f'value="{code}"' in page
        assert attendance_rows() == []  # looking is not checking in
        response = post_form(client, url, {"code": code})
    assert response.status_code == 302
    assert attendance_rows() == [(session.id, classroom.bart.id, "present")]


def test_qr_link_sends_a_logged_out_learner_to_login_and_back(client, classroom):
    response = client.get(f"/checkin/{classroom.sessions[0].id}?code=123456")
    assert response.status_code == 302
    assert "/login?next=/checkin/" in response.headers["Location"]


def test_previous_minute_code_is_accepted_older_is_not(client, auth, classroom):
    session = classroom.sessions[0]
    start = session.starts_at.replace(second=5)
    with time_machine.travel(start, tick=False):
        code = show_code(client, auth, classroom, session)
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        auth.login_as(classroom.ann)
        assert post_form(client, "/checkin", {"code": code}).status_code == 302
    with time_machine.travel(start + timedelta(seconds=120), tick=False):
        auth.logout()
        auth.login_as(classroom.bart)
        response = post_form(client, "/checkin", {"code": code})
    assert response.status_code == 422
    assert "wrong or has expired" in response.get_data(as_text=True)
    assert attendance_rows() == [(session.id, classroom.ann.id, "present")]


def test_wrong_code_is_refused(client, auth, classroom):
    session = classroom.sessions[0]
    with time_machine.travel(session.starts_at, tick=False):
        code = show_code(client, auth, classroom, session)
        wrong = str((int(code) + 1) % 1_000_000).zfill(6)
        auth.login_as(classroom.ann)
        for url in ("/checkin", f"/checkin/{session.id}"):
            response = post_form(client, url, {"code": wrong})
            assert response.status_code == 422
            assert "wrong or has expired" in response.get_data(as_text=True)
        response = post_form(client, "/checkin", {"code": "12"})
        assert response.status_code == 422
        assert "Type the 6 digits" in response.get_data(as_text=True)
    assert attendance_rows() == [] and change_count() == 0


def test_too_many_wrong_codes_stop_guessing(client, auth, classroom):
    session = classroom.sessions[0]
    with time_machine.travel(session.starts_at, tick=False):
        code = show_code(client, auth, classroom, session)
        auth.login_as(classroom.ann)
        wrong_codes = [f"{guess:06d}" for guess in range(11) if f"{guess:06d}" != code][:10]
        for wrong in wrong_codes:
            assert post_form(client, "/checkin", {"code": wrong}).status_code == 422
        response = post_form(client, "/checkin", {"code": code})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Too many wrong codes" in page, re.findall(r"<li>.*?</li>", page)
    assert attendance_rows() == []


def test_second_check_in_is_refused(client, auth, classroom):
    session = classroom.sessions[0]
    with time_machine.travel(session.starts_at, tick=False):
        code = show_code(client, auth, classroom, session)
        auth.login_as(classroom.ann)
        assert post_form(client, "/checkin", {"code": code}).status_code == 302
        response = post_form(client, "/checkin", {"code": code})
    assert response.status_code == 409
    assert "already checked in" in response.get_data(as_text=True)
    assert change_count() == 1


def test_learner_marked_absent_by_mistake_can_still_check_in(client, auth, classroom):
    from college.attendance.recording import record_attendance

    session = classroom.sessions[0]
    with time_machine.travel(session.starts_at + timedelta(minutes=20), tick=False):
        record_attendance(session_id=session.id, records={classroom.ann.id: "absent"},
                          actor=classroom.trainer)
        code = show_code(client, auth, classroom, session)
        auth.login_as(classroom.ann)
        assert post_form(client, "/checkin", {"code": code}).status_code == 302
    assert attendance_rows() == [(session.id, classroom.ann.id, "present")]


def test_learner_of_another_edition_cannot_check_in(client, auth, classroom, make):
    other_edition = make.edition(classroom.course)
    make.enrolment(classroom.stranger, other_edition)
    session = classroom.sessions[0]
    with time_machine.travel(session.starts_at, tick=False):
        code = show_code(client, auth, classroom, session)
        auth.login_as(classroom.stranger)
        for url in ("/checkin", f"/checkin/{session.id}"):
            response = post_form(client, url, {"code": code})
            assert response.status_code == 403
            assert "not enrolled in this course edition" in response.get_data(as_text=True)
    assert attendance_rows() == []


def test_check_in_outside_the_window_is_refused(client, auth, classroom):
    first, second = classroom.sessions[:2]
    with time_machine.travel(first.starts_at - timedelta(minutes=31), tick=False):
        auth.login_as(classroom.trainer)
        response = client.get(f"/sessions/{first.id}/checkin-code")
        assert response.status_code == 409
        assert "Check-in opens at" in response.get_data(as_text=True)
        auth.logout()
        auth.login_as(classroom.ann)
        response = post_form(client, f"/checkin/{first.id}", {"code": "123456"})
        assert response.status_code == 409 and "opens at" in response.get_data(as_text=True)
        auth.logout()
    with time_machine.travel(first.starts_at, tick=False):
        code_first = show_code(client, auth, classroom, first)
        auth.login_as(classroom.ann)
        # The next session is a week away: a future session takes no check-in.
        response = post_form(client, f"/checkin/{second.id}", {"code": current_code(second)})
        assert response.status_code == 409 and "opens at" in response.get_data(as_text=True)
    with time_machine.travel(first.ends_at + timedelta(minutes=1), tick=False):
        # Two hours later a login may have timed out: log in afresh.
        auth.logout()
        auth.login_as(classroom.ann)
        response = post_form(client, f"/checkin/{first.id}", {"code": current_code(first)})
        assert response.status_code == 409 and "has ended" in response.get_data(as_text=True)
        # A typed code of an ended session matches no open session.
        response = post_form(client, "/checkin", {"code": code_first})
        assert response.status_code == 422
    assert attendance_rows() == [] and change_count() == 0


def test_checkin_screen_closes_after_the_session(client, auth, classroom):
    session = classroom.sessions[0]
    with time_machine.travel(session.ends_at + timedelta(seconds=1), tick=False):
        auth.login_as(classroom.trainer)
        response = client.get(f"/sessions/{session.id}/checkin-code")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "check-in is closed" in page and "<svg" not in page


def test_shown_code_is_the_hmac_of_the_current_minute_and_rotates(client, auth, classroom):
    session = classroom.sessions[0]
    with time_machine.travel(session.starts_at, tick=False):
        code = show_code(client, auth, classroom, session)
    secret = db.session.get(TrainingSession, session.id).checkin_secret
    window = codes.window_of(session.starts_at)
    assert code == codes.code_for(secret, session.id, window)
    with time_machine.travel(session.starts_at + timedelta(seconds=60), tick=False):
        assert show_code(client, auth, classroom, session) == codes.code_for(
            secret, session.id, window + 1)
