"""The figures fit (issue 16, item 18): at 1280 px every table shows its last column without
scrolling and every chart label stays inside its chart; the A4 PDF report keeps the last column."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from college.extensions import db
from tests.browser.conftest import DESKTOP, log_in
from tests.conftest import PASSWORD
from tests.dashboards.conftest import build  # noqa: F401 - the dashboards' activity fixture

LONG_TITLE = "Samenwerken met mantelzorgers in de thuiszorg: signalen van overbelasting herkennen"

#: Tables whose content is wider than their box (the last columns hidden behind a scrollbar).
CLIPPED_TABLES = """() => [...document.querySelectorAll('.table-scroll')]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => (box.querySelector('caption') || box).textContent.trim().slice(0, 60)
       + ` (${box.scrollWidth} > ${box.clientWidth} px)`)"""

#: Chart texts drawn (partly) outside their chart's viewBox, where nobody sees them.
CLIPPED_LABELS = """() => {
  const problems = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const view = svg.viewBox.baseVal;
    for (const text of svg.querySelectorAll('text')) {
      const box = text.getBBox();
      if (box.x < view.x - 0.5 || box.x + box.width > view.x + view.width + 0.5)
        problems.push(`${svg.id || svg.getAttribute('aria-labelledby')}: "${text.textContent}" `
                      + `${Math.round(box.x)}..${Math.round(box.x + box.width)} of ${view.width}`);
    }
  }
  return problems;
}"""


def _long_titled(activity):
    activity.course.title = LONG_TITLE
    db.session.commit()
    return activity


@pytest.mark.parametrize("language", ["nl", "en"])
def test_dashboards_fit_a_laptop_screen(pages, build, language):  # noqa: F811
    a = _long_titled(build())
    page = pages.open(viewport=DESKTOP, language=language)
    log_in(page, a.coordinator.email, PASSWORD)
    page.goto(f"/language/{language}")
    for path in (f"/organisers/{a.organiser.id}/dashboard", f"/editions/{a.edition.id}/dashboard"):
        page.goto(path)
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), path
        assert page.evaluate(CLIPPED_TABLES) == [], path
        assert page.evaluate(CLIPPED_LABELS) == [], path


@pytest.mark.parametrize(("language", "last_header"), [("nl", "Afrondingsgraad"),
                                                       ("en", "Completion rate")])
def test_the_pdf_report_keeps_the_last_column_of_its_widest_table(pages, build, language,  # noqa: F811
                                                                  last_header):
    a = _long_titled(build())
    page = pages.open(viewport=DESKTOP, language=language)
    log_in(page, a.coordinator.email, PASSWORD)
    page.goto(f"/language/{language}")
    response = page.request.get(f"/organisers/{a.organiser.id}/dashboard/report.pdf")
    assert response.status == 200
    reader = PdfReader(io.BytesIO(response.body()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert last_header in text
    assert "Samenwerken met mantelzorgers" in text
    # The wide table is on a landscape page; the rest stays portrait A4.
    shapes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert (842, 595) in shapes, shapes
