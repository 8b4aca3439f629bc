"""Coordinators create and change courses, editions and sessions; bad input changes nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from college import signals, timeutil
from college.attendance.models import Attendance, AttendanceStatus
from college.catalogue import services
from college.catalogue.models import Course, Edition, Track, TrainingSession, edition_trainer
from college.errors import NotAllowed
from college.extensions import db
from tests.conftest import post_form


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def course_data(**overrides) -> dict:
    data = {
        "title": "Signalen van overbelasting",
        "summary": "Herken wanneer een mantelzorger het niet meer trekt.",
        "description": "Drie sessies met casussen.",
        "tracks": ["professionals"],
        "hours": "4,5",
        "published": "y",
        "min_attendance_pct": "100",
        "quiz_pass_pct": "75",
        "modules_required": "y",
    }
    data.update(overrides)
    return data


@pytest.fixture()
def hub(make):
    return make.organiser("Mantelzorghub Gent")


@pytest.fixture()
def coordinator(make, hub, auth):
    user = make.coordinator(hub)
    auth.login_as(user)
    return user


def test_coordinator_creates_a_course(client, hub, coordinator):
    response = post_form(client, f"/organisers/{hub.id}/courses/new", course_data())
    assert response.status_code == 302
    course = db.session.scalar(select(Course))
    assert course.title == "Signalen van overbelasting"
    assert course.organiser_id == hub.id
    assert course.tracks == {Track.PROFESSIONALS}
    assert course.hours == 4.5
    assert course.published and course.modules_required
    assert (course.min_attendance_pct, course.quiz_pass_pct) == (100, 75)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Signalen van overbelasting" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"tracks": []}, "caregivers, professionals or both"),
        ({"tracks": ["pets"]}, "caregivers, professionals or both"),
        ({"quiz_pass_pct": "120"}, "between 0 and 100"),
        ({"min_attendance_pct": "-5"}, "between 0 and 100"),
        ({"min_attendance_pct": "veel"}, "Enter a whole number"),
        ({"hours": "-2"}, "at least 0"),
        ({"hours": "twee"}, "Enter a number"),
    ],
)
def test_bad_course_input_is_refused(client, hub, coordinator, overrides, message):
    response = post_form(client, f"/organisers/{hub.id}/courses/new", course_data(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Course) == 0


def test_editing_the_completion_rule_sends_the_signal_before_commit(client, make, hub, coordinator):
    course = make.course(hub, title="Tillen en verplaatsen", open_to_caregivers=True)
    received = []

    def receiver(sender, course_id):
        # Still inside the transaction: the new rule is visible here, not yet committed.
        received.append((course_id, db.session.get(Course, course_id).quiz_pass_pct))

    with signals.completion_rule_changed.connected_to(receiver):
        response = post_form(
            client, f"/manage/courses/{course.id}/edit",
            course_data(title="Tillen en verplaatsen", tracks=["caregivers"], quiz_pass_pct="60"),
        )
        assert response.status_code == 302
        # Same rule again: no signal.
        post_form(
            client, f"/manage/courses/{course.id}/edit",
            course_data(title="Tillen en verplaatsen", tracks=["caregivers"], quiz_pass_pct="60"),
        )
    assert received == [(course.id, 60)]
    course = db.session.get(Course, course.id)
    assert course.quiz_pass_pct == 60 and course.tracks == {Track.CAREGIVERS}


def test_bad_edit_changes_nothing(client, make, hub, coordinator):
    course = make.course(hub, title="Grenzen stellen", quiz_pass_pct=70)
    response = post_form(
        client, f"/manage/courses/{course.id}/edit",
        course_data(title="Nieuwe titel", quiz_pass_pct="120"),
    )
    assert response.status_code == 422
    course = db.session.get(Course, course.id)
    assert (course.title, course.quiz_pass_pct) == ("Grenzen stellen", 70)


def edition_data(**overrides) -> dict:
    starts = timeutil.today() + timedelta(days=30)
    data = {
        "venue": "Dienstencentrum De Vlinder",
        "address": "Kerkstraat 1",
        "place": "Gent",
        "online_url": "",
        "capacity": "15",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=14)).isoformat(),
        "enrolment_opens_at": "",
        "enrolment_closes_at": f"{(starts - timedelta(days=1)).isoformat()}T18:00",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_an_edition_with_trainers(client, make, hub, coordinator):
    course = make.course(hub)
    trainer = make.trainer(hub, name="Els Lesgever")
    response = post_form(
        client, f"/manage/courses/{course.id}/editions/new", edition_data(trainer_ids=[trainer.id])
    )
    assert response.status_code == 302
    edition = db.session.scalar(select(Edition))
    assert (edition.capacity, edition.place) == (15, "Gent")
    closes = timeutil.local(edition.enrolment_closes_at)
    assert closes.time() == time(18, 0) and closes.date() == edition.starts_on - timedelta(days=1)
    assert db.session.execute(select(edition_trainer.c.user_id)).scalars().all() == [trainer.id]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"capacity": "-3"}, "cannot be negative"),
        ({"capacity": "20000"}, "at most 10000 seats"),  # the API's limit too: one rule
        ({"capacity": "twintig"}, "Enter a whole number"),
        ({"capacity": ""}, "Enter the number of seats."),
        ({"place": ""}, "This field is required."),
        ({"starts_on": "2027-05-10", "ends_on": "2027-05-01"}, "cannot be before the first day"),
        ({"starts_on": "not a date"}, "Enter a date, like"),
        ({"online_url": "javascript:alert(1)"}, "https://"),
        ({"enrolment_opens_at": "2027-05-02T10:00", "enrolment_closes_at": "2027-05-01T10:00"},
         "close after it opens"),
    ],
)
def test_bad_edition_input_is_refused(client, make, hub, coordinator, overrides, message):
    course = make.course(hub)
    response = post_form(client, f"/manage/courses/{course.id}/editions/new", edition_data(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Edition) == 0


def test_trainer_of_another_organiser_is_refused(client, make, hub, coordinator):
    course = make.course(hub)
    outsider = make.trainer(make.organiser("Zorgzame buurt Aalst"))
    response = post_form(
        client, f"/manage/courses/{course.id}/editions/new", edition_data(trainer_ids=[outsider.id])
    )
    assert response.status_code == 422
    assert "trainers of this organiser only" in response.get_data(as_text=True)
    assert count(Edition) == 0


def test_edit_form_of_an_edition_has_no_capacity(client, make, hub, coordinator):
    edition = make.edition(make.course(hub), capacity=12)
    page = client.get(f"/manage/editions/{edition.id}/edit").get_data(as_text=True)
    assert 'name="capacity"' not in page
    response = post_form(
        client, f"/manage/editions/{edition.id}/edit",
        edition_data(place="Oostakker", capacity="99", starts_on=edition.starts_on.isoformat(),
                     ends_on=edition.ends_on.isoformat()),
    )
    assert response.status_code == 302
    edition = db.session.get(Edition, edition.id)
    assert (edition.place, edition.capacity) == ("Oostakker", 12)


def test_edition_dates_cannot_leave_sessions_outside(client, make, hub, coordinator):
    edition = make.edition(make.course(hub), sessions=2)
    later = edition.starts_on + timedelta(days=3)
    response = post_form(
        client, f"/manage/editions/{edition.id}/edit",
        edition_data(starts_on=later.isoformat(), ends_on=(later + timedelta(days=30)).isoformat()),
    )
    assert response.status_code == 422
    assert "Some sessions fall outside these dates" in response.get_data(as_text=True)
    assert db.session.get(Edition, edition.id).starts_on == edition.starts_on


def session_data(edition, **overrides) -> dict:
    data = {"day": edition.starts_on.isoformat(), "starts": "13:30", "ends": "16:00",
            "title": "Kennismaking", "room": "Zaal Lieven"}
    data.update(overrides)
    return data


def test_coordinator_adds_edits_and_deletes_a_session(client, make, hub, coordinator):
    summer_day = date(2027, 7, 6)
    edition = make.edition(make.course(hub), starts_on=summer_day, ends_on=summer_day)
    response = post_form(client, f"/manage/editions/{edition.id}/sessions/new", session_data(edition))
    assert response.status_code == 302
    session = db.session.scalar(select(TrainingSession))
    # 13:30 in Brussels in summer is 11:30 UTC.
    assert session.starts_at == datetime(2027, 7, 6, 11, 30, tzinfo=timeutil.now().tzinfo)
    assert timeutil.local(session.ends_at).time() == time(16, 0)
    assert session.room == "Zaal Lieven"

    response = post_form(
        client, f"/manage/sessions/{session.id}/edit", session_data(edition, ends="17:15", room="Zaal 2")
    )
    assert response.status_code == 302
    session = db.session.get(TrainingSession, session.id)
    assert (timeutil.local(session.ends_at).time(), session.room) == (time(17, 15), "Zaal 2")

    response = post_form(
        client, f"/manage/sessions/{session.id}/delete", page=f"/manage/courses/{edition.course_id}"
    )
    assert response.status_code == 302
    assert count(TrainingSession) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends": "12:00"}, "must end after it starts"),
        ({"ends": "13:30"}, "must end after it starts"),
        ({"starts": "half twee"}, "Enter a time, like 14:00"),
        ({"day": "2020-01-01"}, "between the edition&#39;s first and last day"),
    ],
)
def test_bad_session_input_is_refused(client, make, hub, coordinator, overrides, message):
    edition = make.edition(make.course(hub))
    response = post_form(
        client, f"/manage/editions/{edition.id}/sessions/new", session_data(edition, **overrides)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(TrainingSession) == 0


def test_session_with_attendance_cannot_be_deleted(client, make, hub, coordinator):
    edition = make.edition(make.course(hub), sessions=1)
    session = db.session.scalar(select(TrainingSession))
    learner = make.learner()
    db.session.add(Attendance(session_id=session.id, learner_id=learner.id,
                              status=AttendanceStatus.PRESENT))
    db.session.commit()
    response = post_form(
        client, f"/manage/sessions/{session.id}/delete", page=f"/manage/courses/{edition.course_id}"
    )
    assert response.status_code == 409
    assert "Attendance was already recorded" in response.get_data(as_text=True)
    assert count(TrainingSession) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/organisers/{org}/courses",
        "/organisers/{org}/courses/new",
        "/manage/courses/{course}",
        "/manage/courses/{course}/edit",
        "/manage/courses/{course}/editions/new",
        "/manage/editions/{edition}/edit",
        "/manage/editions/{edition}/sessions/new",
        "/manage/sessions/{session}/edit",
    ],
)
@pytest.mark.parametrize("who", ["other coordinator", "trainer", "learner"])
def test_others_cannot_manage(client, make, auth, hub, url, who):
    course = make.course(hub)
    edition = make.edition(course, sessions=1)
    session = db.session.scalar(select(TrainingSession))
    if who == "other coordinator":
        user = make.coordinator(make.organiser("Zorgzame buurt Aalst"))
    elif who == "trainer":
        user = make.trainer(hub)
    else:
        user = make.learner()
    auth.login_as(user)
    url = url.format(org=hub.id, course=course.id, edition=edition.id, session=session.id)
    assert client.get(url).status_code == 403
    if url.endswith(("/new", "/edit")):
        assert post_form(client, url, course_data(title="Hacked"), page="/").status_code == 403
    assert db.session.get(Course, course.id).title != "Hacked"


def test_others_cannot_delete_a_session(client, make, auth, hub):
    edition = make.edition(make.course(hub), sessions=1)
    session = db.session.scalar(select(TrainingSession))
    auth.login_as(make.coordinator(make.organiser("Zorgzame buurt Aalst")))
    assert post_form(client, f"/manage/sessions/{session.id}/delete", page="/").status_code == 403
    assert count(TrainingSession) == 1
    assert edition.id


def test_anonymous_cannot_manage(client, hub):
    response = post_form(client, f"/organisers/{hub.id}/courses/new", course_data(), page="/")
    assert response.status_code in (302, 401)
    assert count(Course) == 0


def test_unknown_things_are_404(client, coordinator):
    for url in ("/manage/courses/999", "/manage/editions/999/edit", "/manage/sessions/999/edit",
                "/organisers/999/courses"):
        assert client.get(url).status_code == 404


def test_services_refuse_a_learner(make, hub):
    learner = make.learner()
    with pytest.raises(NotAllowed):
        services.create_course(learner, hub, title="X", tracks={Track.CAREGIVERS})
    assert count(Course) == 0


def test_nav_shows_course_management_to_coordinators_only(client, make, auth, hub):
    assert "Trainings" in client.get("/").get_data(as_text=True)
    auth.login_as(make.coordinator(hub))
    assert f"/organisers/{hub.id}/courses" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login_as(make.learner())
    page = client.get("/").get_data(as_text=True)
    assert f"/organisers/{hub.id}/courses" not in page
    assert "/account/calendar" in page


def test_bad_session_edit_changes_nothing(client, make, hub, coordinator):
    edition = make.edition(make.course(hub, title="Grenzen stellen"), sessions=1)
    session = db.session.scalar(select(TrainingSession))
    response = post_form(
        client, f"/manage/sessions/{session.id}/edit", session_data(edition, ends="10:00", room="X")
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "must end after it starts" in html and "Grenzen stellen" in html
    unchanged = db.session.get(TrainingSession, session.id)
    assert (unchanged.room, unchanged.ends_at) == (session.room, session.ends_at)


def test_bad_edition_edit_changes_nothing(client, make, hub, coordinator):
    edition = make.edition(make.course(hub), place="Gent")
    response = post_form(
        client, f"/manage/editions/{edition.id}/edit",
        edition_data(place="Aalst", starts_on="2027-05-10", ends_on="2027-05-01"),
    )
    assert response.status_code == 422
    assert db.session.get(Edition, edition.id).place == "Gent"


def test_services_take_plainly_loaded_objects(make, hub):
    """The API calls the services with objects it loaded itself, without eager options."""
    coordinator = make.coordinator(hub)
    trainer = make.trainer(hub)
    edition = make.edition(make.course(hub), sessions=1)
    edition = db.session.get(Edition, edition.id)
    services.update_edition(
        coordinator, edition, place="Drongen", starts_on=edition.starts_on,
        ends_on=edition.ends_on, trainer_ids=[trainer.id],
    )
    db.session.expire_all()
    assert db.session.get(Edition, edition.id).place == "Drongen"
    assert db.session.execute(select(edition_trainer.c.user_id)).scalars().all() == [trainer.id]
    session = db.session.get(TrainingSession, db.session.scalar(select(TrainingSession.id)))
    services.update_session(coordinator, session, day=edition.starts_on, starts=time(10),
                            ends=time(12), room="Zaal 3")
    assert db.session.get(TrainingSession, session.id).room == "Zaal 3"


def test_edit_forms_show_the_current_values(client, make, hub, coordinator):
    course = make.course(hub, title="Grenzen stellen", open_to_caregivers=False,
                         open_to_professionals=True, quiz_pass_pct=65)
    trainer = make.trainer(hub, name="Els Vermeulen")
    edition = make.edition(course, trainers=[trainer], place="Drongen", sessions=1,
                           enrolment_closes_at=timeutil.brussels(date(2027, 3, 1), time(18, 0)))
    session = db.session.scalar(select(TrainingSession))
    html = client.get(f"/manage/courses/{course.id}/edit").get_data(as_text=True)
    assert 'value="Grenzen stellen"' in html and 'value="65"' in html
    assert 'checked id="tracks-1" name="tracks" type="checkbox" value="professionals"' in html
    html = client.get(f"/manage/editions/{edition.id}/edit").get_data(as_text=True)
    assert 'value="Drongen"' in html and 'value="2027-03-01T18:00"' in html
    assert f'checked id="trainer_ids-0" name="trainer_ids" type="checkbox" value="{trainer.id}"' in html
    html = client.get(f"/manage/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="14:00"' in html and 'value="16:00"' in html
    html = client.get(f"/manage/courses/{course.id}").get_data(as_text=True)
    assert "Drongen" in html and "0 of 20 seats taken" in html
    html = client.get(f"/organisers/{hub.id}/courses").get_data(as_text=True)
    assert "Grenzen stellen" in html and f"/organisers/{hub.slug}/sessions.ics" in html


def test_updates_change_only_the_fields_given(make, hub):
    coordinator = make.coordinator(hub)
    course = make.course(hub, title="Grenzen stellen", hours=3, quiz_pass_pct=70, published=True)
    services.update_course(coordinator, course, quiz_pass_pct=80)
    course = db.session.get(Course, course.id)
    assert (course.title, course.hours, course.quiz_pass_pct, course.published) == (
        "Grenzen stellen", 3, 80, True)
    edition = make.edition(course, place="Gent", capacity=9, sessions=1)
    services.update_edition(coordinator, db.session.get(Edition, edition.id), venue="De Kring")
    edition = db.session.get(Edition, edition.id)
    assert (edition.venue, edition.place, edition.starts_on) == ("De Kring", "Gent", edition.starts_on)
    with pytest.raises(TypeError):
        services.update_edition(coordinator, edition, capacity=50)
    assert db.session.get(Edition, edition.id).capacity == 9
    session = db.session.scalar(select(TrainingSession))
    services.update_session(coordinator, session, room="Zaal 7")
    session = db.session.get(TrainingSession, session.id)
    assert (session.room, timeutil.local(session.starts_at).time()) == ("Zaal 7", time(14, 0))
