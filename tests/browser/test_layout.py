"""What people see on a phone and a laptop (issue 16): a compact menu, headings that keep their
words, and figures that fit at 1280 px."""

from __future__ import annotations

from datetime import timedelta

import pytest

from college import timeutil
from college.catalogue.models import edition_trainer
from college.extensions import db
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

SMALL_PHONE = {"width": 360, "height": 740}

#: The bottom of the header (brand, language switch and menu), in CSS pixels.
HEADER_BOTTOM = "() => document.querySelector('.site-header').getBoundingClientRect().bottom"

#: Is the element's text broken inside a word (without a hyphen) across lines?
WORD_BROKEN = """(selector) => {
  const text = document.querySelector(selector).firstChild;
  const range = document.createRange();
  let previous = null;
  for (let i = 0; i < text.length; i++) {
    range.setStart(text, i); range.setEnd(text, i + 1);
    const rect = range.getBoundingClientRect();
    if (!rect.width || /\\s/.test(text.data[i])) continue;
    // a letter on a new line right after a letter (no space between them): a word cut in two
    if (previous && rect.top > previous.top + 1 && previous.index === i - 1)
      return text.data.slice(0, i) + '/' + text.data.slice(i);
    previous = {top: rect.top, index: i};
  }
  return '';
}"""


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("who", ["learner", "coordinator"])
def test_signed_in_menu_takes_under_a_fifth_of_a_phone_screen(pages, make, language, who):
    organiser = make.organiser("Mantelzorghub Gent")
    person = (make.coordinator(organiser, name="Els Coördinator") if who == "coordinator"
              else make.learner(name="Maria Peeters"))
    page = pages.open(viewport=SMALL_PHONE, language=language)
    log_in(page, person.email, PASSWORD)
    page.goto(f"/language/{language}")
    for path in ("/", "/courses", "/account"):
        page.goto(path)
        bottom = page.evaluate(HEADER_BOTTOM)
        assert bottom <= SMALL_PHONE["height"] / 5, f"{path}: the header ends at {bottom} px"
        heading = page.locator("main h1").bounding_box()
        assert heading["y"] + heading["height"] < SMALL_PHONE["height"] / 2, path
    assert page.evaluate(WORD_BROKEN, "main h1") == ""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_phone_menu_opens_without_javascript(pages, make, language):
    organiser = make.organiser("Mantelzorghub Gent")
    coordinator = make.coordinator(organiser, name="Els Coördinator")
    page = pages.open(viewport=SMALL_PHONE, language=language, javascript=False)
    log_in(page, coordinator.email, PASSWORD)
    page.goto(f"/language/{language}")
    page.goto("/")
    people = {"nl": "Mensen van Mantelzorghub Gent", "en": "People of Mantelzorghub Gent"}[language]
    link = page.get_by_role("link", name=people)
    assert not link.is_visible()
    page.locator(".site-header summary").click()
    assert link.is_visible()
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(f"/organisers/{organiser.id}/people")
    # On a laptop the whole menu shows at once, no click needed.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    assert page.get_by_role("link", name=people).is_visible()
    assert not page.locator(".site-header summary").is_visible()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_home_heading_keeps_its_words_on_a_small_phone(pages, language):
    page = pages.open(viewport={"width": 320, "height": 640}, language=language)
    page.goto("/")
    assert page.evaluate(WORD_BROKEN, "main h1") == ""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_check_in_code_shows_on_a_phones_first_screen(pages, make, language):
    organiser = make.organiser("Mantelzorghub Gent")
    trainer = make.trainer(organiser, name="Jan Lesgever")
    edition = make.edition(make.course(organiser, title="Omgaan met dementie"))
    db.session.execute(edition_trainer.insert().values(edition_id=edition.id, user_id=trainer.id))
    db.session.commit()
    session = make.session(edition, starts_at=timeutil.now() - timedelta(minutes=10), room="Zaal 1")
    page = pages.open(viewport=SMALL_PHONE, language=language)
    log_in(page, trainer.email, PASSWORD)
    page.goto(f"/language/{language}")
    page.goto(f"/sessions/{session.id}/checkin-code")
    code = page.locator(".checkin-code").bounding_box()
    assert code["y"] + code["height"] <= SMALL_PHONE["height"], f"the code ends at {code}"
    qr = page.locator(".checkin-qr").bounding_box()
    assert qr["y"] + qr["height"] / 2 <= SMALL_PHONE["height"], f"the QR code is at {qr}"
