"""The API answers what its document says, the way an outside client meets it: named
operations under human tags, a server, the 4xx each operation really answers, strict input."""

from __future__ import annotations

import re

import pytest

from college.accounts.models import Organiser
from college.catalogue.models import Edition
from college.extensions import db
from tests.api.conftest import assert_problem


@pytest.fixture()
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _operations(document: dict):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                yield method.upper(), path, operation


def test_every_operation_is_named_once_and_filed_under_a_human_tag(document):
    operations = list(_operations(document))
    ids = [operation.get("operationId") for _m, _p, operation in operations]
    assert all(ids) and len(set(ids)) == len(ids)
    assert {"create_edition", "list_modules", "update_edition"} <= set(ids)
    tags = {tag["name"] for tag in document["tags"]}
    assert {"Editions", "Modules", "Tokens", "Certificates"} <= tags
    assert not any(tag.startswith("api_") for tag in tags)
    for _method, _path, operation in operations:
        assert len(operation["tags"]) == 1 and operation["tags"][0] in tags


def test_the_document_names_its_server(app, document):
    # Without PUBLIC_BASE_URL (development) it is "/", the address the document came from.
    assert document["servers"] == [{"url": app.config["PUBLIC_BASE_URL"], "description": "This College"}]


def test_no_catch_all_response_every_status_is_listed(document):
    """Without a `default`, schemathesis's status_code_conformance can hold each one to its list."""
    for method, path, operation in _operations(document):
        assert "default" not in operation["responses"], (method, path)
        if "requestBody" in operation:
            content = operation["requestBody"]["content"]
            if "application/json" in content:
                assert {"400", "422"} <= set(operation["responses"]), (method, path)
        if operation.get("security"):
            assert "401" in operation["responses"], (method, path)


def test_an_empty_cursor_is_the_first_page(client, make):
    course = make.course()
    edition = make.edition(course)
    for url in ("/api/v1/courses?cursor=", f"/api/v1/editions/{edition.id}/sessions?cursor="):
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["items"] == client.get(url.split("?")[0]).get_json()["items"]


def test_an_empty_period_on_the_figures_is_the_default_period(client, make, bearer, document):
    parameters = document["paths"]["/api/v1/organisers/{organiser_id}/dashboard"]["get"]["parameters"]
    for parameter in (p for p in parameters if p["name"] in ("start", "end")):
        assert "format" not in parameter["schema"]  # `format: date` would forbid the empty value
        assert re.fullmatch(parameter["schema"]["pattern"].strip("^$"), "")
        assert re.fullmatch(parameter["schema"]["pattern"].strip("^$"), "2026-12-02")
    hub = make.organiser()
    url = f"/api/v1/organisers/{hub.id}/dashboard"
    headers = bearer(make.coordinator(hub))
    default = client.get(url, headers=headers).get_json()
    empty = client.get(url + "?start=&end=", headers=headers)
    assert empty.status_code == 200, empty.get_data(as_text=True)
    assert (empty.get_json()["start"], empty.get_json()["end"]) == (default["start"], default["end"])
    assert_problem(client.get(url + "?start=2026-13-01", headers=headers), 422)


@pytest.mark.parametrize("sent", ["yes", "true", 1, 0, None])
def test_booleans_are_true_or_false_nothing_else(client, make, bearer, sent):
    hub = make.organiser()
    headers = bearer(make.coordinator(hub))
    response = client.patch(f"/api/v1/organisers/{hub.id}",
                            json={"verify_anonymised_certificates": sent}, headers=headers)
    body = assert_problem(response, 422)
    assert list(body["errors"]) == ["verify_anonymised_certificates"]
    db.session.expire_all()
    assert db.session.get(Organiser, hub.id).verify_anonymised_certificates is True
    course = client.post("/api/v1/courses", headers=headers, json={
        "organiser_id": hub.id, "title": "Tillen", "tracks": ["caregivers"], "published": sent})
    assert "published" in assert_problem(course, 422)["errors"]


@pytest.mark.parametrize("body", [{}, None])
def test_a_patch_that_changes_nothing_is_refused_with_a_reason(client, make, bearer, body):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    edition = make.edition(make.course(hub), capacity=12)
    headers = bearer(coordinator)
    urls = [f"/api/v1/editions/{edition.id}", f"/api/v1/organisers/{hub.id}", "/api/v1/me",
            f"/api/v1/users/{make.learner(managed_by_organiser_id=hub.id).id}"]
    for url in urls:
        response = (client.patch(url, json=body, headers=headers) if body is not None
                    else client.patch(url, headers=headers))
        problem = assert_problem(response, 422)
        assert problem["detail"] == "Send at least one field to change.", url
        assert "_schema" not in problem.get("errors", {})
    db.session.expire_all()
    assert db.session.get(Edition, edition.id).capacity == 12


