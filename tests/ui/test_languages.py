"""Dutch by default; English through the browser, the switch or the user's preference."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale

from college.accounts.models import Language, User
from college.extensions import db
from tests.conftest import Auth, post_form


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture()
def client(app):
    """A browser that sends no Accept-Language (the suite's client asks for English)."""
    browser = app.test_client()
    browser.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    return browser


def test_dutch_is_the_default(client):
    html = page(client.get("/"))
    assert '<html lang="nl">' in html
    assert "<h1>Mantelzorgacademie</h1>" in html
    assert "Naar de inhoud" in html


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE, en;q=0.5", "en"),
        ("nl-BE,nl;q=0.9,en;q=0.8", "nl"),
        ("fr-BE", "nl"),
    ],
)
def test_browser_language_is_followed_else_dutch(client, accept_language, lang):
    html = page(client.get("/", headers={"Accept-Language": accept_language}))
    assert f'<html lang="{lang}">' in html
    assert ("Caregivers College</h1>" in html) == (lang == "en")


def test_switch_is_on_every_page_and_marks_the_current_language(client):
    for path in ("/", "/login", "/register", "/no-such-page"):
        html = page(client.get(path))
        assert 'hreflang="en"' in html and 'hreflang="nl"' in html, path
        assert 'lang="nl" hreflang="nl" aria-current="true">Nederlands' in html, path


def test_switch_overrides_the_browser_and_returns_to_the_page(client):
    response = client.get("/language/en?next=/login", headers={"Accept-Language": "nl"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = page(client.get("/login", headers={"Accept-Language": "nl"}))
    assert '<html lang="en">' in html and "<h1>Log in</h1>" in html
    client.get("/language/nl")
    assert "<h1>Aanmelden</h1>" in page(client.get("/login", headers={"Accept-Language": "en"}))


def test_switch_never_redirects_elsewhere(client):
    response = client.get("/language/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_unknown_language_is_refused(client):
    response = client.get("/language/fr")
    assert response.status_code == 404
    assert "Deze taal is niet beschikbaar." in page(response)


def test_user_preference_beats_the_browser(client, auth, make):
    user = make.learner(language=Language.EN)
    auth.login_as(user)
    assert '<html lang="en">' in page(client.get("/", headers={"Accept-Language": "nl"}))
    dutch = make.learner(language=Language.NL)
    other = client.application.test_client()
    Auth(other).login_as(dutch)
    assert '<html lang="nl">' in page(other.get("/", headers={"Accept-Language": "en"}))


def test_switch_while_logged_in_is_remembered_for_the_user(client, auth, make):
    user = make.learner(language=Language.NL)
    auth.login_as(user)
    client.get("/language/en")
    assert db.session.get(User, user.id).language == Language.EN
    auth.logout()
    # Another browser, which says Dutch: the account's preference wins after login.
    other = client.application.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    post_form(other, "/login", {"email": user.email, "password": "correct horse battery"})
    assert '<html lang="en">' in page(other.get("/"))


@pytest.mark.parametrize("accept_language", ["en", "nl"])
def test_registration_keeps_the_language_the_page_was_shown_in(client, accept_language):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept_language
    response = post_form(client, "/register", {
        "kind": "caregiver", "name": "Maria Peeters", "email": "maria@example.be",
        "password": "mijn tuin in de lente", "consent": "y",
    })
    assert response.status_code == 303
    assert User.by_email("maria@example.be").language == Language(accept_language)


def test_form_errors_and_flash_messages_are_translated(client):
    response = post_form(client, "/login", {"email": "", "password": ""})
    html = page(response)
    assert "Kijk dit even na" in html and "Vul je e-mailadres in." in html
    response = post_form(
        client, "/login", {"email": "", "password": ""}, headers={"Accept-Language": "en"}
    )
    assert "Enter your email address." in page(response)


def test_error_pages_are_translated(client):
    assert "Deze pagina bestaat niet" in page(client.get("/nope"))
    english = client.get("/nope", headers={"Accept-Language": "en"})
    assert english.status_code == 404 and "This page does not exist" in page(english)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("nl", "dinsdag 3 maart 2026, 14:00"),
        ("en", "Tuesday 3 March 2026, 14:00"),
    ],
)
def test_datetime_in_brussels_in_the_readers_language(app, locale, expected):
    moment = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)  # winter: Brussels is UTC+1
    with app.test_request_context(), force_locale(locale):
        assert render_template_string("{{ moment|datetime }}", moment=moment) == expected


