"""A create form creates once: the second request of a double click answers as the first did."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college.catalogue.models import Course, Edition, TrainingSession
from college.extensions import db
from tests.conftest import at_once, shown_form, twin_client


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def hub(make):
    return make.organiser("Mantelzorghub Gent")


@pytest.fixture()
def coordinator(make, hub, auth):
    user = make.coordinator(hub)
    auth.login_as(user)
    return user


@dataclass
class CreateForm:
    """A create page: its address, what a coordinator fills in, and what saving it says."""

    url: str
    data: dict
    model: type
    message: str
    leads_to: str


def create_form(kind: str, make, hub) -> CreateForm:
    course = make.course(hub)
    edition = make.edition(course)
    if kind == "course":
        return CreateForm(
            f"/organisers/{hub.id}/courses/new",
            {"title": "Tillen en verplaatsen", "tracks": ["caregivers"], "hours": "3",
             "min_attendance_pct": "80", "quiz_pass_pct": "70"},
            Course, "The course has been created. Now add an edition.", "/manage/courses/",
        )
    if kind == "edition":
        return CreateForm(
            f"/manage/courses/{course.id}/editions/new",
            {"venue": "OCMW Deinze", "place": "Deinze", "capacity": "12",
             "starts_on": edition.starts_on.isoformat()},
            Edition, "The edition has been created. Now add its sessions.",
            f"/manage/courses/{course.id}",
        )
    return CreateForm(
        f"/manage/editions/{edition.id}/sessions/new",
        {"day": edition.starts_on.isoformat(), "starts": "13:30", "ends": "16:00",
         "title": "Kennismaking", "room": "Zaal Lieven"},
        TrainingSession, "The session has been added.", f"/manage/courses/{course.id}",
    )


def answered(client, response, message: str) -> tuple[int, str, bool]:
    """What the person sees: the status, where it leads, and whether the message shows there."""
    location = response.headers.get("Location", "")
    page = client.get(location).get_data(as_text=True) if location else ""
    return response.status_code, location, message in page


def form_errors(response) -> list[str]:
    summary = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(id="error-summary")
    return [item.get_text(" ", strip=True) for item in summary.find_all("li")] if summary else []


@pytest.mark.parametrize("first", ["first click", "second click"])
def test_a_double_click_on_save_session_adds_one_session(client, make, hub, coordinator, first):
    form = create_form("session", make, hub)
    data = {**shown_form(client, form.url), **form.data}
    clicks = {"first click": client, "second click": twin_client(client)}
    arriving = [clicks[first], *(c for name, c in clicks.items() if name != first)]

    answers = [answered(c, c.post(form.url, data=data), form.message) for c in arriving]

    assert answers[0] == answers[1] == (302, form.leads_to, True)
    assert count(TrainingSession) == 1


@pytest.mark.parametrize("kind", ["course", "edition", "session"])
def test_each_create_form_creates_once_and_answers_the_repeat_like_the_first(
        client, make, hub, coordinator, kind):
    form = create_form(kind, make, hub)
    before = count(form.model)
    data = {**shown_form(client, form.url), **form.data}
    assert data["once_token"]  # made when the form was shown

    first = client.post(form.url, data=data)
    first_answer = answered(client, first, form.message)
    second_answer = answered(client, client.post(form.url, data=data), form.message)

    assert first_answer == second_answer
    assert first_answer[0] == 302 and first_answer[1].startswith(form.leads_to) and first_answer[2]
    assert count(form.model) == before + 1
    # A form shown anew has a new token: saving it again is a second one, on purpose.
    again = {**shown_form(client, form.url), **form.data}
    assert again["once_token"] != data["once_token"]
    assert client.post(form.url, data=again).status_code == 302
    assert count(form.model) == before + 2


def test_two_clicks_at_the_same_moment_add_one_session(client, make, hub, coordinator):
    """On PostgreSQL the two requests overlap: the second waits for the first, then answers it."""
    form = create_form("session", make, hub)
    data = {**shown_form(client, form.url), **form.data}
    clicks = [client, twin_client(client)]

    responses = at_once(*(lambda c=c: c.post(form.url, data=data) for c in clicks))

    assert [r.status_code for r in responses] == [302, 302]
    assert {r.headers["Location"] for r in responses} == {form.leads_to}
    assert all(answered(c, r, form.message)[2] for c, r in zip(clicks, responses, strict=True))
    assert count(TrainingSession) == 1


def test_a_form_shown_again_with_errors_keeps_its_token(client, make, hub, coordinator):
    form = create_form("session", make, hub)
    shown = shown_form(client, form.url)
    wrong = client.post(form.url, data={**shown, **form.data, "ends": "12:00"})
    assert wrong.status_code == 422
    assert "must end after it starts" in wrong.get_data(as_text=True)
    assert count(TrainingSession) == 0

    kept = BeautifulSoup(wrong.get_data(as_text=True), "html.parser").find(
        "input", attrs={"name": "once_token"})["value"]
    assert kept == shown["once_token"]
    corrected = {**shown, **form.data}
    responses = [client.post(form.url, data=corrected) for _ in range(2)]  # and a double click
    assert [r.status_code for r in responses] == [302, 302]
    assert count(TrainingSession) == 1


def test_the_same_form_sent_back_with_other_values_asks_before_adding_another(
        client, make, hub, coordinator):
    """The back button, a change, save: not silently swallowed, not silently a second one."""
    form = create_form("session", make, hub)
    shown = shown_form(client, form.url)
    assert client.post(form.url, data={**shown, **form.data}).status_code == 302

    changed = {**shown, **form.data, "starts": "17:00", "ends": "19:00"}
    response = client.post(form.url, data=changed)

    assert response.status_code == 422
    assert form_errors(response) == [
        "This form was already sent. Check the values and send it again if you want another one."
    ]
    assert count(TrainingSession) == 1
    fresh = BeautifulSoup(response.get_data(as_text=True), "html.parser").find(
        "input", attrs={"name": "once_token"})["value"]
    assert fresh != shown["once_token"]
    assert client.post(form.url, data={**changed, "once_token": fresh}).status_code == 302
    assert count(TrainingSession) == 2


def test_tokens_belong_to_the_coordinator_who_sent_them(client, make, hub, coordinator, auth):
    form = create_form("session", make, hub)
    data = {**shown_form(client, form.url), **form.data}
    assert client.post(form.url, data=data).status_code == 302

    colleague = make.coordinator(hub)
    other = client.application.test_client()
    type(auth)(other).login_as(colleague)
    theirs = {**data, "csrf_token": shown_form(other, form.url)["csrf_token"]}
    assert other.post(form.url, data=theirs).status_code == 302

    assert count(TrainingSession) == 2


def test_a_post_without_a_token_still_creates(client, make, hub, coordinator):
    """Scripts and old pages send no token: they create as before, every time."""
    form = create_form("session", make, hub)
    data = {"csrf_token": shown_form(client, form.url)["csrf_token"], **form.data}
    assert [client.post(form.url, data=data).status_code for _ in range(2)] == [302, 302]
    assert count(TrainingSession) == 2
