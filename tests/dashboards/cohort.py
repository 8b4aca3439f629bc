"""A cohort whose enrolments, marks, completions and certificates fall in other months than the
editions' first days, and the figures each surface (page, CSV, API) must show for it.

The period is March to May 2025. What happens, and why it once made the figures contradict:
- "Omgaan met dementie" ran in January (before the period); its five learners were marked
  completed on 2 April and got their certificates on 3 April (inside the period). Counted by
  the date of completion or of the certificate, the period had 6 completions but only 3
  people who attended a session in it, and a course with 0 editions and 4 certificates.
- "Signalen van overbelasting" (both tracks) started on 20 March (B1) and on 25 May (B2); its
  learners enrolled in February, two completed in April, one in June, and two certificates
  were issued in June (after the period). One learner was excused for every session, one was
  absent from every session; one waits on the waiting list.
- "Respijtzorg: wat bestaat er?" has an edition in May without anyone enrolled.
- "Tillen en verplaatsen" starts in July (after the period) but its learner enrolled in April.
- Another organiser runs an edition in April: none of it may leak into these figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from types import SimpleNamespace

from college import timeutil
from college.accounts.models import Kind
from college.attendance.models import Attendance, AttendanceStatus
from college.certificates.models import Certificate, CertificateStatus
from college.enrolment.models import EnrolmentStatus
from college.extensions import db

P, L, E, A = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED,
              AttendanceStatus.ABSENT)
START, END = date(2025, 3, 1), date(2025, 5, 31)
QUERY = f"start={START.isoformat()}&end={END.isoformat()}"


def at(day: date, hour: int = 14) -> datetime:
    return timeutil.brussels(day, time(hour))


def build_cohort(make) -> SimpleNamespace:
    """The organiser, its staff, and the rows described in the module's docstring."""
    c = SimpleNamespace()
    c.hub = make.organiser(name="Mantelzorghub Leiestreek")
    c.coordinator = make.coordinator(c.hub)
    c.trainer = make.trainer(c.hub, name="Trainer Tine")
    certificates = iter(range(1, 1000))

    def edition(course, days: list[date], capacity: int):
        made = make.edition(course, trainers=[c.trainer], starts_on=days[0], ends_on=days[-1],
                            capacity=capacity)
        return made, [make.session(made, starts_at=at(day)) for day in days]

    def seat(learner, edition, enrolled_on: date, marks=(), sessions=(), completed_on=None,
             issued_on=None, status=None):
        status = status or (EnrolmentStatus.COMPLETED if completed_on else EnrolmentStatus.ENROLLED)
        enrolment = make.enrolment(learner, edition, status=status, created_at=at(enrolled_on, 10),
                                   completed_at=at(completed_on, 18) if completed_on else None)
        for session, mark in zip(sessions, marks, strict=False):
            db.session.add(Attendance(session_id=session.id, learner_id=learner.id, status=mark,
                                      recorded_at=session.starts_at))
        if issued_on:
            db.session.add(Certificate(
                enrolment_id=enrolment.id, learner_id=learner.id, edition_id=edition.id,
                status=CertificateStatus.ISSUED, issued_at=at(issued_on, 9),
                verification_code=f"COHORT{next(certificates):06d}"))
        db.session.commit()
        return enrolment

    caregiver = lambda name: make.learner(kind=Kind.CAREGIVER, name=name)  # noqa: E731
    professional = lambda name: make.learner(kind=Kind.PROFESSIONAL, name=name)  # noqa: E731
    c.l1, c.l3, c.l5 = caregiver("Leen"), caregiver("Lotte"), caregiver("Lucas")
    c.l2, c.l4 = professional("Laura"), professional("Lars")

    # Before the period: completed and certified inside it.
    dementia = make.course(c.hub, title="Omgaan met dementie", min_attendance_pct=50)
    a1, a1_sessions = edition(dementia, [date(2025, 1, 15), date(2025, 1, 22)], capacity=8)
    for name in ("Anna", "Bart", "Chris", "Dirk"):
        seat(caregiver(name), a1, date(2024, 12, 10), (P, P), a1_sessions,
             completed_on=date(2025, 4, 2), issued_on=date(2025, 4, 3))
    # Lucas held a seat before the period: returning. Lars cancelled his: new.
    seat(c.l5, a1, date(2024, 12, 12), (P, P), a1_sessions, completed_on=date(2025, 4, 2),
         issued_on=date(2025, 4, 3))
    seat(c.l4, a1, date(2024, 12, 12), status=EnrolmentStatus.CANCELLED)

    signals = make.course(c.hub, title="Signalen van overbelasting", open_to_caregivers=True,
                          open_to_professionals=True, min_attendance_pct=75)
    b1, b1_sessions = edition(signals, [date(2025, 3, 20), date(2025, 3, 27), date(2025, 4, 3)],
                              capacity=10)
    seat(c.l1, b1, date(2025, 2, 10), (P, P, L), b1_sessions, completed_on=date(2025, 4, 3),
         issued_on=date(2025, 4, 4))
    seat(c.l2, b1, date(2025, 2, 11), (P, P, P), b1_sessions, completed_on=date(2025, 4, 3),
         issued_on=date(2025, 6, 5))
    seat(c.l3, b1, date(2025, 2, 12), (E, E, E), b1_sessions)
    seat(c.l4, b1, date(2025, 2, 13), (A, A, A), b1_sessions)
    make.enrolment(caregiver("Wanda"), b1, status=EnrolmentStatus.WAITLISTED,
                   created_at=at(date(2025, 3, 1), 10))
    b2, b2_sessions = edition(signals, [date(2025, 5, 25), date(2025, 6, 8)], capacity=6)
    seat(c.l5, b2, date(2025, 5, 1), (P, P), b2_sessions, completed_on=date(2025, 6, 8),
         issued_on=date(2025, 6, 9))

    respite = make.course(c.hub, title="Respijtzorg: wat bestaat er?")
    edition(respite, [date(2025, 5, 10)], capacity=12)

    lifting = make.course(c.hub, title="Tillen en verplaatsen")
    c1, _ = edition(lifting, [date(2025, 7, 1)], capacity=10)
    seat(caregiver("Lien"), c1, date(2025, 4, 15))

    other_hub = make.organiser(name="Mantelzorghub Waasland")
    other = make.course(other_hub, title="Signalen van overbelasting")
    e1 = make.edition(other, starts_on=date(2025, 4, 1), capacity=5)
    e1_session = make.session(e1, starts_at=at(date(2025, 4, 1)))
    for name in ("Olga", "Omer"):
        seat(caregiver(name), e1, date(2025, 3, 3), (P,), [e1_session],
             completed_on=date(2025, 4, 1), issued_on=date(2025, 4, 2))
    return c


