"""An expired session does not lose what was typed: the form comes back after logging in again."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college.accounts.models import User
from college.extensions import db
from college.jobs import redis_connection
from college.learning.models import Module
from tests.conftest import PASSWORD, csrf_token, post_form

LONG_TEXT = "Dementie is meer dan vergeten.\n\n" + "Een lange tekst over zorg. " * 40


def form_values(html: str) -> dict[str, str]:
    page = BeautifulSoup(html, "html.parser")
    values = {field["name"]: field.get("value", "") for field in page.select("main form input")
              if field.get("name") and field.get("type") not in ("hidden", "radio", "checkbox")}
    values.update({area["name"]: area.get_text() for area in page.select("main form textarea")})
    values.update({radio["name"]: radio["value"] for radio in page.select("main form input[type=radio]")
                   if radio.has_attr("checked")})
    return values


def kept_in_redis() -> list[dict]:
    connection = redis_connection()
    return [json.loads(connection.get(key)) for key in connection.scan_iter("college:kept-form:*")]


def test_registration_sent_after_the_session_cookie_was_lost_comes_back_without_the_password(
        app, client):
    token = csrf_token(client, "/register")
    fresh = app.test_client()  # the browser was closed: its session cookie (and token) is gone
    response = fresh.post("/register", data={
        "csrf_token": token, "kind": "caregiver", "name": "Maria Peeters",
        "email": "maria.peeters@example.be", "password": "een lange zin als wachtwoord",
        "consent": "y"}, headers={"Referer": "http://localhost/register"})
    assert response.status_code == 303
    back = response.headers["Location"]
    assert back.startswith("/register?kept=")
    assert "wachtwoord" not in json.dumps(kept_in_redis())  # never a password
    page = fresh.get(back)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "What you typed is kept" in html and "Here is what you typed before" in html
    values = form_values(html)
    assert values["name"] == "Maria Peeters" and values["email"] == "maria.peeters@example.be"
    assert values["kind"] == "caregiver"
    assert values.get("password", "") == ""
    assert db.session.scalar(select(func.count(User.id))) == 0  # nothing was created
    # The token works once.
    assert form_values(fresh.get(back).get_data(as_text=True))["name"] == ""


def test_a_module_text_written_while_the_session_ran_out_is_there_after_logging_in(
        app, client, make, auth, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 120)  # the production default
    organiser = make.organiser()
    course = make.course(organiser)
    coordinator = make.coordinator(organiser)
    auth.login_as(coordinator)
    page = f"/courses/{course.id}/modules/new"
    token = csrf_token(client, page)
    clock.move_to(clock.now() + timedelta(hours=3))  # writing took long: the session ended
    response = client.post(page, data={"csrf_token": token, "title": "Wat is dementie?",
                                       "minutes": "15", "body_markdown": LONG_TEXT},
                           headers={"Referer": f"http://localhost{page}"})
    assert response.status_code == 302
    login = response.headers["Location"]
    assert urlsplit(login).path == "/login"
    back = parse_qs(urlsplit(login).query)["next"][0]
    assert back.startswith(f"{page}?kept=")
    assert db.session.scalar(select(func.count(Module.id))) == 0
    # Logging in again leads back to the form, with the text.
    answer = post_form(client, login, {"email": coordinator.email, "password": PASSWORD})
    assert answer.headers["Location"] == back
    values = form_values(client.get(back).get_data(as_text=True))
    assert values["title"] == "Wat is dementie?" and values["minutes"] == "15"
    assert values["body_markdown"].strip() == LONG_TEXT.strip()


def test_another_sites_form_is_not_kept(app, client):
    response = app.test_client().post("/register", data={
        "csrf_token": "forged", "name": "Mallory", "email": "mallory@example.com"},
        headers={"Origin": "https://evil.example", "Referer": "https://evil.example/form"})
    assert response.status_code == 400
    assert kept_in_redis() == []


def test_the_notice_speaks_dutch(app, client):
    token = csrf_token(client, "/register")
    fresh = app.test_client()
    fresh.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    response = fresh.post("/register", data={"csrf_token": token, "name": "Maria Peeters"},
                          headers={"Referer": "http://localhost/register"}, follow_redirects=True)
    assert "Wat je typte, is bewaard" in response.get_data(as_text=True)


def test_pages_carry_the_warning_before_the_login_ends(app, client, make, auth, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 120)
    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 12)
    assert BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser").find(
        id="session-warning") is None  # nobody to log out
    auth.login_as(make.learner())
    clock.advance(timedelta(minutes=30))
    page = BeautifulSoup(client.get("/my/trainings").get_data(as_text=True), "html.parser")
    warning = page.find(id="session-warning")
    assert warning.has_attr("hidden")  # shown by the script only; without it nothing changes
    assert "You will soon be logged out" in warning.get_text()
    timing = {meta["name"]: meta["content"] for meta in page.find_all("meta", attrs={"name": True})}
    assert timing["session-seconds-left"] == str(120 * 60)  # the page was just used
    assert timing["session-warn-seconds"] == "300"
    # Near the absolute end, that end counts.
    for _hour in range(11):  # active every hour, never idle
        clock.advance(timedelta(hours=1))
        client.get("/")
    clock.advance(timedelta(minutes=20))
    client.get("/")
    clock.advance(timedelta(minutes=9))
    answer = client.post(timing["session-keep-alive"],
                         headers={"X-CSRFToken": timing["csrf-token"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)[-1500:]
    assert answer.get_json() == {"seconds_left": 60}  # 12 hours after logging in
