"""The organiser's dashboard counts respite per course, with the minimum group of five."""

from __future__ import annotations

from college.attendance.models import Attendance, AttendanceStatus
from college.dashboards.services import parse_period
from college.extensions import db
from college.respite import services
from college.respite.figures import respite_figures


def _cohort(world, make, with_respite: int, arranged: int, without: int) -> None:
    for number in range(with_respite + without):
        learner = make.learner(name=f"Deelnemer {number}")
        enrolment = make.enrolment(learner, world.edition)
        present = AttendanceStatus.PRESENT if number % 2 == 0 else AttendanceStatus.ABSENT
        db.session.add(Attendance(session_id=world.sessions[0].id, learner_id=learner.id,
                                  status=present))
        if number < with_respite:
            request = services.request_respite(
                enrolment_id=enrolment.id, actor=learner, kind="day_centre",
                municipality_id=world.gent.id, consent=True)
            state = "arranged" if number < arranged else "not_possible"
            services.change_sessions(request_id=request.id, actor=world.coordinator, changes=[
                {"session_id": world.sessions[0].id, "state": state,
                 **({"partner_id": world.partner.id, "helper_first_name": "Greet"}
                    if state == "arranged" else {})}])
    db.session.commit()


def _period(world):
    day = world.edition.starts_on.isoformat()
    return parse_period(day, day)


def test_requests_arranged_not_possible_and_attendance_with_and_without(world, make):
    _cohort(world, make, with_respite=6, arranged=5, without=5)
    course, total = respite_figures(world.hub.id, _period(world))
    assert course.course == "Omgaan met dementie"
    assert (course.requests, course.arranged) == (6, 5)
    assert course.not_possible is None  # one person: withheld
    assert course.attendance_with == 50.0 and course.attendance_without == 60.0
    assert (total.requests, total.arranged, total.not_possible) == (6, 5, None)


def test_small_groups_say_nothing(world, make):
    _cohort(world, make, with_respite=4, arranged=4, without=5)
    course, _total = respite_figures(world.hub.id, _period(world))
    assert (course.requests, course.arranged, course.attendance_with) == (None, None, None)
    assert course.attendance_without == 60.0


def test_the_dashboard_page_and_its_csv_show_respite(client, auth, world, make):
    _cohort(world, make, with_respite=5, arranged=5, without=5)
    auth.login_as(world.coordinator)
    day = world.edition.starts_on.isoformat()
    page = client.get(f"/organisers/{world.hub.id}/dashboard?start={day}&end={day}")
    text = page.get_data(as_text=True)
    assert "Respite requests" in text and "Attendance with respite, in percent" in text
    csv = client.get(f"/organisers/{world.hub.id}/dashboard/respite.csv?start={day}&end={day}")
    assert csv.status_code == 200
    assert "Omgaan met dementie" in csv.get_data(as_text=True)
    pdf = client.get(f"/organisers/{world.hub.id}/dashboard/report.pdf?start={day}&end={day}")
    assert pdf.status_code == 200