def test_summer_time_in_brussels(app):
    moment = datetime(2026, 7, 7, 12, 30, tzinfo=UTC)  # summer: UTC+2
    with app.test_request_context(), force_locale("nl"):
        assert render_template_string("{{ m|datetime }}", m=moment) == "dinsdag 7 juli 2026, 14:30"
        assert render_template_string("{{ m|time }}", m=moment) == "14:30"


def test_late_evening_utc_is_the_next_day_in_brussels(app):
    moment = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
    with app.test_request_context(), force_locale("nl"):
        assert render_template_string("{{ m|date }}", m=moment) == "woensdag 4 maart 2026"


def test_date_and_number_formats(app):
    with app.test_request_context():
        with force_locale("nl"):
            assert render_template_string("{{ d|date }}", d=date(2026, 3, 3)) == "dinsdag 3 maart 2026"
            assert render_template_string("{{ n|number }}", n=1234.5) == "1.234,5"
        with force_locale("en"):
            assert render_template_string("{{ d|date }}", d=date(2026, 3, 3)) == "Tuesday 3 March 2026"
            assert render_template_string("{{ n|number }}", n=1234.5) == "1,234.5"


def test_remembered_formats_read_as_flask_babel_formats_them(app):
    """The filters remember what they formatted: the same text as Flask-Babel's, per language,
    on both sides of the clock changes, for naive (UTC) and aware moments alike."""
    from flask_babel import format_date, format_datetime, format_time

    moments = [datetime(2026, 3, 29, 0, 59, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
               datetime(2026, 10, 25, 0, 59, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
               datetime(2026, 12, 31, 23, 30), datetime(2027, 1, 1, 8, 5, tzinfo=UTC)]
    template = "{{ m|datetime }}|{{ m|date }}|{{ m|time }}|{{ m|date('d MMMM y') }}|{{ m.date()|date }}"
    with app.test_request_context():
        for _round in range(2):  # the second round reads what the first remembered
            for locale in ("nl", "en", "nl"):
                with force_locale(locale):
                    for moment in moments:
                        expected = "|".join([
                            format_datetime(moment, "EEEE d MMMM y, HH:mm"),
                            format_date(moment, "EEEE d MMMM y"), format_time(moment, "HH:mm"),
                            format_date(moment, "d MMMM y"), format_date(moment.date(), "EEEE d MMMM y")])
                        assert render_template_string(template, m=moment) == expected


def test_templates_translate_as_flask_babel_does(app):
    """`_()` in a template: Flask-Babel's translation in the reader's language, the values
    escaped, "%%" read as "%"."""
    from flask_babel import gettext
    from markupsafe import escape

    threshold = "Below the attendance threshold of %(pct)d%% and can no longer reach it."
    template = ('{{ _("Save attendance") }}|{{ _("' + threshold + '", pct=80) }}|'
                '{{ _("%(name)s is enrolled.", name="<b>An</b>") }}')
    pages = {}
    with app.test_request_context():
        for locale in ("nl", "en"):
            with force_locale(locale):
                pages[locale] = render_template_string(template)
                assert pages[locale] == "|".join([
                    gettext("Save attendance"), gettext(threshold, pct=80),
                    gettext("%(name)s is enrolled.", name=escape("<b>An</b>"))])
    assert pages["en"] == ("Save attendance|Below the attendance threshold of 80% and can no "
                           "longer reach it.|&lt;b&gt;An&lt;/b&gt; is enrolled.")
    assert pages["nl"].endswith("80% en kan die niet meer halen.|&lt;b&gt;An&lt;/b&gt; is ingeschreven.")
