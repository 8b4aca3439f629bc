"""The trainer's dashboard takes "attended enough", "modules done", "quiz passed" and "can no
longer reach the threshold" from the completion rule, and its reading is logged by the service."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup
from sqlalchemy import select

from college.attendance.models import Attendance, AttendanceStatus
from college.completion.rules import completion_checks
from college.completion.services import refresh_completion
from college.enrolment.models import EnrolmentStatus
from college.extensions import db
from college.learning.models import Module
from college.privacy.models import PersonalDataAccess
from tests.dashboards.cohort import at

P, E, A = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT


def _edition_with_marks(make, marks_by_name: dict[str, tuple], organiser=None, **course_fields):
    organiser = organiser or make.organiser()
    trainer = make.trainer(organiser)
    course = make.course(organiser, min_attendance_pct=75, **course_fields)
    days = [date(2025, 3, 3), date(2025, 3, 10)]
    edition = make.edition(course, trainers=[trainer], starts_on=days[0], ends_on=days[-1])
    sessions = [make.session(edition, starts_at=at(day)) for day in days]
    learners = {}
    for name, marks in marks_by_name.items():
        learner = make.learner(name=name)
        make.enrolment(learner, edition)
        for session, mark in zip(sessions, marks, strict=True):
            db.session.add(Attendance(session_id=session.id, learner_id=learner.id, status=mark))
        learners[name] = learner
    db.session.commit()
    refresh_completion(edition.id)  # the engine judges the marks, as after a roster is saved
    db.session.commit()
    return trainer, course, edition, learners


def _dashboard(client, auth, trainer, edition) -> BeautifulSoup:
    auth.login_as(trainer)
    response = client.get(f"/editions/{edition.id}/dashboard")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _funnel(soup) -> dict[str, int]:
    table = soup.find("caption", string="Learners at each step towards the certificate")
    return {tr.select("td")[0].get_text(strip=True): int(tr.select("td")[1].get_text())
            for tr in table.find_parent("table").select("tbody tr")}


def _flags(soup) -> dict[str, str]:
    return {tr.th.contents[0].strip(): tr.th.get_text(" ", strip=True)
            for tr in soup.select("table.grid tbody tr")}


def test_excused_for_every_session_has_not_attended_enough(client, auth, make):
    """Seen: the dashboard said "attended enough" where the completion engine says not."""
    trainer, _, edition, learners = _edition_with_marks(
        make, {"Excused Els": (E, E), "Present Piet": (P, P), "Half Hanne": (P, A)})
    checks = completion_checks(edition.id)
    assert not checks[learners["Excused Els"].id].attendance_met  # the rule's answer

    soup = _dashboard(client, auth, trainer, edition)
    assert _funnel(soup) == {"Enrolled": 3, "Attended enough": 1, "Modules done": 1,
                             "Quiz passed": 1, "Completed": 1, "Certificate issued": 0}
    flags = _flags(soup)
    assert "can no longer reach the attendance threshold" in flags["Excused Els"]
    assert "can no longer reach the attendance threshold" in flags["Half Hanne"]
    assert "At risk" not in flags["Present Piet"]


def test_the_funnel_counts_what_the_rule_counts(client, auth, make):
    """Published modules that the course does not require do not stop anyone (as in the rule)."""
    trainer, course, edition, learners = _edition_with_marks(
        make, {"Present Piet": (P, P), "Present Paula": (P, P)}, modules_required=False)
    db.session.add(Module(course_id=course.id, position=1, title="Wat is mantelzorg?",
                          published=True))
    db.session.commit()
    checks = completion_checks(edition.id).values()
    funnel = _funnel(_dashboard(client, auth, trainer, edition))
    assert funnel["Attended enough"] == sum(check.attendance_met for check in checks) == 2
    assert funnel["Modules done"] == sum(check.modules_met for check in checks) == 2
    assert funnel["Completed"] == 2


def test_the_funnel_says_how_it_counts(client, auth, make):
    trainer, _, edition, _ = _edition_with_marks(make, {"Present Piet": (P, P)})
    soup = _dashboard(client, auth, trainer, edition)
    block = soup.find(id="completion").find_parent("section").select_one(".how-we-count")
    terms = [dt.get_text(strip=True) for dt in block.select("dt")]
    assert terms[:6] == ["Enrolled", "Attended enough", "Modules done", "Quiz passed",
                         "Completed", "Certificate issued"]
    assert "excused for every session is not enough" in block.get_text(" ", strip=True)


def _logged(viewer_id: int) -> set[int]:
    return set(db.session.scalars(select(PersonalDataAccess.learner_id).where(
        PersonalDataAccess.viewer_id == viewer_id, PersonalDataAccess.context == "dashboard")))


def test_the_page_is_logged_by_the_service_and_a_refusal_logs_nothing(client, auth, make):
    hub = make.organiser()
    trainer, _, edition, learners = _edition_with_marks(make, {"Present Piet": (P, P)}, hub)
    make.enrolment(make.learner(), edition, status=EnrolmentStatus.WAITLISTED)
    stranger = make.trainer(hub)  # a trainer of the organiser, not of this edition
    _dashboard(client, auth, trainer, edition)
    assert _logged(trainer.id) == {learners["Present Piet"].id}  # not the waiting list
    auth.logout()
    auth.login_as(stranger)
    assert client.get(f"/editions/{edition.id}/dashboard").status_code == 403
    assert _logged(stranger.id) == set()
