"""A create form creates once: the second request of a double click answers as the first did."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from college.catalogue.models import TrainingSession
from college.extensions import db
from tests.conftest import shown_form, twin_client


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


def session_data(edition, **overrides) -> dict:
    return {"day": edition.starts_on.isoformat(), "starts": "13:30", "ends": "16:00",
            "title": "Kennismaking", "room": "Zaal Lieven", **overrides}


def answered(client, response) -> tuple[int, str, str]:
    """What the person sees: the status, where it leads, and the message shown there."""
    location = response.headers.get("Location", "")
    page = client.get(location).get_data(as_text=True) if location else ""
    flash = "The session has been added." if "The session has been added." in page else ""
    return response.status_code, location, flash


@pytest.mark.parametrize("first", ["first click", "second click"])
def test_a_double_click_on_save_session_adds_one_session(client, make, hub, coordinator, first):
    edition = make.edition(make.course(hub))
    url = f"/manage/editions/{edition.id}/sessions/new"
    data = {**shown_form(client, url), **session_data(edition)}
    clicks = {"first click": client, "second click": twin_client(client)}
    arriving = [clicks[first], *(c for name, c in clicks.items() if name != first)]

    answers = [answered(c, c.post(url, data=data)) for c in arriving]

    assert answers[0] == answers[1] == (
        302, f"/manage/courses/{edition.course_id}", "The session has been added."
    )
    assert count(TrainingSession) == 1
