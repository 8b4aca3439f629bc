"""Participant lists that come in by file: a CSV or XLSX read, checked row by row, then enrolled.

`plan_import` reads the file and says for each row what will happen (a new account, a new
account without email, an existing account, or why the row cannot be used) and writes nothing.
`run_import` plans again from the same rows, creates the accounts (managed where there is no
email) and enrols everyone by the usual rules (seats, then the waiting list).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select

from college.accounts.models import Kind, Organiser, User
from college.accounts.services import create_account, normalise_email, normalise_phone
from college.catalogue.models import Edition
from college.enrolment.models import LIVE_STATUSES, Enrolment, EnrolmentStatus
from college.enrolment.services import enrol_learner
from college.errors import Invalid, NotAllowed, ServiceError
from college.extensions import db
from college.policy import can_manage_course

#: The largest file and the most rows one import takes.
MAX_BYTES = 1024 * 1024
MAX_ROWS = 500

#: Column headings as people write them, in Dutch or English, to the field they fill.
_HEADINGS = {
    "naam": "name", "name": "name", "voornaam en naam": "name", "volledige naam": "name",
    "e-mail": "email", "email": "email", "e-mailadres": "email", "emailadres": "email",
    "mail": "email", "telefoon": "phone", "phone": "phone", "gsm": "phone",
    "telefoonnummer": "phone", "soort": "kind", "kind": "kind", "type": "kind",
    "doelgroep": "kind", "gemeente": "municipality", "municipality": "municipality",
    "woonplaats": "municipality",
}
_KINDS = {
    "mantelzorger": Kind.CAREGIVER, "caregiver": Kind.CAREGIVER,
    "zorgprofessional": Kind.PROFESSIONAL, "professional": Kind.PROFESSIONAL,
    "professioneel": Kind.PROFESSIONAL, "hulpverlener": Kind.PROFESSIONAL,
}


class Outcome(StrEnum):
    NEW = "new"                  # a new account with email
    NEW_MANAGED = "new_managed"  # a new account without email, managed by the organiser
    EXISTING = "existing"        # an account that exists already
    ERROR = "error"              # the row is not used; `reason` says why


@dataclass
class Row:
    """One participant as the file gives them (text as typed), with what will happen."""

    line: int
    name: str = ""
    email: str = ""
    phone: str = ""
    kind: str = ""
    outcome: Outcome = Outcome.ERROR
    reason: str = ""
    learner_id: int | None = None

    def as_dict(self) -> dict:
        return {"line": self.line, "name": self.name, "email": self.email, "phone": self.phone,
                "kind": self.kind}


@dataclass
class Plan:
    """What an import will do, row by row; `ignored` names columns that are not kept."""

    rows: list[Row] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def count(self, *outcomes: Outcome) -> int:
        return sum(row.outcome in outcomes for row in self.rows)

    @property
    def usable(self) -> list[Row]:
        return [row for row in self.rows if row.outcome is not Outcome.ERROR]


def read_file(filename: str, data: bytes) -> tuple[list[dict], list[str]]:
    """The rows of a CSV or XLSX file as {field: text}, and the headings that are not used."""
    if not data:
        raise Invalid(_("The file is empty."), field="file")
    if len(data) > MAX_BYTES:
        raise Invalid(_("The file is larger than 1 MB. Split the list into smaller files."),
                      field="file")
    if filename.lower().endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")):
        table = _csv_rows(data)
    else:
        raise Invalid(_("Upload a CSV file or an Excel file (.xlsx)."), field="file")
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise Invalid(_("The file is empty."), field="file")
    headings = [" ".join(cell.strip().lower().split()) for cell in table[0]]
    fields = [_HEADINGS.get(heading) for heading in headings]
    if "name" not in fields:
        raise Invalid(_("The first row must name the columns, with at least a column \"naam\" "
                        "(and \"e-mail\" or \"telefoon\")."), field="file")
    if len(table) - 1 > MAX_ROWS:
        raise Invalid(_("The file has more than %(most)d people. Split the list into smaller "
                        "files.", most=MAX_ROWS), field="file")
    ignored = [table[0][index].strip() for index, name in enumerate(fields)
               if name in (None, "municipality") and table[0][index].strip()]
    rows = [{name: (cells[index].strip() if index < len(cells) else "")
             for index, name in enumerate(fields) if name and name != "municipality"}
            for cells in table[1:]]
    return rows, ignored


class _BelgianCsv(csv.excel):
    """What Excel writes on a Belgian computer: semicolons between the cells."""

    delimiter = ";"


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on a Belgian Windows
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = _BelgianCsv
    try:
        return [list(row) for row in csv.reader(io.StringIO(text.replace("\x00", "")), dialect)]
    except csv.Error as error:  # a cell longer than the csv module takes, for example
        raise Invalid(_("This file cannot be read as a list. Save it again as CSV or as .xlsx."),
                      field="file") from error


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any broken or foreign file is the sender's
        # openpyxl raises what its parts raise (zipfile, XML, KeyError, ValueError, ...).
        raise Invalid(_("This Excel file cannot be read. Save it again as .xlsx or as CSV."),
                      field="file") from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)  # a few too many is enough
        return [["" if cell is None else str(cell) for cell in row] for row in rows]
    finally:
        workbook.close()


def check_may_import(actor: User, edition: Edition) -> None:
    """Only the organiser's coordinators import lists (they create accounts)."""
    if not can_manage_course(actor, edition.course):
        raise NotAllowed(_("Only coordinators of this organiser can import participant lists."))


