"""Participant lists by file: every row is checked and shown before anything is saved; then the
accounts are created (managed without email) and everyone is enrolled by the usual rules. The
page and the API decide the same for the same file."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import Workbook
from sqlalchemy import func, select

from college.accounts.models import Kind, User
from college.catalogue import queries
from college.enrolment import imports
from college.enrolment.imports import Outcome
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.conftest import csrf_token

HEADINGS = ["Naam", "E-mail", "Telefoon", "Soort", "Gemeente"]
# (row, what the check says) -- the rows of one list, in order, from line 2 on.
ROWS = [
    (["Mia Claes", "mia@example.be", "", "mantelzorger", "Gent"], "new"),
    (["Jozef Wouters", "", "09 386 12 34", "", "Zulte"], "new_managed"),
    (["Bestaande Leerder", "BESTAAT@example.be", "", "", ""], "existing"),
    (["Maurice Beheerd", "", "+32 9 111 22 33", "mantelzorger", ""], "existing"),
    (["", "naamloos@example.be", "", "", ""], "The name is missing."),
    (["Zonder Contact", "", "", "", ""], "Give an email address or a phone number"),
    (["Fout Adres", "geen-adres", "", "", ""], "Enter a valid email address"),
    (["Mia Claes bis", "mia@example.be", "", "", ""], "The same person as on line 2."),
    (["Al Ingeschreven", "al@example.be", "", "", ""], "Already enrolled in this edition."),
    (["Onbekend Soort", "soort@example.be", "", "dokter", ""], 'Write "mantelzorger" or "zorgprofessional"'),
]


@pytest.fixture()
def world(make):
    hub = make.organiser("Mantelzorghub Gent")
    coordinator = make.coordinator(hub)
    trainer = make.trainer(hub)
    course = make.course(hub, open_to_caregivers=True, open_to_professionals=False)
    edition = make.edition(course, capacity=4, trainers=[trainer])
    make.learner(name="Bestaande Leerder", email="bestaat@example.be")
    make.learner(name="Maurice Beheerd", email=None, password=None, phone="09 111 22 33",
                 managed_by_organiser_id=hub.id)
    make.enrolment(make.learner(name="Al Ingeschreven", email="al@example.be"), edition)
    return {"hub": hub, "coordinator": coordinator, "trainer": trainer, "edition": edition}


def csv_file(rows=ROWS) -> bytes:
    lines = [";".join(HEADINGS)] + [";".join(cells) for cells, _outcome in rows]
    return ("\ufeff" + "\r\n".join(lines)).encode()


def xlsx_file(rows=ROWS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADINGS)
    for cells, _outcome in rows:
        sheet.append([cell or None for cell in cells])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def totals() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Enrolment)))


def page_check(client, edition, name: str, data: bytes):
    page = f"/editions/{edition.id}/import"
    return client.post(page, data={"csrf_token": csrf_token(client, page),
                                   "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def shown_rows(response) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [tr.select("td")[-1].get_text(" ", strip=True) for tr in soup.select("table.import-check tbody tr")]


PAGE_WORDS = {"new": "New account, enrolled", "new_managed": "New account without email",
              "existing": "Existing account, enrolled"}


@pytest.mark.parametrize(("name", "build"), [("deelnemers.csv", csv_file), ("deelnemers.xlsx", xlsx_file)])
def test_the_page_shows_every_row_then_enrols_on_confirmation(client, auth, world, name, build):
    auth.login_as(world["coordinator"])
    edition = world["edition"]
    before = totals()
    check = page_check(client, edition, name, build())
    assert check.status_code == 200, check.get_data(as_text=True)[:3000]
    assert totals() == before  # nothing saved yet
    shown = shown_rows(check)
    for (_cells, outcome), text in zip(ROWS, shown, strict=True):
        assert PAGE_WORDS.get(outcome, outcome) in text
    text = check.get_data(as_text=True)
    assert "These columns are not kept: Gemeente." in text
    assert "Enrol 4 people" in text

    soup = BeautifulSoup(text, "html.parser")
    form = soup.find("form", action=f"/editions/{edition.id}/import/confirm")
    sent = {field["name"]: field.get("value", "") for field in form.find_all("input")}
    done = client.post(f"/editions/{edition.id}/import/confirm", data=sent)
    assert done.status_code == 200
    done_text = BeautifulSoup(done.get_data(as_text=True), "html.parser").get_text(" ", strip=True)
    # Four seats, one taken before: three seated, the fourth on the waiting list.
    assert "3 people are enrolled." in done_text and "1 person is on the waiting list." in done_text
    assert "Row 6, ?: The name is missing." in done_text

    mia = User.by_email("mia@example.be")
    jozef = db.session.scalar(select(User).where(User.name == "Jozef Wouters"))
    assert mia.kind == Kind.CAREGIVER and mia.managed_by_organiser_id is None
    assert jozef.email is None and jozef.managed_by_organiser_id == world["hub"].id
    assert jozef.phone == "09 386 12 34"
    statuses = dict(db.session.execute(select(User.name, Enrolment.status).join(
        Enrolment, Enrolment.learner_id == User.id).where(Enrolment.edition_id == edition.id)).all())
    assert statuses == {"Al Ingeschreven": EnrolmentStatus.ENROLLED, "Mia Claes": EnrolmentStatus.ENROLLED,
                        "Jozef Wouters": EnrolmentStatus.ENROLLED, "Bestaande Leerder": EnrolmentStatus.ENROLLED,
                        "Maurice Beheerd": EnrolmentStatus.WAITLISTED}

    # The same confirmation again (a double click, the back button) enrols nobody twice.
    again = client.post(f"/editions/{edition.id}/import/confirm", data=sent)
    assert again.status_code == 200
    assert "0 people are enrolled." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 5


def test_the_api_decides_what_the_page_decides(client, world):
    edition, headers = world["edition"], bearer_for(world["coordinator"])
    before = totals()
    preview = client.post(f"/api/v1/editions/{edition.id}/imports/preview", headers=headers,
                          data={"file": (io.BytesIO(xlsx_file()), "lijst.xlsx")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200, preview.get_json()
    rows = preview.get_json()["rows"]
    for (_cells, outcome), row in zip(ROWS, rows, strict=True):
        assert (row["outcome"] == outcome if outcome in PAGE_WORDS else outcome in row["reason"]), row
    assert preview.get_json()["ignored_columns"] == ["Gemeente"]
    assert totals() == before

    done = client.post(f"/api/v1/editions/{edition.id}/imports", headers=headers,
                       data={"file": (io.BytesIO(csv_file()), "lijst.csv")}, content_type="multipart/form-data")
    assert done.status_code == 201
    body = done.get_json()
    assert (sorted(body["enrolled"]), body["waitlisted"]) == (
        ["Bestaande Leerder", "Jozef Wouters", "Mia Claes"], ["Maurice Beheerd"])
    assert [row["line"] for row in body["refused"]] == [6, 7, 8, 9, 10, 11]


BAD_FILES = [
    ("leeg.csv", b"", "The file is empty."),
    ("lijst.pdf", b"%PDF-1.4", "Upload a CSV file or an Excel file (.xlsx)."),
    ("lijst.csv", b"voornaam;adres\nMia;Gent", 'at least a column "naam"'),
    ("lijst.xlsx", b"PK\x03\x04 kapot", "This Excel file cannot be read."),
    ("groot.csv", b"naam;e-mail\n" + b"x;y@example.be\n" * 80_000, "larger than 1 MB"),
    ("veld.csv", b'naam;e-mail\n"' + b"x" * 200_000 + b"\n", "cannot be read as a list"),
    ("lang.csv", b"naam;e-mail\n" + b"".join(b"P%d;p%d@example.be\n" % (i, i) for i in range(501)),
     "more than 500 people"),
]


# Werkzeug's test client spools a body over 500 KB into a temporary file it never closes (the
# app closes the request's own files); collected here, inside this test, it warns here only.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_alike_and_changes_nothing(client, auth, world, name, data, message):
    edition = world["edition"]
    before = totals()
    auth.login_as(world["coordinator"])
    shown = page_check(client, edition, name, data)
    assert shown.status_code == 422
    assert message in BeautifulSoup(shown.get_data(as_text=True), "html.parser").get_text(" ", strip=True)
    answer = client.post(f"/api/v1/editions/{edition.id}/imports", headers=bearer_for(world["coordinator"]),
                         data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert answer.status_code == 422 and message in str(answer.get_json())
    assert totals() == before
    del shown, answer
    gc.collect()


def test_a_changed_check_enrols_nobody(client, auth, world):
    auth.login_as(world["coordinator"])
    edition = world["edition"]
    check = page_check(client, edition, "lijst.csv", csv_file())
    form = BeautifulSoup(check.get_data(as_text=True), "html.parser").find(
        "form", action=f"/editions/{edition.id}/import/confirm")
    sent = {field["name"]: field.get("value", "") for field in form.find_all("input")}
    before = totals()
    sent["rows"] = sent["rows"][:-3] + "abc"
    answer = client.post(f"/editions/{edition.id}/import/confirm", data=sent)
    assert answer.status_code == 422
    assert "Upload the file again." in answer.get_data(as_text=True)
    assert totals() == before


def test_only_coordinators_import(client, auth, world):
    edition, trainer = world["edition"], world["trainer"]
    auth.login_as(trainer)
    assert client.get(f"/editions/{edition.id}/import").status_code == 403
    answer = client.post(f"/api/v1/editions/{edition.id}/imports/preview", headers=bearer_for(trainer),
                         data={"file": (io.BytesIO(csv_file()), "lijst.csv")}, content_type="multipart/form-data")
    assert answer.status_code == 403


def test_the_demo_list_shows_two_good_rows_and_three_errors(world):
    """docs/demo-participants.csv, which the README suggests importing in the demo."""
    data = (Path(__file__).parents[2] / "docs" / "demo-participants.csv").read_bytes()
    rows, ignored = imports.read_file("demo-participants.csv", data)
    edition = queries.edition_with_course(world["edition"].id)
    plan = imports.plan_import(world["coordinator"], edition, rows)
    assert [row.outcome for row in plan.rows] == [
        Outcome.NEW, Outcome.NEW_MANAGED, Outcome.ERROR, Outcome.ERROR, Outcome.ERROR]
    assert [row.reason.split(",")[0] for row in plan.rows[2:]] == [
        "Enter a valid email address", "The name is missing.", "The same person as on line 3."]
    assert ignored == ["Gemeente"]