def test_the_document_says_a_patch_needs_a_field(document):
    for method, path, operation in _operations(document):
        if method != "PATCH":
            continue
        body = operation["requestBody"]
        assert body["required"] is True, path
        ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert document["components"]["schemas"][ref]["minProperties"] == 1, path


#: Operations only staff (or only coordinators) may call at all, with a body or query that is
#: invalid: such a caller learns that they may not, never which field is wrong.
STAFF_ONLY = [
    ("POST", "/api/v1/courses", {"title": 7}),
    ("POST", "/api/v1/courses/{course}/editions", {"capacity": "many"}),
    ("PATCH", "/api/v1/editions/{edition}", {"capacity": "many"}),
    ("POST", "/api/v1/editions/{edition}/sessions", {"starts_at": "soon"}),
    ("PUT", "/api/v1/sessions/{session}/attendance", {"records": "all present"}),
    ("POST", "/api/v1/courses/{course}/modules", {"minutes": "ten"}),
    ("PUT", "/api/v1/courses/{course}/quiz", {"pass_pct": "half"}),
    ("POST", "/api/v1/users", {"roles": "all"}),
    ("PATCH", "/api/v1/users/{learner}", {"name": 5}),
    ("PATCH", "/api/v1/organisers/{hub}", {"verify_anonymised_certificates": "yes"}),
    ("POST", "/api/v1/certificates/1/revoke", {"reason": 5}),
    ("GET", "/api/v1/organisers/{hub}/dashboard?start=someday", None),
]
COORDINATORS_ONLY = {"/api/v1/courses", "/api/v1/courses/{course}/editions", "/api/v1/editions/{edition}",
                     "/api/v1/editions/{edition}/sessions", "/api/v1/users", "/api/v1/users/{learner}",
                     "/api/v1/organisers/{hub}", "/api/v1/certificates/1/revoke",
                     "/api/v1/organisers/{hub}/dashboard?start=someday"}


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ONLY, ids=lambda v: str(v)[:40])
def test_who_may_not_act_at_all_gets_403_before_their_input_is_read(
        client, make, bearer, method, path, body):
    hub = make.organiser()
    trainer = make.trainer(hub)
    course = make.course(hub)
    edition = make.edition(course, trainers=[trainer])
    learner = make.learner(managed_by_organiser_id=hub.id)
    make.enrolment(learner, edition)
    url = path.format(hub=hub.id, course=course.id, edition=edition.id,
                      session=make.session(edition).id, learner=learner.id)
    callers = [learner] + ([trainer] if path in COORDINATORS_ONLY else [])
    for caller in callers:
        response = client.open(url, method=method, json=body, headers=bearer(caller))
        problem = assert_problem(response, 403)
        assert "errors" not in problem
    # Staff who may act hear what is wrong with the input.
    allowed = make.coordinator(hub)
    response = client.open(url, method=method, json=body, headers=bearer(allowed))
    assert response.status_code in (404, 422), response.get_data(as_text=True)


def test_a_nul_character_is_refused_not_a_server_error(client, make, bearer):
    """PostgreSQL stores no NUL in text: found by schemathesis against gunicorn on PostgreSQL."""
    body = assert_problem(client.get("/api/v1/courses?q=zorg%00"), 422)
    assert list(body["errors"]) == ["q"]
    hub = make.organiser()
    response = client.post("/api/v1/courses", headers=bearer(make.coordinator(hub)), json={
        "organiser_id": hub.id, "title": "Til\u0000len", "tracks": ["caregivers"]})
    assert list(assert_problem(response, 422)["errors"]) == ["title"]


@pytest.mark.parametrize("path", ["/api/v1/courses/0/modules", "/api/v1/editions/0/sessions",
                                  "/api/v1/courses/99999999999/quiz"])
def test_an_id_that_names_nothing_is_404_whatever_other_methods_the_path_has(client, make, bearer, path):
    """Not 405: these paths also take POST or PUT, and out-of-range ids once answered 405."""
    assert_problem(client.get(path, headers=bearer(make.learner())), 404)


def test_calendars_say_their_refresh_interval_is_a_duration(client, make):
    """RFC 7986 section 5.7: REFRESH-INTERVAL;VALUE=DURATION."""
    edition = make.edition(make.course())
    make.session(edition)
    text = client.get(f"/api/v1/editions/{edition.id}/calendar.ics").get_data(as_text=True)
    assert re.search(r"^REFRESH-INTERVAL;VALUE=DURATION:PT6H\r?$", text, re.M), text