def plan_import(actor: User, edition: Edition, rows: list[dict]) -> Plan:
    """What importing these rows into `edition` (course loaded) will do; nothing is written."""
    check_may_import(actor, edition)
    organiser_id = edition.course.organiser_id
    plan = Plan()
    seen: dict[str, int] = {}
    for line, cells in enumerate(rows, start=2):  # line 1 holds the headings
        row = Row(line=int(cells.get("line", line)), name=cells.get("name", ""),
                  email=cells.get("email", ""), phone=cells.get("phone", ""),
                  kind=cells.get("kind", ""))
        plan.rows.append(row)
        try:
            _check_row(row, edition, organiser_id, seen)
        except ServiceError as error:
            row.outcome, row.reason = Outcome.ERROR, error.message
    return plan


def _kind(row: Row, edition: Edition) -> Kind:
    if row.kind.strip():
        kind = _KINDS.get(row.kind.strip().lower())
        if kind is None:
            raise Invalid(_("Write \"mantelzorger\" or \"zorgprofessional\" as the kind."))
        return kind
    course = edition.course
    if course.open_to_caregivers and not course.open_to_professionals:
        return Kind.CAREGIVER
    if course.open_to_professionals and not course.open_to_caregivers:
        return Kind.PROFESSIONAL
    raise Invalid(_("The course is open to both: write \"mantelzorger\" or \"zorgprofessional\"."))


def _check_row(row: Row, edition: Edition, organiser_id: int, seen: dict[str, int]) -> None:
    if not row.name.strip():
        raise Invalid(_("The name is missing."))
    email, phone = normalise_email(row.email), normalise_phone(row.phone)
    if email is None and phone is None:
        raise Invalid(_("Give an email address or a phone number, so that we can reach them."))
    kind = _kind(row, edition)
    key = f"email:{email}" if email else f"phone:{_phone_key(phone)}"
    if key in seen:
        raise Invalid(_("The same person as on line %(line)d.", line=seen[key]))
    seen[key] = row.line
    existing = User.by_email(email) if email else _managed_by_phone(organiser_id, phone)
    if existing is None:
        row.outcome = Outcome.NEW if email else Outcome.NEW_MANAGED
        return
    if not existing.is_active or not existing.is_learner:
        raise Invalid(_("This address belongs to an account that cannot enrol."))
    if existing.kind is not None and existing.kind != kind and row.kind.strip():
        raise Invalid(_("An account with this address exists as another kind of learner."))
    if db.session.scalar(select(Enrolment.id).where(
            Enrolment.learner_id == existing.id, Enrolment.edition_id == edition.id,
            Enrolment.status.in_(LIVE_STATUSES))) is not None:
        raise Invalid(_("Already enrolled in this edition."))
    row.outcome, row.learner_id = Outcome.EXISTING, existing.id


def _phone_key(phone: str | None) -> str:
    """A phone number's digits without the Belgian prefix: "+32 9 111 22 33" is "09 111 22 33"."""
    digits = "".join(filter(str.isdigit, phone or ""))
    for prefix in ("0032", "32"):
        if digits.startswith(prefix) and len(digits) - len(prefix) in (8, 9):
            digits = digits[len(prefix):]
            break
    return digits.removeprefix("0")


def _managed_by_phone(organiser_id: int, phone: str | None) -> User | None:
    """The organiser's managed account with this phone number, if any."""
    key = _phone_key(phone)
    candidates = db.session.scalars(select(User).where(
        User.managed_by_organiser_id == organiser_id, User.phone.is_not(None)))
    return next((user for user in candidates if _phone_key(user.phone) == key), None)


@dataclass
class Result:
    """What an import did: who got a seat, who is on the waiting list, and the rows left out."""

    enrolled: list[str] = field(default_factory=list)
    waitlisted: list[str] = field(default_factory=list)
    refused: list[Row] = field(default_factory=list)


def run_import(actor: User, edition: Edition, rows: list[dict]) -> Result:
    """Create the accounts and enrol the usable rows; a row refused now is reported, not fatal."""
    plan = plan_import(actor, edition, rows)
    organiser = db.session.get(Organiser, edition.course.organiser_id)
    result = Result(refused=[row for row in plan.rows if row.outcome is Outcome.ERROR])
    for row in plan.usable:
        try:
            with db.session.begin_nested():
                enrolment = _enrol_row(actor, organiser, edition, row)
        except ServiceError as error:
            row.outcome, row.reason = Outcome.ERROR, error.message
            result.refused.append(row)
            continue
        seated = enrolment.status == EnrolmentStatus.ENROLLED
        (result.enrolled if seated else result.waitlisted).append(row.name.strip())
    result.refused.sort(key=lambda row: row.line)
    return result


def _enrol_row(actor: User, organiser: Organiser, edition: Edition, row: Row) -> Enrolment:
    if row.outcome is Outcome.EXISTING:
        learner = db.session.get(User, row.learner_id)
        if learner.email:
            return enrol_learner(edition_id=edition.id, actor=actor, email=learner.email)
        return enrol_learner(edition_id=edition.id, actor=actor, learner_id=learner.id)
    learner = create_account(actor=actor, organiser=organiser, name=row.name, roles=["learner"],
                             email=row.email or None, kind=_kind(row, edition),
                             phone=row.phone or None)
    db.session.flush()
    if learner.email:
        return enrol_learner(edition_id=edition.id, actor=actor, email=learner.email)
    return enrol_learner(edition_id=edition.id, actor=actor, learner_id=learner.id)
