"""Numbers and file names follow the reader's language (issue 16, item 14): "68,8" in Dutch,
in the CSV files too (Belgian Excel reads "68.8" as text), "68.8" in English."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale

from college.accounts.models import Language
from college.dashboards.charts import bar_chart
from college.extensions import db

DECIMAL = {Language.NL: "68,8", Language.EN: "68.8"}
OTHER = {Language.NL: "68.8", Language.EN: "68,8"}


def _as(auth, user, language: Language):
    user.language = language
    db.session.commit()
    auth.login_as(user)


@pytest.mark.parametrize("language", [Language.NL, Language.EN])
def test_the_csv_writes_decimals_as_the_readers_excel_reads_them(client, auth, build, language):
    a = build()
    _as(auth, a.coordinator, language)
    response = client.get(f"/organisers/{a.organiser.id}/dashboard/courses.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    total = rows[-1]
    assert total[-2] == DECIMAL[language]  # the attendance rate: 11 of 16 marks
    assert not any(OTHER[language] in cell for row in rows for cell in row)


@pytest.mark.parametrize("language", [Language.NL, Language.EN])
def test_chart_labels_write_decimals_in_the_pages_language(app, language):
    with app.test_request_context(), force_locale(language.value):
        chart = bar_chart("rates", "Attendance rate per session, in percent",
                          [("Session 1", 68.75), ("Session 2", 100.0)], maximum=100, unit="%")
    labels = [text.get_text() for text in BeautifulSoup(chart, "html.parser").select("text")]
    assert f"{DECIMAL[language]}%" in labels and "100%" in labels


@pytest.mark.parametrize(("language", "stem"), [(Language.EN, "attendance-edition-"),
                                                (Language.NL, "aanwezigheden-editie-")])
def test_an_attendance_export_is_named_in_the_readers_language(client, auth, build, language, stem):
    a = build()
    _as(auth, a.coordinator, language)
    response = client.get(f"/editions/{a.edition.id}/attendance.csv")
    assert response.status_code == 200
    assert f'filename="{stem}{a.edition.id}.csv"' in response.headers["Content-Disposition"]


@pytest.mark.parametrize(("language", "word"), [(Language.EN, "trainings"), (Language.NL, "vormingen")])
def test_a_figures_table_is_named_in_the_readers_language(client, auth, build, language, word):
    a = build()
    _as(auth, a.coordinator, language)
    response = client.get(f"/organisers/{a.organiser.id}/dashboard/courses.csv?start=2026-01-01&end=2026-12-31")
    assert response.status_code == 200
    assert (f'filename="{a.organiser.slug}-{word}-2026-01-01_2026-12-31.csv"'
            in response.headers["Content-Disposition"])
