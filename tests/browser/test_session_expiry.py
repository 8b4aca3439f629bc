"""An expired session does not lose what was typed, and the page warns before it ends (issue 16)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.browser.test_accessibility import LAYOUT_PROBLEMS, axe_violations
from tests.conftest import PASSWORD


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_page_warns_before_the_login_ends_and_staying_keeps_it(pages, make, app, monkeypatch,
                                                                   axe_source, language):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)  # the warning is due at once
    learner = make.learner(name="Rita Peeters")
    page = pages.open(viewport=PHONE, language=language)
    log_in(page, learner.email, PASSWORD)
    page.goto("/account")
    warning = page.locator("#session-warning")
    warning.wait_for(state="visible")
    if language == "en":
        assert "You will soon be logged out" in warning.inner_text()
    # Shown, the warning keeps the page accessible (axe-core and the College's own layout checks).
    assert axe_violations(page, axe_source) == []
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    with page.expect_response(lambda response: response.url.endswith("/account/keep-alive")) as kept:
        warning.locator("button", has_text="Stay logged in").click()
    # A fresh five minutes (the request itself takes a moment, so 299 is as good as 300).
    assert kept.value.status == 200 and 295 <= kept.value.json()["seconds_left"] <= 300
    assert page.problems == []


def test_without_javascript_the_warning_stays_out_of_the_way(pages, make):
    learner = make.learner()
    page = pages.open(viewport=DESKTOP, language="en", javascript=False)
    log_in(page, learner.email, PASSWORD)
    page.goto("/account")
    assert page.locator("#session-warning").is_hidden()


def test_a_registration_sent_after_the_session_was_lost_comes_back_filled_in(pages):
    page = pages.open(viewport=PHONE, language="en")
    page.goto("/register")
    page.check("input[name=kind][value=caregiver]")
    page.fill("#name", "Maria Peeters")
    page.fill("#email", "maria.peeters@example.be")
    page.fill("#password", "een lange zin als wachtwoord")
    page.context.clear_cookies()  # the session ended while she was typing
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert urlsplit(page.url).path == "/register"
    main = page.locator("main").inner_text()
    assert "What you typed is kept" in main
    assert page.input_value("#name") == "Maria Peeters"
    assert page.input_value("#email") == "maria.peeters@example.be"
    assert page.input_value("#password") == ""  # never kept
    assert page.is_checked("input[name=kind][value=caregiver]")
    assert page.problems == []