@dataclass(frozen=True)
class Expected:
    editions: int
    capacity: int
    seats_taken: int
    waitlisted: int
    enrolled: int
    took_part: int
    completed: int
    certified: int
    attended_marks: int
    recorded_marks: int

    def rate(self, part: str, whole: str) -> float | None:
        return 100 * getattr(self, part) / getattr(self, whole) if getattr(self, whole) else None


SIGNALS = Expected(editions=2, capacity=16, seats_taken=5, waitlisted=1, enrolled=5, took_part=3,
                   completed=3, certified=3, attended_marks=8, recorded_marks=11)
RESPITE = Expected(1, 12, 0, 0, 0, 0, 0, 0, 0, 0)
TOTAL = Expected(3, 28, 5, 1, 5, 3, 3, 3, 8, 11)


@dataclass(frozen=True)
class Case:
    """Where to look (total, course, track or month, with its name) and what must be there."""

    where: str
    name: str | None
    expected: Expected | None  # None: must not be listed

    def __str__(self) -> str:
        return f"{self.where}:{self.name or ''}"


CASES = [
    Case("total", None, TOTAL),
    Case("course", "Signalen van overbelasting", SIGNALS),
    Case("course", "Respijtzorg: wat bestaat er?", RESPITE),
    # Its editions started before the period: its certificates issued in it do not count.
    Case("course", "Omgaan met dementie", None),
    # Starts after the period, although its learner enrolled in it.
    Case("course", "Tillen en verplaatsen", None),
    Case("track", "caregivers", TOTAL),
    Case("track", "professionals", SIGNALS),
    Case("month", "2025-03", Expected(1, 10, 4, 1, 4, 2, 2, 2, 6, 9)),
    Case("month", "2025-05", Expected(2, 18, 1, 0, 1, 1, 1, 1, 2, 2)),
    Case("month", "2025-04", None),  # the other organiser's edition
    Case("month", "2025-01", None),
]

