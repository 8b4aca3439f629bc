"""Calendar feeds: per edition, per organiser, and the learner's private feed with its token."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from college import timeutil
from college.accounts.models import User
from college.catalogue.models import TrainingSession
from college.enrolment.models import EnrolmentStatus
from college.extensions import db
from tests.conftest import post_form

BRUSSELS = ZoneInfo("Europe/Brussels")


def feed(client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def uids(calendar: Calendar) -> list[str]:
    return [str(event["UID"]) for event in calendar.walk("VEVENT")]


@pytest.fixture()
def winter_edition(make):
    hub = make.organiser("Mantelzorghub Gent")
    course = make.course(hub, title="Omgaan met dementie", summary="Praktische tips.")
    day = date(2027, 1, 12)
    edition = make.edition(course, starts_on=day, ends_on=day + timedelta(days=7),
                           venue="De Vlinder", place="Gent")
    first = make.session(edition, starts_at=timeutil.brussels(day, datetime.min.time().replace(hour=14)),
                         room="Zaal 1")
    second = make.session(edition, starts_at=timeutil.brussels(day + timedelta(days=7),
                                                               datetime.min.time().replace(hour=9, minute=30)),
                          hours=3, title="Praktijk")
    return edition, first, second


def test_edition_feed_has_events_in_brussels_time_with_vtimezone(client, winter_edition):
    edition, first, second = winter_edition
    calendar = feed(client, f"/editions/{edition.id}.ics")
    assert uids(calendar) == [f"session-{first.id}@localhost", f"session-{second.id}@localhost"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    one, two = calendar.walk("VEVENT")
    assert one["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert one.start == datetime(2027, 1, 12, 14, 0, tzinfo=BRUSSELS)
    assert one.end == datetime(2027, 1, 12, 16, 0, tzinfo=BRUSSELS)
    assert one.start.astimezone(ZoneInfo("UTC")).hour == 13  # winter: UTC+1
    assert str(one["SUMMARY"]) == "Omgaan met dementie"
    assert str(two["SUMMARY"]) == "Omgaan met dementie: Praktijk"
    assert "Zaal 1" in str(one["LOCATION"]) and "De Vlinder" in str(one["LOCATION"])
    assert two.start == datetime(2027, 1, 19, 9, 30, tzinfo=BRUSSELS)
    assert two.end == datetime(2027, 1, 19, 12, 30, tzinfo=BRUSSELS)


def test_uids_stay_the_same_when_a_session_moves(client, winter_edition):
    edition, first, _second = winter_edition
    before = uids(feed(client, f"/editions/{edition.id}.ics"))
    first.starts_at += timedelta(hours=1)
    first.ends_at += timedelta(hours=1)
    db.session.commit()
    after = feed(client, f"/editions/{edition.id}.ics")
    assert uids(after) == before
    assert after.walk("VEVENT")[0].start == datetime(2027, 1, 12, 15, 0, tzinfo=BRUSSELS)


def test_unpublished_edition_feed_is_404(client, make):
    edition = make.edition(make.course(published=False), sessions=1)
    assert client.get(f"/editions/{edition.id}.ics").status_code == 404
    assert client.get("/editions/999.ics").status_code == 404


def test_organiser_feed_lists_upcoming_sessions_of_published_courses(client, make):
    hub = make.organiser("Mantelzorghub Gent")
    published = make.edition(make.course(hub, title="Grenzen stellen"), sessions=2)
    draft = make.edition(make.course(hub, published=False), sessions=1)
    past = make.edition(make.course(hub, title="Vorig jaar"),
                        starts_on=timeutil.today() - timedelta(days=60), sessions=1)
    elsewhere = make.edition(make.course(make.organiser()), sessions=1)
    calendar = feed(client, f"/organisers/{hub.slug}/sessions.ics")
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert summaries == {"Grenzen stellen"}
    expected = [f"session-{s.id}@localhost" for s in db.session.scalars(
        select(TrainingSession).where(TrainingSession.edition_id == published.id)
        .order_by(TrainingSession.starts_at))]
    assert uids(calendar) == expected and len(expected) == 2
    assert calendar.walk("VTIMEZONE")
    assert draft.id and past.id and elsewhere.id
    assert client.get("/organisers/no-such-hub/sessions.ics").status_code == 404


def test_learner_makes_a_private_feed_with_their_live_enrolments(client, make, auth):
    learner = make.learner()
    enrolled = make.edition(make.course(title="Tillen en verplaatsen"), sessions=2)
    completed = make.edition(make.course(title="Zorg voor jezelf"), sessions=1)
    waiting = make.edition(make.course(title="Respijtzorg"), sessions=1)
    cancelled = make.edition(make.course(title="Dementie"), sessions=1)
    make.enrolment(learner, enrolled)
    make.enrolment(learner, completed, EnrolmentStatus.COMPLETED)
    make.enrolment(learner, waiting, EnrolmentStatus.WAITLISTED)
    make.enrolment(learner, cancelled, EnrolmentStatus.CANCELLED)
    make.enrolment(make.learner(), make.edition(make.course(title="Van iemand anders"), sessions=1))

    auth.login_as(learner)
    assert "no calendar address yet" in client.get("/account/calendar").get_data(as_text=True)
    response = post_form(client, "/account/calendar/renew", page="/account/calendar")
    assert response.status_code == 302
    token = db.session.get(User, learner.id).calendar_token
    assert token and len(token) >= 40
    assert f"/calendar/{token}.ics" in client.get("/account/calendar").get_data(as_text=True)

    auth.logout()  # the feed works without a login: calendar apps have none
    calendar = feed(client, f"/calendar/{token}.ics")
    summaries = sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))
    assert summaries == ["Tillen en verplaatsen", "Tillen en verplaatsen", "Zorg voor jezelf"]
    assert calendar.walk("VTIMEZONE")


def test_renewed_or_revoked_token_stops_working(client, make, auth):
    learner = make.learner()
    make.enrolment(learner, make.edition(make.course(), sessions=1))
    auth.login_as(learner)
    post_form(client, "/account/calendar/renew", page="/account/calendar")
    old = db.session.get(User, learner.id).calendar_token
    post_form(client, "/account/calendar/renew", page="/account/calendar")
    new = db.session.get(User, learner.id).calendar_token
    assert new != old
    response = client.get(f"/calendar/{old}.ics")
    assert response.status_code == 404
    assert "does not work" in response.get_data(as_text=True)
    assert client.get(f"/calendar/{new}.ics").status_code == 200

    post_form(client, "/account/calendar/revoke", page="/account/calendar")
    assert db.session.get(User, learner.id).calendar_token is None
    assert client.get(f"/calendar/{new}.ics").status_code == 404


@pytest.mark.parametrize("token", ["nope", "x" * 65, "None", ""])
def test_invalid_token_is_404_and_changes_nothing(client, make, token):
    learner = make.learner(calendar_token="a-real-token-of-someone-else-0123456789abcdef")
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert db.session.get(User, learner.id).calendar_token == learner.calendar_token


def test_calendar_page_needs_login_and_csrf(client, make, auth):
    assert client.get("/account/calendar").status_code in (302, 401)
    learner = make.learner()
    auth.login_as(learner)
    assert client.post("/account/calendar/renew").status_code == 400
    assert db.session.scalar(select(User.calendar_token).where(User.id == learner.id)) is None


def test_online_link_only_in_the_learners_own_feed(client, make):
    learner = make.learner(calendar_token="token-of-the-learner-0123456789abcdefghijkl")
    edition = make.edition(make.course(), sessions=1, online_url="https://meet.example/abc")
    make.enrolment(learner, edition)
    public = client.get(f"/editions/{edition.id}.ics").get_data(as_text=True)
    private = client.get(f"/calendar/{learner.calendar_token}.ics").get_data(as_text=True)
    assert "meet.example" not in public
    assert "meet.example" in private
    assert str(Calendar.from_ical(public)["UID"]) == f"edition-{edition.id}@localhost"
