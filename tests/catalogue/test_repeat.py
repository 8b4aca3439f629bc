"""Editions that repeat: a copy on a new first day and a weekly or monthly series of sessions.

Both show their dates before anything is saved; the page and the API refuse the same input with
the same message and save nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college import timeutil
from college.catalogue.models import Edition, TrainingSession
from college.enrolment.models import Enrolment
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.conftest import double_click, post_form, shown_form

# A fixed present: the copy and the series cross the summer-time change of 28 March 2027.
PRESENT = datetime(2027, 1, 4, 9, 0, tzinfo=timeutil.BRUSSELS)


@pytest.fixture()
def world(make, clock):
    clock.move_to(PRESENT)
    hub = make.organiser("Mantelzorghub Gent")
    coordinator = make.coordinator(hub)
    trainer = make.trainer(hub, name="Els Lesgever")
    course = make.course(hub, title="Omgaan met dementie")
    edition = make.edition(course, trainers=[trainer], starts_on=date(2027, 3, 1), sessions=3,
                           capacity=12, place="Gent", venue="Dienstencentrum De Vlinder")
    edition.enrolment_closes_at = timeutil.brussels(date(2027, 2, 26), time(18, 0))
    make.enrolment(make.learner(), edition)
    db.session.commit()
    return {"hub": hub, "coordinator": coordinator, "trainer": trainer, "edition": edition}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def local_sessions(edition_id: int) -> list[tuple[date, time, time]]:
    sessions = db.session.scalars(select(TrainingSession).where(TrainingSession.edition_id == edition_id)
                                  .order_by(TrainingSession.starts_at))
    return [(timeutil.local(s.starts_at).date(), timeutil.local(s.starts_at).time(),
             timeutil.local(s.ends_at).time()) for s in sessions]


def copy_page(edition) -> str:
    return f"/manage/editions/{edition.id}/copy"


def series_page(edition) -> str:
    return f"/manage/editions/{edition.id}/sessions/series"


def items(response) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [li.get_text(" ", strip=True) for li in soup.select("#plan-title ~ ol li")]


def test_the_copy_shows_its_dates_first_and_saves_nothing_until_asked(client, auth, world):
    auth.login_as(world["coordinator"])
    edition = world["edition"]
    page = client.get(f"/manage/courses/{edition.course_id}")
    assert copy_page(edition) in page.get_data(as_text=True)

    preview = post_form(client, copy_page(edition), {"starts_on": "2027-03-22", "preview": "y"})
    assert preview.status_code == 200
    assert count(Edition) == 1  # nothing saved
    text = preview.get_data(as_text=True)
    assert "22 March 2027 to 5 April 2027" in text
    # Three sessions, still at 14:00 Brussels time after the change to summer time.
    assert items(preview) == ["Monday 22 March 2027, 14:00 to 16:00", "Monday 29 March 2027, 14:00 to 16:00",
                              "Monday 5 April 2027, 14:00 to 16:00"]
    assert "closes Friday 19 March 2027, 18:00" in text

    form = {**shown_form(client, copy_page(edition)), "starts_on": "2027-03-22", "save": "y"}
    saved = client.post(copy_page(edition), data=form)
    assert saved.status_code == 302
    copy = db.session.scalars(select(Edition).where(Edition.id != edition.id)).one()
    assert (copy.place, copy.venue, copy.capacity, copy.starts_on, copy.ends_on) == (
        "Gent", "Dienstencentrum De Vlinder", 12, date(2027, 3, 22), date(2027, 4, 5))
    db.session.refresh(copy, ["trainers"])
    assert [trainer.name for trainer in copy.trainers] == ["Els Lesgever"]
    assert local_sessions(copy.id) == [(date(2027, 3, 22), time(14), time(16)),
                                       (date(2027, 3, 29), time(14), time(16)),
                                       (date(2027, 4, 5), time(14), time(16))]
    assert (copy.seats_taken, count(Enrolment)) == (0, 1)  # nobody enrolled in the copy
    followed = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "The copy has been created. Nobody is enrolled in it yet." in followed


def test_a_double_click_on_save_makes_one_copy(client, auth, world):
    auth.login_as(world["coordinator"])
    edition = world["edition"]
    answers = double_click(client, copy_page(edition), {"starts_on": "2027-05-03", "save": "y"})
    assert answers[0] == answers[1] and answers[0][0] == 302
    assert count(Edition) == 2


def test_a_weekly_and_a_monthly_series(client, auth, world, make):
    auth.login_as(world["coordinator"])
    edition = make.edition(make.course(world["hub"]), starts_on=date(2027, 2, 1), ends_on=date(2027, 6, 30))
    weekly = {"first_day": "2027-02-02", "starts": "19:00", "ends": "21:00", "every": "week",
              "count": "3", "room": "Zaal 1"}
    preview = post_form(client, series_page(edition), {**weekly, "preview": "y"})
    assert preview.status_code == 200 and count(TrainingSession) == 3  # the other edition's three
    assert items(preview) == ["Tuesday 2 February 2027, 19:00 to 21:00", "Tuesday 9 February 2027, 19:00 to 21:00",
                              "Tuesday 16 February 2027, 19:00 to 21:00"]
    assert "Add 3 sessions" in preview.get_data(as_text=True)

    assert post_form(client, series_page(edition), {**weekly, "save": "y"}).status_code == 302
    monthly = {**weekly, "first_day": "2027-03-09", "every": "month", "count": "4"}  # second Tuesday
    assert post_form(client, series_page(edition), {**monthly, "save": "y"}).status_code == 302
    assert [day for day, _start, _end in local_sessions(edition.id)] == [
        date(2027, 2, 2), date(2027, 2, 9), date(2027, 2, 16),
        date(2027, 3, 9), date(2027, 4, 13), date(2027, 5, 11), date(2027, 6, 8)]
    assert {(start, end) for _day, start, end in local_sessions(edition.id)} == {(time(19), time(21))}


# One table for both surfaces: what is sent, the field the refusal is about, the message.
REFUSALS = [
    ("copy", {"starts_on": "2027-01-03"}, "starts_on", "Choose a day from today on."),
    ("series", {"first_day": "2027-03-01", "count": 1}, "count", "Choose between 2 and 52 sessions."),
    ("series", {"first_day": "2027-03-01", "count": 53}, "count", "Choose between 2 and 52 sessions."),
    ("series", {"first_day": "2027-03-01", "count": 4}, "count",
     "Session 4 would fall on 22 March 2027, outside the edition (1 March 2027 to 15 March 2027)."),
    ("series", {"first_day": "2027-03-01", "every": "month", "count": 2}, "count",
     "Session 2 would fall on 5 April 2027, outside the edition"),
    ("series", {"first_day": "2027-03-29", "every": "month"}, "first_day",
     "choose a first day up to the 28th"),
    ("series", {"first_day": "2027-03-01", "starts": "16:00", "ends": "14:00"}, "ends",
     "The session must end after it starts."),
]
SERIES = {"starts": "14:00", "ends": "16:00", "every": "week", "count": 2}


def _sent(what: str, fields: dict) -> dict:
    return {**SERIES, **fields} if what == "series" else fields


@pytest.mark.parametrize(("what", "fields", "field", "message"), REFUSALS)
@pytest.mark.parametrize("step", ["preview", "save"])
def test_page_and_api_refuse_alike_and_save_nothing(client, auth, world, what, fields, field, message, step):
    edition = world["edition"]
    before = (count(Edition), count(TrainingSession))
    auth.login_as(world["coordinator"])
    page = series_page(edition) if what == "series" else copy_page(edition)
    shown = post_form(client, page, {**{k: str(v) for k, v in _sent(what, fields).items()}, step: "y"})
    assert shown.status_code == 422
    assert message in BeautifulSoup(shown.get_data(as_text=True), "html.parser").get_text(" ", strip=True)

    path = {"copy": "copies", "series": "sessions/series"}[what]
    path = f"/api/v1/editions/{edition.id}/{path}" + ("/preview" if step == "preview" else "")
    answer = client.post(path, json=_sent(what, fields), headers=bearer_for(world["coordinator"]))
    assert answer.status_code == 422, answer.get_json()
    errors = answer.get_json()["errors"]
    assert any(message in text for text in errors[field]), errors
    assert (count(Edition), count(TrainingSession)) == before


def test_the_api_previews_then_creates_once_per_key(client, world):
    edition, headers = world["edition"], bearer_for(world["coordinator"])
    path = f"/api/v1/editions/{edition.id}/copies"
    plan = client.post(f"{path}/preview", json={"starts_on": "2027-03-22"}, headers=headers)
    assert plan.status_code == 200 and count(Edition) == 1
    assert [s["starts_at"] for s in plan.get_json()["sessions"]] == [
        "2027-03-22T14:00:00+01:00", "2027-03-29T14:00:00+02:00", "2027-04-05T14:00:00+02:00"]

    keyed = {**headers, "Idempotency-Key": "kopie-1"}
    first = client.post(path, json={"starts_on": "2027-03-22"}, headers=keyed)
    again = client.post(path, json={"starts_on": "2027-03-22"}, headers=keyed)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.get_json() == again.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert count(Edition) == 2
    assert first.get_json()["trainer_ids"] == [world["trainer"].id]

    series = client.post(f"/api/v1/editions/{first.get_json()['id']}/sessions/series", headers=headers, json={
        "first_day": "2027-03-23", "starts": "10:00", "ends": "12:00", "every": "week", "count": 2})
    assert series.status_code == 201
    assert len(series.get_json()["sessions"]) == 5  # the copied three and the series' two


@pytest.mark.parametrize("role", ["trainer", "other_coordinator"])
def test_only_the_organisers_coordinators_repeat(client, auth, world, make, role):
    user = world["trainer"] if role == "trainer" else make.coordinator(make.organiser("Elders"))
    edition = world["edition"]
    auth.login_as(user)
    assert client.get(copy_page(edition)).status_code == 403
    assert client.get(series_page(edition)).status_code == 403
    answer = client.post(f"/api/v1/editions/{edition.id}/copies", json={"starts_on": "2027-05-03"},
                         headers=bearer_for(user))
    assert answer.status_code == 403
    assert count(Edition) == 1