REACH = {"enrolled": {"caregiver": 3, "professional": 2},
         "took_part": {"caregiver": 2, "professional": 1},
         "completed": {"caregiver": 2, "professional": 1},
         "certified": {"caregiver": 2, "professional": 1}}
NEW_LEARNERS, RETURNING_LEARNERS = 4, 1


# ---------------------------------------------------------------- reading the three surfaces

#: The columns of the page's tables, by the figures' labels.
PAGE_COUNTS = {"editions": "Editions", "capacity": "Seats offered", "enrolled": "Enrolled",
               "took_part": "Took part", "completed": "Completed", "certified": "Certificate issued",
               "waitlisted": "Waiting list"}
PAGE_RATES = {"fill_rate": "Fill rate", "attendance_rate": "Attendance rate",
              "completion_rate": "Completion rate"}
#: The CSV tables carry every counted figure.
CSV_COUNTS = {**PAGE_COUNTS, "seats_taken": "Seats taken", "attended_marks": "Attended (marks)",
              "recorded_marks": "Recorded (marks)"}
CSV_RATES = {key: f"{label} (%)" for key, label in PAGE_RATES.items()}
RATES = {"fill_rate": ("seats_taken", "capacity"),
         "attendance_rate": ("attended_marks", "recorded_marks"),
         "completion_rate": ("completed", "enrolled")}
_TABLE = {"total": "per-course-table", "course": "per-course-table", "track": "per-track-table",
          "month": "per-month-table"}
_ROW_NAME = {"caregivers": "Caregivers", "professionals": "Professionals"}


def table_rows(soup, caption_id: str) -> dict[str, dict[str, str]]:
    """A table of the page as {row header: {column header: cell text}}, footer included."""
    table = soup.find(id=caption_id).find_parent("table")
    columns = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    # A cell spanning columns (new and returning learners) is read under the first of them.
    return {tr.th.get_text(strip=True): dict(zip(columns, [td.get_text(strip=True)
                                                          for td in tr.select("td")], strict=False))
            for tr in table.select("tbody tr, tfoot tr") if tr.th is not None}


def _row_name(case: Case) -> str:
    return "Total" if case.where == "total" else _ROW_NAME.get(case.name, case.name)


def _percent(text: str) -> float | None:
    return None if text in ("–", "") else float(text.rstrip("%"))


def page_case(soup, case: Case) -> dict | None:
    """The figures the page shows for the case (rates as whole percents), None if not listed."""
    row = table_rows(soup, _TABLE[case.where]).get(_row_name(case))
    if row is None:
        return None
    return ({key: int(row[label]) for key, label in PAGE_COUNTS.items()}
            | {key: _percent(row[label]) for key, label in PAGE_RATES.items()})


def csv_case(tables: dict[str, list[dict[str, str]]], case: Case) -> dict | None:
    """The figures a CSV table holds for the case, None if not listed."""
    name = {"total": "courses", "course": "courses", "track": "tracks", "month": "months"}[case.where]
    rows = {next(iter(row.values())): row for row in tables[name]}
    row = rows.get(_row_name(case))
    if row is None:
        return None
    return ({key: int(row[label]) for key, label in CSV_COUNTS.items()}
            | {key: _percent(row[label]) for key, label in CSV_RATES.items()})


def api_case(body: dict, case: Case) -> dict | None:
    """The figures of the API's document for the case, None if not listed."""
    if case.where == "total":
        return body["total"]
    key = {"course": "title", "track": "track", "month": "month"}[case.where]
    found = [item["figures"] for item in body[case.where + "s"] if item[key] == case.name]
    assert len(found) <= 1
    return found[0] if found else None


def expected_for(case: Case, counts: dict, digits: int | None) -> dict | None:
    """What a surface showing these counts must show: rates rounded as that surface does."""
    if case.expected is None:
        return None
    figures = case.expected
    rates = {}
    for key, (part, whole) in RATES.items():
        value = figures.rate(part, whole)
        rates[key] = None if value is None else (
            float(f"{value:.0f}") if digits is None else round(value, digits))
    return {key: getattr(figures, key) for key in counts} | rates
