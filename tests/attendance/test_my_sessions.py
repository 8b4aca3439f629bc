"""'My sessions' for a trainer (issue 16, item 13): the roster is the most visible control, and
an edition stays there some weeks after it ends, so a paper sheet can be entered later."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup

from college import timeutil


def _cards(client) -> dict[str, BeautifulSoup]:
    page = BeautifulSoup(client.get("/teaching").get_data(as_text=True), "html.parser")
    return {card.h2.get_text(strip=True): card for card in page.select("main section.card")}


def _signed_in(client, auth, user) -> None:
    """Sign in again when the clock's jump outlived the last sign-in."""
    if client.get("/teaching").status_code != 200:
        auth.login_as(user)


def test_each_sessions_roster_is_the_first_and_only_main_button(client, auth, classroom):
    auth.login_as(classroom.trainer)
    card = _cards(client)["Omgaan met dementie"]
    buttons = [a for a in card.find_all("a") if "button" in a.get("class", [])]
    assert [a["href"] for a in buttons] == [f"/sessions/{s.id}/roster" for s in classroom.sessions]
    assert not any("button-secondary" in a["class"] for a in buttons)
    first_link = card.find("a")
    assert first_link["href"] == f"/sessions/{classroom.sessions[0].id}/roster"
    # The edition's other pages are still there, as plain links after the rosters.
    others = [a["href"] for a in card.select(".teaching-links a")]
    assert others == [f"/editions/{classroom.edition.id}/attendance",
                      f"/editions/{classroom.edition.id}/enrolments",
                      f"/editions/{classroom.edition.id}/dashboard"]


def test_an_edition_stays_some_weeks_after_it_ends_across_the_month(client, auth, make, clock):
    hub = make.organiser()
    trainer = make.trainer(hub)
    # Ended on the last day of a month; seen again on the 3rd of the next month and 5 weeks on.
    last_day = timeutil.today().replace(day=1) - timedelta(days=1)
    edition = make.edition(make.course(hub, title="Tillen en verplaatsen"), trainers=[trainer],
                           starts_on=last_day - timedelta(days=7), ends_on=last_day)
    for later in (timedelta(days=3), timedelta(weeks=5)):
        clock.move_to(timeutil.brussels(last_day + later, timeutil.local(timeutil.now()).time()))
        _signed_in(client, auth, trainer)
        card = _cards(client).get("Tillen en verplaatsen")
        assert card is not None, f"gone {later} after the end"
        assert "paper sign-in sheet" in card.get_text()
    clock.move_to(timeutil.brussels(last_day + timedelta(weeks=7), timeutil.local(timeutil.now()).time()))
    _signed_in(client, auth, trainer)
    assert "Tillen en verplaatsen" not in _cards(client)
    assert edition.id  # the edition itself is untouched: its pages stay reachable by address
