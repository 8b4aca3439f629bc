"""The burden measure: the switch, the moments and their edges, consent, bad input, erasure,
retention, and the change reported only for groups of five who answered both moments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import Kind, User
from college.attendance.models import Attendance, AttendanceSource, AttendanceStatus
from college.enrolment.models import Notification
from college.evaluation import burden
from college.evaluation.models import BurdenMeasurement, BurdenMoment, CourseBurdenMeasure
from college.extensions import db
from college.privacy.services import anonymise, user_data
from tests.conftest import post_form


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _measured_course(make, hub=None, weeks=8):
    hub = hub or make.organiser()
    coordinator = make.coordinator(hub)
    course = make.course(hub)
    burden.set_course_measure(coordinator, course.id, on=True, follow_up_weeks=weeks)
    db.session.commit()
    return hub, coordinator, course


def _edition(make, course, learners: int, first_starts):
    """Two sessions a week apart from `first_starts`; `learners` caregivers enrolled."""
    edition = make.edition(course, starts_on=timeutil.local(first_starts).date())
    sessions = [make.session(edition, starts_at=first_starts),
                make.session(edition, starts_at=first_starts + timedelta(days=7))]
    enrolments = [make.enrolment(make.learner(), edition,
                                 created_at=first_starts - timedelta(days=10)) for _ in range(learners)]
    return edition, sessions, enrolments


def _attend(sessions, enrolments):
    for session in sessions:
        for enrolment in enrolments:
            db.session.add(Attendance(session_id=session.id, learner_id=enrolment.learner_id,
                                      source=AttendanceSource.ROSTER, status=AttendanceStatus.PRESENT))
    db.session.commit()


def _moments(learner_id: int) -> set[str]:
    return {item.moment.value for item in burden.open_measures(learner_id)}


def test_the_moments_open_and_close_at_their_edges(make, clock):
    _hub, _coordinator, course = _measured_course(make, weeks=8)
    start = clock.now() + timedelta(days=3)
    _edition_, sessions, (enrolment,) = _edition(make, course, 1, start)
    learner_id = enrolment.learner_id
    assert _moments(learner_id) == {"before"}
    clock.move_to(sessions[0].ends_at - timedelta(seconds=1))
    assert _moments(learner_id) == {"before"}
    clock.move_to(sessions[0].ends_at)
    assert _moments(learner_id) == set()
    _attend(sessions, [enrolment])
    clock.move_to(sessions[1].starts_at - timedelta(seconds=1))
    assert _moments(learner_id) == set()
    clock.move_to(sessions[1].starts_at)
    assert _moments(learner_id) == {"after"}
    clock.move_to(sessions[1].ends_at + burden.OPEN_FOR)
    assert _moments(learner_id) == set()
    follow_up = sessions[1].ends_at + timedelta(weeks=8)
    clock.move_to(follow_up - timedelta(seconds=1))
    assert _moments(learner_id) == set()
    clock.move_to(follow_up)
    assert _moments(learner_id) == {"follow_up"}


def test_professionals_and_courses_without_the_switch_are_not_asked(make, clock):
    hub, coordinator, course = _measured_course(make)
    start = clock.now() + timedelta(days=3)
    edition, _sessions, _enrolments = _edition(make, course, 0, start)
    professional = make.learner(kind=Kind.PROFESSIONAL)
    make.enrolment(professional, edition)
    assert burden.open_measures(professional.id) == []
    other = make.course(hub)
    _e, _s, (plain,) = _edition(make, other, 1, start)
    assert burden.open_measures(plain.learner_id) == []
    burden.set_course_measure(coordinator, course.id, on=False)
    db.session.commit()
    assert _count(CourseBurdenMeasure) == 0


CASES = [
    ({"i1": "6"}, 422, "tick that you agree"),
    ({"i1": "11", "consent": "yes"}, 422, "Choose a number from 0 to 10."),
    ({"i1": "zwaar", "consent": "yes"}, 422, "Choose a number from 0 to 10."),
    ({"consent": "yes"}, 422, "Choose a number from 0 to 10."),
    ({"i1": "6", "consent": "yes"}, 302, ""),
]


@pytest.mark.parametrize(("sent", "status", "message"), CASES)
@pytest.mark.parametrize("surface", ["page", "api"])
def test_consent_and_bad_input_on_page_and_api(make, client, auth, clock, surface, sent, status, message):
    from tests.api.conftest import bearer_for

    _hub, _coordinator, course = _measured_course(make)
    _edition_, _sessions, (enrolment,) = _edition(make, course, 1, clock.now() + timedelta(days=3))
    learner = db.session.get(User, enrolment.learner_id)
    if surface == "page":
        auth.login_as(learner)
        page = client.get(f"/my/burden/{enrolment.id}/before").get_data(as_text=True)
        assert "never required" in page and "What this is for" in page
        response = post_form(client, f"/my/burden/{enrolment.id}/before", sent)
        expected = status
    else:
        body = {"answers": {key: value for key, value in sent.items() if key != "consent"},
                "consent": sent.get("consent") == "yes"}
        response = client.put(f"/api/v1/me/burden-measures/{enrolment.id}/before",
                              headers=bearer_for(learner), json=body)
        expected = 200 if status == 302 else status
    assert response.status_code == expected
    assert message in response.get_data(as_text=True)
    kept = _count(BurdenMeasurement)
    assert kept == (1 if status == 302 else 0)
    if kept:
        measurement = db.session.scalar(select(BurdenMeasurement))
        assert (measurement.score, measurement.consent) == (6.0, burden.CONSENT_VERSION)


def test_no_thanks_stops_the_questions_and_changes_nothing_else(make, client, auth, clock):
    _hub, _coordinator, course = _measured_course(make)
    _edition_, _sessions, (enrolment,) = _edition(make, course, 1, clock.now() + timedelta(days=3))
    auth.login_as(db.session.get(User, enrolment.learner_id))
    assert "How heavy does caring feel?" in client.get("/my/trainings").get_data(as_text=True)
    response = post_form(client, f"/my/burden/{enrolment.id}/no-thanks", page=f"/my/burden/{enrolment.id}/before")
    assert response.status_code == 302
    assert burden.open_measures(enrolment.learner_id) == []
    assert client.get(f"/my/burden/{enrolment.id}/before").status_code == 404
    assert db.session.get(type(enrolment), enrolment.id).status.value == "enrolled"


def test_invited_once_and_reminded_once_by_the_outbox(make, clock):
    _hub, _coordinator, course = _measured_course(make)
    _edition(make, course, 2, clock.now() + timedelta(days=10))
    assert burden.invite_and_remind() == 2
    assert burden.invite_and_remind() == 0
    clock.advance(burden.REMIND_AFTER)
    # Opened at enrolment, ten days before the start: a week later, one reminder each.
    assert burden.invite_and_remind() == 2
    assert burden.invite_and_remind() == 0
    assert _count(Notification, Notification.kind == "burden-reminder") == 2


def test_instruments_as_data_score_reversed_items_and_bands(make):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    instrument = burden.define_instrument(coordinator, hub.id, {
        "name": "Eigen schaal", "scale_min": 1, "scale_max": 5, "score": "mean",
        "items": [{"text": "Ik voel me moe"}, {"text": "Ik heb tijd voor mezelf", "reversed": True}],
        "bands": [{"upto": 2, "label": "licht"}, {"upto": 5, "label": "zwaar"}]})
    assert burden.score_of(instrument, {"i1": 4, "i2": 2}) == 4.0  # (4 + (6-2)) / 2
    assert burden.band_of(instrument, 4.0) == "zwaar"
    with pytest.raises(burden.Invalid):
        burden.define_instrument(coordinator, hub.id, {"name": "Leeg", "scale_min": 5, "scale_max": 1,
                                                       "items": [{"text": "x"}]})


def test_export_erasure_and_retention(make, clock):
    _hub, _coordinator, course = _measured_course(make)
    _edition_, _sessions, enrolments = _edition(make, course, 2, clock.now() + timedelta(days=3))
    for enrolment in enrolments:
        burden.record_burden(db.session.get(User, enrolment.learner_id), enrolment.id,
                             BurdenMoment.BEFORE, {"i1": 7}, consent=True)
    db.session.commit()
    first = db.session.get(User, enrolments[0].learner_id)
    assert [item["score"] for item in user_data(first.id)["burden_measure"]] == [7.0]
    anonymise(first)
    db.session.commit()
    assert _count(BurdenMeasurement) == 1
    clock.advance(timedelta(days=round(30.44 * 24)) - timedelta(days=1))
    assert burden.remove_expired() == 0
    clock.advance(timedelta(days=2))
    assert burden.remove_expired() == 1
    assert _count(BurdenMeasurement) == 0


def test_the_change_is_reported_only_for_five_who_answered_both(make, client, auth, clock):
    hub, coordinator, course = _measured_course(make)
    start = clock.now() + timedelta(days=3)
    _edition_, sessions, enrolments = _edition(make, course, 6, start)
    befores = [8, 7, 9, 6, 8, 5]
    for enrolment, score in zip(enrolments, befores, strict=True):
        burden.record_burden(db.session.get(User, enrolment.learner_id), enrolment.id,
                             BurdenMoment.BEFORE, {"i1": score}, consent=True)
    db.session.commit()
    _attend(sessions, enrolments)
    clock.move_to(sessions[1].ends_at)
    afters = [6, 6, 7, 6, 9]  # the sixth did not answer after
    for enrolment, score in zip(enrolments, afters, strict=False):
        burden.record_burden(db.session.get(User, enrolment.learner_id), enrolment.id,
                             BurdenMoment.AFTER, {"i1": score}, consent=True)
    db.session.commit()
    report = burden.burden_report(coordinator, hub.id, None, (start + timedelta(days=30)).date().isoformat())
    after, follow_up = report.instruments[0].changes
    assert after.people == 5 and after.mean == -0.8 and after.median == -1
    assert after.improved_pct == 60.0 and after.worse_pct == 20.0
    assert after.ci_low < after.mean < after.ci_high
    assert follow_up.people == 0 and follow_up.too_few and follow_up.mean is None
    auth.login_as(coordinator)
    page = client.get(f"/organisers/{hub.id}/evaluations",
                      query_string={"end": (start + timedelta(days=30)).date().isoformat()})
    text = page.get_data(as_text=True)
    assert "Burden: the change per caregiver" in text and "-0.8" in text and "too few answers" in text
