"""The evaluation figures on the coordinator's dashboard (page, CSV, PDF) and the evaluation
report's PDF: the same numbers as the evaluation report, never a figure about fewer than five."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bs4 import BeautifulSoup
from pypdf import PdfReader

from college.accounts.models import User
from college.evaluation import burden
from college.evaluation.models import BurdenMoment
from college.evaluation.reports import evaluation_report, report_rows, version_name
from college.extensions import db
from tests.conftest import counted_queries
from tests.evaluation.helpers import finished_edition, invite
from tests.evaluation.test_burden import _attend, _edition, _measured_course
from tests.evaluation.test_questionnaires_and_reports import _answer_all


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(response.data)).pages)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def _two_courses(make):
    """Nine of ten invited answered: five in a big course, four in a small one."""
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    big, small = make.course(hub, title="Grote groep"), make.course(hub, title="Kleine groep")
    _edition_, many = finished_edition(make, big, learners=6)
    _small_edition, few = finished_edition(make, small, learners=4)
    invite()
    _answer_all(many[:5], first_option=4, text="Heel leerrijk")
    _answer_all(few, first_option=1, text="Te kort")
    return hub, coordinator, big, small


def test_the_dashboard_shows_the_evaluation_reports_numbers(make, client, auth):
    hub, coordinator, _big, _small = _two_courses(make)
    auth.login_as(coordinator)
    page = client.get(f"/organisers/{hub.id}/dashboard")
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    section = soup.find("section", attrs={"aria-labelledby": "evaluation"})
    text = " ".join(section.get_text(" ").split())
    assert "9 of the 10 people invited answered (90%)" in text
    # One home: the numbers of each question are those of the evaluation report.
    report = evaluation_report(coordinator, hub.id, None, None)
    shown = {row.th.get_text(strip=True): [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
             for row in section.select("tbody tr")}
    questions = [question for version in report.versions for question in version.questions]
    assert questions and len(shown) == len(questions)
    for question in questions:
        cells = shown[question.text]
        if question.too_few:
            assert cells == ["too few answers"]
            continue
        assert cells[0] == str(question.answered)
        if question.mean is not None:
            assert float(cells[1]) == question.mean
        for option, count in question.rows:
            assert f"{option}: {count}" in cells[2]
    assert "Hoeveel heb je aan deze vorming?" in shown and shown["Hoeveel heb je aan deze vorming?"][0] == "9"
    # The open answers stay on the evaluation report; the dashboard counts who wrote something.
    assert "Heel leerrijk" not in text and "Te kort" not in text
    assert shown["Wat was goed, en wat kan beter?"][:1] == ["9"]
    # The CSV: the report's own rows, the open answers counted instead of quoted.
    rows = _csv(client.get(section.find("a", string="Download this table (CSV)")["href"]))
    header, _expected = report_rows(report, open_answers=False)
    assert rows[0] == header
    report_csv = _csv(client.get(f"/organisers/{hub.id}/evaluations.csv"))
    open_question = "Wat was goed, en wat kan beter?"
    assert ([row for row in rows if row[2] != open_question]
            == [row for row in report_csv if row[2] != open_question])
    assert all("Heel leerrijk" not in cell for row in rows for cell in row)
    assert ["Response rate", "", "", "", "10", "90"] in rows
    name = version_name(report.versions[0])
    assert [name, "1", "Wat was goed, en wat kan beter?", "wrote something", "9", ""] in rows
    # The PDF report: the same figures.
    pdf = _pdf_text(client.get(f"/organisers/{hub.id}/dashboard/report.pdf"))
    assert "What learners said" in pdf and "9 of the 10 people invited answered (90%)" in pdf
    assert "Heel leerrijk" not in pdf


def test_the_dashboard_withholds_the_figures_of_four(make, client, auth):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    _edition_, few = finished_edition(make, make.course(hub), learners=4)
    invite()
    _answer_all(few, first_option=1, text="Te kort")
    auth.login_as(coordinator)
    page = client.get(f"/organisers/{hub.id}/dashboard").get_data(as_text=True)
    section = BeautifulSoup(page, "html.parser").find("section", attrs={"aria-labelledby": "evaluation"})
    text = " ".join(section.get_text(" ").split())
    assert "too few answers" in text
    assert "Helemaal niet" not in text and "Hoeveel heb je" not in text and "4 of the 4" not in text
    rows = _csv(client.get(f"/organisers/{hub.id}/dashboard/evaluation.csv"))
    assert ["Response rate", "", "", "", "4", "too few answers"] in rows
    assert all("Helemaal niet" not in cell and "Te kort" not in cell for row in rows for cell in row)
    pdf = _pdf_text(client.get(f"/organisers/{hub.id}/dashboard/report.pdf"))
    assert "too few answers" in pdf and "Helemaal niet" not in pdf and "Te kort" not in pdf


def test_the_dashboard_shows_the_burden_change_of_five(make, client, auth, clock):
    hub, coordinator, course = _measured_course(make)
    start = clock.now() + timedelta(days=3)
    _edition_, sessions, enrolments = _edition(make, course, 5, start)
    for enrolment, score in zip(enrolments, [8, 7, 9, 6, 8], strict=True):
        burden.record_burden(db.session.get(User, enrolment.learner_id), enrolment.id,
                             BurdenMoment.BEFORE, {"i1": score}, consent=True)
    db.session.commit()
    _attend(sessions, enrolments)
    clock.move_to(sessions[1].ends_at)
    for enrolment, score in zip(enrolments, [6, 6, 7, 6, 9], strict=True):
        burden.record_burden(db.session.get(User, enrolment.learner_id), enrolment.id,
                             BurdenMoment.AFTER, {"i1": score}, consent=True)
    db.session.commit()
    end = (start + timedelta(days=30)).date().isoformat()
    auth.login_as(coordinator)
    page = client.get(f"/organisers/{hub.id}/dashboard", query_string={"end": end})
    section = BeautifulSoup(page.get_data(as_text=True), "html.parser").find(
        "section", attrs={"aria-labelledby": "evaluation"})
    rows = {row.th.get_text(strip=True): [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
            for row in section.select("tbody tr")}
    assert rows["Before to after"][:2] == ["5", "-0.8"]
    assert rows["Before to follow-up"] == ["too few answers"]
    csv_rows = _csv(client.get(f"/organisers/{hub.id}/dashboard/evaluation.csv", query_string={"end": end}))
    assert [burden.SHIPPED["name"], "", "Before to after", "mean change", "5", "-0.8"] in csv_rows
    pdf = _pdf_text(client.get(f"/organisers/{hub.id}/dashboard/report.pdf", query_string={"end": end}))
    assert "Burden: the change per caregiver" in pdf and "-0.8" in pdf


def test_the_evaluation_report_as_a_pdf_withholds_what_the_page_withholds(make, client, auth):
    hub, coordinator, big, small = _two_courses(make)
    auth.login_as(coordinator)
    page = BeautifulSoup(client.get(f"/organisers/{hub.id}/evaluations").get_data(as_text=True),
                         "html.parser")
    link = page.find("a", string="Download PDF")["href"]
    whole = _pdf_text(client.get(link))
    assert "Evaluation report of" in whole
    assert "9 of the 10 people invited answered (90%)" in whole
    assert "Hoeveel heb je aan deze vorming?" in whole and "Heel leerrijk" in whole
    assert "Heel veel" in whole  # the chart's and the table's answers
    alone = _pdf_text(client.get(f"/organisers/{hub.id}/evaluations.pdf", query_string={"course": small.id}))
    assert "too few answers" in alone and "Te kort" not in alone and "Helemaal niet" not in alone
    assert "Kleine groep" in alone
    big_only = _pdf_text(client.get(f"/organisers/{hub.id}/evaluations.pdf", query_string={"course": big.id}))
    assert "Mean: 4" in big_only
    bad = client.get(f"/organisers/{hub.id}/evaluations.pdf", query_string={"start": "2026-13-01"})
    assert bad.status_code == 400 and "not a valid date" in bad.get_data(as_text=True)
    auth.logout()
    auth.login_as(make.coordinator(make.organiser()))
    assert client.get(f"/organisers/{hub.id}/evaluations.pdf").status_code == 403



def test_the_dashboards_evaluation_figures_are_kept_until_an_answer_changes_them(make, client, auth):
    hub = make.organiser()
    coordinator = make.coordinator(hub)
    _edition_, learners = finished_edition(make, make.course(hub), learners=6)
    invite()
    _answer_all(learners[:5], first_option=4)
    auth.login_as(coordinator)

    def shown() -> str:
        page = client.get(f"/organisers/{hub.id}/dashboard").get_data(as_text=True)
        section = BeautifulSoup(page, "html.parser").find("section", attrs={"aria-labelledby": "evaluation"})
        return " ".join(section.get_text(" ").split())

    assert "5 of the 6 people invited answered" in shown()
    with counted_queries() as kept:
        assert "5 of the 6 people invited answered" in shown()
    assert not any(table in statement for statement in kept
                   for table in ("evaluation_invitation", "evaluation_answer", "burden_measurement"))
    _answer_all(learners[5:], first_option=2)  # committed: the kept figures are stale at once
    assert "6 of the 6 people invited answered (100%)" in shown()
