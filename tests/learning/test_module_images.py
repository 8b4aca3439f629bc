"""Pictures in modules (issue 16, item 10): authors upload them, the College stores and serves
them, so the security policy allows no image from another site and the pictures show."""

from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from sqlalchemy import func, select

from college.extensions import db
from college.learning import modules
from college.learning.models import ModuleImage
from tests.api.conftest import bearer_for
from tests.conftest import csrf_token
from tests.learning.helpers import setting


@pytest.fixture()
def s(make):
    return setting(make)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (11, 85, 99)).save(buffer, "PNG")
    return buffer.getvalue()


def _upload(client, course_id: int, content: bytes, name: str = "tillen.png"):
    editor = f"/courses/{course_id}/modules/new"
    return client.post(f"/courses/{course_id}/images", data={
        "csrf_token": csrf_token(client, editor), "next": editor,
        "image": (io.BytesIO(content), name),
    }, content_type="multipart/form-data")


def _images() -> int:
    return db.session.scalar(select(func.count()).select_from(ModuleImage))


def test_an_author_uploads_a_picture_that_learners_see_in_the_module(client, auth, s):
    auth.login_as(s.trainer)
    response = _upload(client, s.course.id, _png())
    assert response.status_code == 302
    assert response.headers["Location"] == f"/courses/{s.course.id}/modules/new"
    image = db.session.scalar(select(ModuleImage))
    address = f"/courses/{s.course.id}/images/{image.id}"
    editor = BeautifulSoup(client.get(response.headers["Location"]).get_data(as_text=True),
                           "html.parser")
    assert f"![describe the picture]({address})" in editor.get_text()
    assert address in [img["src"] for img in editor.select(".module-images img")]
    # The editor's hint speaks of uploading, no longer of images on other sites.
    assert "![description](https://" not in editor.get_text()
    assert "upload it under \"Pictures\"" in editor.get_text()

    module = modules.create_module(s.trainer, s.course.id, title="Tillen zonder pijn", minutes=5,
                                   body_markdown=f"Zo til je:\n\n![Een rechte rug]({address})")
    db.session.commit()
    auth.logout()
    auth.login_as(s.learner)
    page = client.get(f"/courses/{s.course.id}/modules/{module.id}")
    shown = BeautifulSoup(page.get_data(as_text=True), "html.parser").select(".module-body img")
    assert [(img["src"], img["alt"]) for img in shown] == [(address, "Een rechte rug")]
    picture = client.get(address)
    assert picture.status_code == 200 and picture.mimetype == "image/png"
    assert picture.data == _png()
    # The page itself asks no other site for an image: the policy allows only the College's own.
    policy = page.headers["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert "http" not in img_src and "*" not in img_src


def test_only_people_who_may_read_the_modules_get_the_picture(client, auth, s, make):
    auth.login_as(s.trainer)
    _upload(client, s.course.id, _png())
    image_id = db.session.scalar(select(ModuleImage.id))
    auth.logout()
    address = f"/courses/{s.course.id}/images/{image_id}"
    assert client.get(address).status_code == 302  # to the login page
    auth.login_as(make.learner())  # not enrolled
    assert client.get(address).status_code == 403
    other = setting(make)
    auth.logout()
    auth.login_as(other.learner)
    assert client.get(f"/courses/{other.course.id}/images/{image_id}").status_code == 404


@pytest.mark.parametrize(("content", "message"), [
    (b"%PDF-1.7 not a picture", "The picture must be a PNG or JPEG image."),
    (b"", "Choose an image file."),
])
def test_anything_but_a_picture_is_refused_with_a_clear_message(client, auth, s, content, message):
    auth.login_as(s.trainer)
    response = _upload(client, s.course.id, content, name="brief.pdf")
    assert response.status_code == 302
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _images() == 0


def test_a_learner_cannot_add_pictures(client, auth, s):
    auth.login_as(s.learner)
    assert _upload(client, s.course.id, _png()).status_code in (403, 400)
    assert _images() == 0


def test_a_picture_shown_in_a_module_cannot_be_deleted_an_unused_one_can(client, auth, s):
    """The page and the API decide alike: 409/refusal while a module shows it, then gone."""
    auth.login_as(s.trainer)
    _upload(client, s.course.id, _png())
    _upload(client, s.course.id, _png())
    shown, unused = db.session.scalars(select(ModuleImage.id).order_by(ModuleImage.id)).all()
    modules.create_module(s.trainer, s.course.id, title="Tillen zonder pijn", minutes=5,
                          body_markdown=f"![Een rechte rug](/courses/{s.course.id}/images/{shown})")
    db.session.commit()
    editor = f"/courses/{s.course.id}/modules/new"

    refused = client.post(f"/courses/{s.course.id}/images/{shown}/delete",
                          data={"csrf_token": csrf_token(client, editor), "next": editor})
    assert refused.status_code == 302
    page = BeautifulSoup(client.get(refused.headers["Location"]).get_data(as_text=True), "html.parser")
    assert "This picture is shown in \u201cTillen zonder pijn\u201d. Take it out of the text first." in page.get_text()
    answer = client.delete(f"/api/v1/courses/{s.course.id}/images/{shown}", headers=bearer_for(s.trainer))
    assert answer.status_code == 409 and "Tillen zonder pijn" in answer.get_json()["detail"]
    assert _images() == 2

    deleted = client.post(f"/courses/{s.course.id}/images/{unused}/delete",
                          data={"csrf_token": csrf_token(client, editor), "next": editor})
    assert "The picture is deleted." in client.get(deleted.headers["Location"]).get_data(as_text=True)
    assert _images() == 1
    assert client.delete(f"/api/v1/courses/{s.course.id}/images/{unused}",
                         headers=bearer_for(s.trainer)).status_code == 404


def test_the_api_uploads_lists_and_serves_pictures_to_readers_only(client, s, make):
    headers = bearer_for(s.trainer)
    added = client.post(f"/api/v1/courses/{s.course.id}/images", headers=headers,
                        data={"image": (io.BytesIO(_png()), "tillen.png")}, content_type="multipart/form-data")
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert body["markdown"] == f"![](/courses/{s.course.id}/images/{body['id']})"
    listed = client.get(f"/api/v1/courses/{s.course.id}/images", headers=headers).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]

    picture = f"/api/v1/courses/{s.course.id}/images/{body['id']}"
    seen = client.get(picture, headers=bearer_for(s.learner))
    assert (seen.status_code, seen.mimetype, seen.data) == (200, "image/png", _png())
    assert client.get(picture, headers=bearer_for(make.learner())).status_code == 403
    bad = client.post(f"/api/v1/courses/{s.course.id}/images", headers=headers,
                      data={"image": (io.BytesIO(b"not a picture"), "x.png")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "PNG or JPEG" in str(bad.get_json())
    assert client.post(f"/api/v1/courses/{s.course.id}/images", headers=bearer_for(s.learner),
                       data={"image": (io.BytesIO(_png()), "x.png")},
                       content_type="multipart/form-data").status_code == 403
    assert _images() == 1
