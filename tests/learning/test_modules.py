"""Modules: who sees them, writing and ordering them, marking them done, progress."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from college.enrolment.models import EnrolmentStatus
from college.extensions import db
from college.learning import modules
from college.learning.models import Module, ModuleCompletion
from college.signals import completion_rule_changed, learning_progressed
from tests.conftest import post_form
from tests.learning.helpers import assert_refused, captured, count, setting


@pytest.fixture()
def s(make):
    return setting(make)


def add_module(s, title="Tillen zonder pijn", published=True, **fields):
    fields.setdefault("body_markdown", "Buig je **knieën**.")
    fields.setdefault("minutes", 15)
    return modules.create_module(s.trainer, s.course.id, title=title, published=published,
                                 **fields)


def course_url(s):
    return f"/courses/{s.course.id}/learning"


def titles_in_order(page: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=page.index)


def test_trainer_writes_a_module_that_renders_sanitised(client, auth, s):
    auth.login_as(s.trainer)
    response = post_form(client, f"/courses/{s.course.id}/modules/new", {
        "title": "Grenzen stellen", "minutes": "20",
        "body_markdown": "Zeg **nee**. <script>alert(1)</script> [Gids](https://example.be)",
    })
    assert response.status_code == 302
    module = db.session.scalar(select(Module))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<strong>nee</strong>" in page
    assert "<script>alert" not in page
    assert 'rel="noopener noreferrer"' in page
    assert "20" in page and module.title == "Grenzen stellen"


def test_learner_cannot_write_modules(client, auth, s):
    auth.login_as(s.learner)
    assert client.get(f"/courses/{s.course.id}/modules/new").status_code == 403
    assert count(Module) == 0


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "", "minutes": "10"}, "Give the module a title"),
    ({"title": "X", "minutes": "-5"}, "between 0 and 1440"),
    ({"title": "X", "minutes": ""}, "estimated minutes"),
])
def test_bad_module_input_is_refused(client, auth, s, data, message):
    auth.login_as(s.trainer)
    response = post_form(client, f"/courses/{s.course.id}/modules/new", data)
    assert_refused(response, 422, message)
    assert count(Module) == 0


def test_enrolled_learner_reads_published_modules_only(client, auth, s):
    add_module(s, "Zichtbaar")
    hidden = add_module(s, "Verborgen", published=False)
    auth.login_as(s.learner)
    page = client.get(course_url(s)).get_data(as_text=True)
    assert "Zichtbaar" in page and "Verborgen" not in page
    assert client.get(f"/courses/{s.course.id}/modules/{hidden.id}").status_code == 404


@pytest.mark.parametrize("status", [EnrolmentStatus.WAITLISTED, EnrolmentStatus.CANCELLED])
def test_learner_without_live_enrolment_is_refused(client, auth, make, s, status):
    module = add_module(s)
    other = make.learner()
    make.enrolment(other, s.edition, status=status,
                   **({"cancelled_at": None} if status == EnrolmentStatus.CANCELLED else {}))
    auth.login_as(other)
    assert client.get(course_url(s)).status_code == 403
    assert client.get(f"/courses/{s.course.id}/modules/{module.id}").status_code == 403
    response = post_form(client, f"/courses/{s.course.id}/modules/{module.id}/done", page="/")
    assert response.status_code == 403
    assert count(ModuleCompletion) == 0


def test_completed_enrolment_still_gives_access(client, auth, make, s):
    add_module(s, "Na afloop")
    alumnus = make.learner()
    make.enrolment(alumnus, s.edition, status=EnrolmentStatus.COMPLETED)
    auth.login_as(alumnus)
    assert "Na afloop" in client.get(course_url(s)).get_data(as_text=True)


def test_marking_done_stores_completion_shows_progress_and_signals(client, auth, s):
    first = add_module(s, "Een")
    add_module(s, "Twee")
    with captured(learning_progressed) as received:
        auth.login_as(s.learner)
        url = f"/courses/{s.course.id}/modules/{first.id}/done"
        assert post_form(client, url, page=f"/courses/{s.course.id}/modules/{first.id}").status_code == 302
        again = post_form(client, url, page=f"/courses/{s.course.id}/modules/{first.id}")
        assert again.status_code == 302
    rows = db.session.scalars(select(ModuleCompletion)).all()
    assert [(r.module_id, r.learner_id) for r in rows] == [(first.id, s.learner.id)]
    assert received == [{"course_id": s.course.id, "learner_id": s.learner.id}]
    page = client.get(course_url(s)).get_data(as_text=True)
    assert re.search(r'<progress[^>]*max="2"[^>]*value="1"', page)
    assert "1 of 2 modules done (50%)" in page
    mine = client.get("/learning").get_data(as_text=True)
    assert s.course.title in mine and "1 of 2 modules done" in mine


def test_unpublished_module_cannot_be_marked_done(client, auth, s):
    hidden = add_module(s, published=False)
    auth.login_as(s.learner)
    response = post_form(client, f"/courses/{s.course.id}/modules/{hidden.id}/done", page="/")
    assert response.status_code == 404
    assert count(ModuleCompletion) == 0


def test_reorder_with_up_and_down_buttons(client, auth, s):
    a, b, c = (add_module(s, t) for t in ("Alfa", "Bravo", "Charlie"))
    auth.login_as(s.trainer)
    post_form(client, f"/courses/{s.course.id}/modules/{c.id}/move", {"direction": "up"},
              page=course_url(s))
    post_form(client, f"/courses/{s.course.id}/modules/{a.id}/move", {"direction": "down"},
              page=course_url(s))
    page = client.get(course_url(s)).get_data(as_text=True)
    assert titles_in_order(page, ["Alfa", "Bravo", "Charlie"]) == ["Charlie", "Alfa", "Bravo"]
    bad = post_form(client, f"/courses/{s.course.id}/modules/{a.id}/move",
                    {"direction": "sideways"}, page=course_url(s))
    assert bad.status_code == 422 and "up or down" in bad.get_data(as_text=True)


def test_unpublish_and_remove_signal_rule_change(client, auth, s):
    module = add_module(s)
    with captured(completion_rule_changed) as changed:
        auth.login_as(s.trainer)
        post_form(client, f"/courses/{s.course.id}/modules/{module.id}/publish",
                  {"published": "0"}, page=course_url(s))
        assert db.session.get(Module, module.id).published is False
        post_form(client, f"/courses/{s.course.id}/modules/{module.id}/delete", page=course_url(s))
    assert count(Module) == 0
    assert changed == [{"course_id": s.course.id}] * 2


def test_trainer_of_another_organiser_cannot_change_modules(client, auth, make, s):
    module = add_module(s)
    stranger = make.trainer(make.organiser())
    auth.login_as(stranger)
    response = post_form(client, f"/courses/{s.course.id}/modules/{module.id}/delete", page="/")
    assert response.status_code == 403
    assert count(Module) == 1


def test_editing_a_module(client, auth, s):
    module = add_module(s)
    auth.login_as(s.trainer)
    url = f"/courses/{s.course.id}/modules/{module.id}/edit"
    response = post_form(client, url, {"title": "Nieuw", "minutes": "5", "body_markdown": "x"})
    assert response.status_code == 302
    module = db.session.get(Module, module.id)
    assert (module.title, module.minutes) == ("Nieuw", 5)


def test_staff_preview_unpublished_modules_without_a_done_button(client, auth, s):
    hidden = add_module(s, "Concept", published=False)
    auth.login_as(s.trainer)
    page = client.get(f"/courses/{s.course.id}/modules/{hidden.id}").get_data(as_text=True)
    assert "Concept" in page and "Mark as done" not in page
    assert "hidden from learners" in client.get(course_url(s)).get_data(as_text=True)
