"""A waiting list that asks first: offered seats, answered by link, page or API, or left to expire.

A fake clock walks a list of five through declines and expiries on both sides of each
deadline; bad links, late and repeated answers are refused with a message and change nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from college import timeutil
from college.catalogue.models import Course, Edition, WaitlistMode
from college.enrolment import offers
from college.enrolment.models import (
    Enrolment,
    EnrolmentStatus,
    Notification,
    NotificationStatus,
    OfferOutcome,
    WaitlistOffer,
)
from college.enrolment.services import (
    _edition_with_course,
    cancel_enrolment,
    change_capacity,
    offer_expires_at,
)
from college.enrolment.tasks import expire_offers as expire_offers_job
from college.extensions import db
from college.jobs import enqueue
from college.privacy.services import anonymise, user_data
from college.transactions import unit_of_work
from tests.api.conftest import bearer_for
from tests.conftest import at_once, counted_queries, csrf_token, run_worker

HOLD = timedelta(hours=48)
LINK = re.compile(r"(http://[^\s]+/offers/[^\s/]+/(?:accept|decline))")


@pytest.fixture()
def waiting_five(make, clock):
    """An edition in offer mode a month ahead: one seat, taken, and five people waiting."""
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    starts = timeutil.now() + timedelta(days=30)
    edition = make.edition(make.course(organiser), capacity=1,
                           starts_on=timeutil.local(starts).date(),
                           waitlist_mode=WaitlistMode.OFFER)
    make.session(edition, starts_at=starts)
    seated = make.learner(name="Ann Aerts")
    seat = make.enrolment(seated, edition)
    waiting = [make.learner(name=f"Wachtende {n}") for n in range(1, 6)]
    for learner in waiting:
        make.enrolment(learner, edition, status=EnrolmentStatus.WAITLISTED)
    return coordinator, edition, seat, waiting


def _state(edition_id: int) -> dict:
    """What the roster shows, in short: each learner's status, position and open offer."""
    db.session.expire_all()
    edition = db.session.get(Edition, edition_id)
    rows = db.session.execute(
        select(Enrolment.learner_id, Enrolment.status, Enrolment.waitlist_position)
        .where(Enrolment.edition_id == edition_id)
    ).all()
    open_for = set(db.session.scalars(
        select(Enrolment.learner_id).join(WaitlistOffer, WaitlistOffer.enrolment_id == Enrolment.id)
        .where(WaitlistOffer.edition_id == edition_id, WaitlistOffer.outcome == OfferOutcome.OPEN)))
    return {"seats_taken": edition.seats_taken, "waitlist_length": edition.waitlist_length,
            "people": {r.learner_id: (r.status.value, r.waitlist_position) for r in rows},
            "offered": open_for}


def _open_offer(learner_id: int) -> WaitlistOffer:
    db.session.expire_all()
    return db.session.scalar(
        select(WaitlistOffer).join(Enrolment, Enrolment.id == WaitlistOffer.enrolment_id)
        .where(Enrolment.learner_id == learner_id, WaitlistOffer.outcome == OfferOutcome.OPEN))


def _kinds(learner_id: int) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == learner_id).order_by(Notification.id)))


def _links(learner_id: int) -> dict[str, str]:
    body = db.session.scalar(select(Notification.body).where(
        Notification.user_id == learner_id, Notification.kind == "offered")
        .order_by(Notification.id.desc()).limit(1))
    found = {link.rsplit("/", 1)[1]: link for link in LINK.findall(body)}
    return {answer: link.split("://", 1)[1].split("/", 1)[1] for answer, link in found.items()}


def _answer_by_link(client, learner_id: int, answer: str):
    path = "/" + _links(learner_id)[answer]
    return client.post(path, data={"csrf_token": csrf_token(client, path)})


def test_a_list_of_five_through_declines_and_expiries(app, client, clock, waiting_five):
    """Each freed seat goes to the next person; silence ends exactly at the deadline."""
    coordinator, edition, seat, (w1, w2, w3, w4, w5) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    state = _state(edition.id)
    assert state["seats_taken"] == 1 and state["offered"] == {w1.id}  # held, not free
    assert state["people"][w1.id] == ("waitlisted", 1)
    assert _open_offer(w1.id).expires_at == timeutil.now() + HOLD
    assert _kinds(w1.id) == ["offered"]

    # The first declines by the link in the mail: the seat goes on to the second.
    assert _answer_by_link(client, w1.id, "decline").status_code == 200
    state = _state(edition.id)
    assert state["people"][w1.id] == ("cancelled", None)
    assert state["offered"] == {w2.id}
    assert [state["people"][w.id][1] for w in (w2, w3, w4, w5)] == [1, 2, 3, 4]
    assert _kinds(w1.id) == ["offered", "offer_declined"]

    # The second stays silent: a second before the deadline nothing ends, at it the seat goes on.
    clock.advance(HOLD - timedelta(seconds=1))
    assert offers.expire_offers() == 0
    assert _state(edition.id)["offered"] == {w2.id}
    clock.advance(timedelta(seconds=1))
    enqueue("default", "college.enrolment.tasks.expire_offers")
    run_worker(app)  # the worker's periodic job
    state = _state(edition.id)
    assert state["people"][w2.id] == ("cancelled", None)
    assert state["offered"] == {w3.id} and state["seats_taken"] == 1
    assert _kinds(w2.id) == ["offered", "offer_expired"]

    # The third takes it just before the deadline: enrolled, the list closes up.
    clock.advance(HOLD - timedelta(seconds=1))
    assert _answer_by_link(client, w3.id, "accept").status_code == 200
    state = _state(edition.id)
    assert state["people"][w3.id] == ("enrolled", None)
    assert state["offered"] == set() and state["seats_taken"] == 1
    assert state["waitlist_length"] == 2
    assert [state["people"][w.id][1] for w in (w4, w5)] == [1, 2]
    assert _kinds(w3.id) == ["offered", "offer_accepted"]

    # A second seat: offered to the fourth, who lets it expire; the fifth declines it.
    change_capacity(edition_id=edition.id, capacity=2, actor=coordinator)
    db.session.commit()
    assert _state(edition.id)["offered"] == {w4.id}
    clock.advance(HOLD)
    assert expire_offers_job() == 1
    assert _state(edition.id)["offered"] == {w5.id}
    auth_headers = bearer_for(w5)
    offer = _open_offer(w5.id)
    answered = client.post(f"/api/v1/offers/{offer.id}/decline", headers=auth_headers)
    assert answered.status_code == 200, answered.get_json()
    state = _state(edition.id)
    # Nobody left: the seat stays free.
    assert state == {"seats_taken": 1, "waitlist_length": 0, "offered": set(), "people": {
        seat.learner_id: ("cancelled", None), w1.id: ("cancelled", None),
        w2.id: ("cancelled", None), w3.id: ("enrolled", None), w4.id: ("cancelled", None),
        w5.id: ("cancelled", None)}}
    outcomes = [o.outcome.value for o in db.session.scalars(
        select(WaitlistOffer).where(WaitlistOffer.edition_id == edition.id)
        .order_by(WaitlistOffer.id))]
    assert outcomes == ["declined", "expired", "accepted", "expired", "declined"]


@pytest.mark.parametrize(("starts_in", "held_for"), [
    (timedelta(hours=97), HOLD),  # the halfway point (48.5 h) is later than the hold
    (timedelta(hours=96), HOLD),  # exactly at the edge: both rules agree
    (timedelta(hours=95), timedelta(hours=47, minutes=30)),  # halfway comes first
    (timedelta(hours=10), timedelta(hours=5)),
])
def test_the_hold_is_shorter_as_the_start_comes_closer(make, clock, starts_in, held_for):
    """An offer ends at the hold time, or halfway to the waiting list closing if that is sooner."""
    organiser = make.organiser()
    starts = timeutil.now() + starts_in
    edition = make.edition(make.course(organiser), capacity=1,
                           starts_on=timeutil.local(starts).date())
    make.session(edition, starts_at=starts)
    edition = _edition_with_course(edition.id)
    assert offer_expires_at(edition, timeutil.now()) == timeutil.now() + held_for


def test_the_organisers_lead_time_moves_the_halfway_point(make, clock):
    """With the waiting list closing 24 hours before the start, halfway is measured to then."""
    organiser = make.organiser(waitlist_closes_hours_before=24)
    starts = timeutil.now() + timedelta(hours=64)
    edition = make.edition(make.course(organiser), capacity=1,
                           starts_on=timeutil.local(starts).date())
    make.session(edition, starts_at=starts)
    edition = _edition_with_course(edition.id)
    assert offer_expires_at(edition, timeutil.now()) == timeutil.now() + timedelta(hours=20)


def test_nothing_is_offered_once_the_waiting_list_has_closed(make, clock, waiting_five):
    """At the start a freed seat stays free: no offer, no mail."""
    coordinator, edition, seat, waiting = waiting_five
    clock.advance(timedelta(days=30))
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    state = _state(edition.id)
    assert state["seats_taken"] == 0 and state["offered"] == set()
    assert _kinds(waiting[0].id) == []


def test_someone_without_email_is_phoned_and_a_coordinator_answers_for_them(
        client, auth, make, clock):
    """The offer lands on "To phone" without links; the coordinator enrols them from the roster."""
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    edition = make.edition(make.course(organiser), capacity=1, waitlist_mode=WaitlistMode.OFFER)
    seat = make.enrolment(make.learner(), edition)
    managed = make.learner(email=None, password=None, name="Mia Zonder Mail",
                           managed_by_organiser_id=organiser.id)
    make.enrolment(managed, edition, status=EnrolmentStatus.WAITLISTED)
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    row = db.session.scalar(select(Notification).where(Notification.user_id == managed.id))
    assert row.status == NotificationStatus.TO_PHONE and "/offers/" not in row.body
    auth.login_as(coordinator)
    roster = client.get(f"/editions/{edition.id}/enrolments")
    page = BeautifulSoup(roster.get_data(as_text=True), "html.parser")
    offered = page.select_one("tr.offer-open")
    assert "Mia Zonder Mail" in offered.get_text() and "open: waiting for an answer" in offered.get_text()
    form = next(f for f in offered.select("form") if f["action"].split("?")[0].endswith("/accept"))
    answered = client.post(form["action"], data={"csrf_token": form.select_one(
        "[name=csrf_token]")["value"]})
    assert answered.status_code == 302
    assert _state(edition.id)["people"][managed.id] == ("enrolled", None)
    offer = db.session.scalar(select(WaitlistOffer).where(WaitlistOffer.edition_id == edition.id))
    assert offer.outcome == OfferOutcome.ACCEPTED and offer.answered_by_id == coordinator.id
    history = BeautifulSoup(client.get(f"/editions/{edition.id}/enrolments").get_data(
        as_text=True), "html.parser").select_one("tr.offer-accepted")
    assert "took the seat" in history.get_text()


def test_the_learner_answers_on_my_trainings(client, auth, clock, waiting_five):
    """Logged in, the offer shows with its deadline and two buttons."""
    coordinator, edition, seat, (w1, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    auth.login_as(w1)
    page = BeautifulSoup(client.get("/my/trainings").get_data(as_text=True), "html.parser")
    box = page.select_one("div.offer")
    assert "A seat is free for you" in box.get_text()
    form = box.select("form")[0]
    response = client.post(form["action"], data={"csrf_token": form.select_one(
        "[name=csrf_token]")["value"]})
    assert response.status_code == 302
    assert _state(edition.id)["people"][w1.id] == ("enrolled", None)


# ---- bad input: the same table of cases through the link page, the page and the API ----------


def _bad_cases(clock, waiting_five, case: str):
    """Put the world in the state of the case; return (offer, link token path, message)."""
    coordinator, edition, seat, (w1, w2, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    offer = _open_offer(w1.id)
    links = _links(w1.id)
    if case == "used":
        offers.answer_offer(offer, accept=True, actor=None)
        db.session.commit()
        return offer, links, 409, "already taken"
    if case == "expired":
        clock.advance(HOLD)  # the worker has not run yet: refused all the same
        return offer, links, 409, "the time to answer ended"
    if case == "expired and passed on":
        clock.advance(HOLD)
        offers.expire_offers()
        db.session.commit()
        return offer, links, 409, "the time to answer ended"
    if case == "after the start":
        db.session.execute(select(Edition).where(Edition.id == edition.id))
        offer.expires_at = timeutil.now() + timedelta(days=60)  # a hold the old rule allowed
        db.session.commit()
        clock.advance(timedelta(days=30))
        return offer, links, 409, "already started"
    raise AssertionError(case)


BAD = ["used", "expired", "expired and passed on", "after the start"]


@pytest.mark.parametrize("case", BAD)
@pytest.mark.parametrize("surface", ["link", "page", "api"])
def test_late_and_repeated_answers_are_refused_politely(
        client, auth, clock, waiting_five, case, surface):
    """Page, link and API refuse the same cases with the same message, and change nothing."""
    w1 = waiting_five[3][0]
    offer, links, status, message = _bad_cases(clock, waiting_five, case)
    before = _state(offer.edition_id)
    if surface == "link":
        opened = client.get("/" + links["accept"])  # the page says so before any button
        assert opened.status_code == status and message in opened.get_data(as_text=True)
        response = _answer_by_link(client, w1.id, "accept")
        text = response.get_data(as_text=True)
    elif surface == "page":
        auth.login_as(w1)
        response = client.post(f"/waiting-list/offers/{offer.id}/accept",
                               data={"csrf_token": csrf_token(client, "/my/trainings")})
        text = response.get_data(as_text=True)
    else:
        response = client.post(f"/api/v1/offers/{offer.id}/accept", headers=bearer_for(w1))
        text = response.get_json()["detail"]
    assert response.status_code == status
    assert message in text
    assert _state(offer.edition_id) == before


@pytest.mark.parametrize("token", [
    "not-a-token",
    "eyJvZmZlciI6MSwibGVhcm5lciI6MX0.forged.signature",
])
def test_forged_links_name_no_offer(client, clock, waiting_five, token):
    """A made-up or tampered link answers 404 with a way on; nothing changes."""
    coordinator, edition, seat, _waiting = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    before = _state(edition.id)
    for method in (client.get, client.post):
        response = method(f"/offers/{token}/accept")
        assert response.status_code in (404, 400)
    page = client.get(f"/offers/{token}/accept").get_data(as_text=True)
    assert "This link is not valid" in page
    api = client.post(f"/api/v1/offer-links/{token}/accept")
    assert api.status_code == 404 and "This link is not valid" in api.get_json()["detail"]
    assert _state(edition.id) == before


def test_a_link_of_one_offer_does_not_answer_another(client, clock, waiting_five):
    """The token names its offer and learner: changing the learner in it breaks the signature."""
    coordinator, edition, seat, (w1, w2, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    token = _links(w1.id)["accept"].split("/")[1]
    payload, rest = token.split(".", 1)
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "AB") + "." + rest
    assert client.get(f"/offers/{forged}/accept").status_code == 404
    assert client.get(f"/offers/{token}/accept").status_code == 200


def test_the_link_page_asks_before_it_answers(client, clock, waiting_five):
    """Opening the link (a mail scanner does too) changes nothing; the button answers."""
    coordinator, edition, seat, (w1, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    before = _state(edition.id)
    path = "/" + _links(w1.id)["accept"]
    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    assert page.select_one("h1").get_text(strip=True) == "Take the free seat?"
    assert _state(edition.id) == before


def test_another_learner_cannot_answer(client, make, clock, waiting_five):
    """Someone else's offer does not exist for a learner (404), on the page and the API."""
    coordinator, edition, seat, (w1, w2, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    offer = _open_offer(w1.id)
    before = _state(edition.id)
    assert client.post(f"/api/v1/offers/{offer.id}/accept",
                       headers=bearer_for(w2)).status_code == 404
    assert _state(edition.id) == before


def test_leaving_the_list_with_an_open_offer_passes_the_seat_on(clock, waiting_five):
    """Cancelling the waiting-list place withdraws the offer; the next person gets it."""
    coordinator, edition, seat, (w1, w2, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    enrolment_id = _open_offer(w1.id).enrolment_id
    cancel_enrolment(enrolment_id=enrolment_id, actor=w1)
    db.session.commit()
    state = _state(edition.id)
    assert state["offered"] == {w2.id} and state["seats_taken"] == 1
    withdrawn = db.session.scalar(select(WaitlistOffer.outcome).where(
        WaitlistOffer.enrolment_id == enrolment_id))
    assert withdrawn == OfferOutcome.WITHDRAWN


# ---- races: on PostgreSQL the requests really overlap (tests.conftest.at_once) ---------------


def _invariant(edition_id: int) -> None:
    """A held seat is taken: seats taken = seated enrolments + open offers <= capacity."""
    state = _state(edition_id)
    seated = sum(1 for status, _position in state["people"].values() if status == "enrolled")
    edition = db.session.get(Edition, edition_id)
    assert state["seats_taken"] == seated + len(state["offered"]) <= edition.capacity
    positions = sorted(p for status, p in state["people"].values() if status == "waitlisted")
    assert positions == list(range(1, state["waitlist_length"] + 1))


@pytest.mark.parametrize("round_", range(3))
def test_two_accepts_of_one_seat_at_once_take_it_once(app, client, clock, waiting_five, round_):
    """The mailed link and the API, pressed at the same moment: one enrolment, one refusal."""
    coordinator, edition, seat, (w1, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    offer_id = _open_offer(w1.id).id
    path = "/" + _links(w1.id)["accept"]
    form = {"csrf_token": csrf_token(client, path)}
    headers = bearer_for(w1)
    api = app.test_client()
    statuses = sorted(response.status_code for response in at_once(
        lambda: client.post(path, data=form),
        lambda: api.post(f"/api/v1/offers/{offer_id}/accept", headers=headers),
    ))
    assert statuses == [200, 409]
    assert _state(edition.id)["people"][w1.id] == ("enrolled", None)
    assert _kinds(w1.id) == ["offered", "offer_accepted"]
    _invariant(edition.id)


@pytest.mark.parametrize("round_", range(3))
def test_an_accept_racing_the_expiry_has_one_outcome(app, client, clock, waiting_five, round_):
    """A second before the deadline the learner accepts while a worker, its clock a little
    ahead, expires the offer: whichever holds the edition first decides, the other yields."""
    coordinator, edition, seat, (w1, w2, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    offer = _open_offer(w1.id)
    offer_id, deadline = offer.id, offer.expires_at
    clock.advance(HOLD - timedelta(seconds=1))
    headers = bearer_for(w1)

    def expire() -> int:
        with app.app_context():
            try:
                with unit_of_work():
                    return offers.expire_offers(deadline)
            finally:
                db.session.remove()

    answer, expired = at_once(
        lambda: client.post(f"/api/v1/offers/{offer_id}/accept", headers=headers), expire)
    state = _state(edition.id)
    if answer.status_code == 200:
        assert expired == 0
        assert state["people"][w1.id] == ("enrolled", None) and state["offered"] == set()
    else:
        assert answer.status_code == 409 and expired == 1
        assert "the time to answer ended" in answer.get_json()["detail"]
        assert state["people"][w1.id] == ("cancelled", None) and state["offered"] == {w2.id}
    _invariant(edition.id)


def test_two_offers_hold_two_seats_and_nobody_else_takes_them(client, make, clock, waiting_five):
    """While two seats are held, a newcomer joins the waiting list instead of taking one."""
    coordinator, edition, seat, (w1, w2, *_rest) = waiting_five
    change_capacity(edition_id=edition.id, capacity=3, actor=coordinator)
    db.session.commit()
    assert _state(edition.id)["offered"] == {w1.id, w2.id}
    newcomer = make.learner()
    late = client.post(f"/api/v1/editions/{edition.id}/enrolments", json={},
                       headers=bearer_for(newcomer))
    assert late.status_code == 201 and late.get_json()["status"] == "waitlisted"
    _invariant(edition.id)


# ---- the organiser's choice: the roster's form and PATCH /editions decide the same -----------


@pytest.mark.parametrize(("mode", "hours", "status", "message"), [
    ("offer", "24", 200, None),
    ("automatic", "48", 200, None),
    ("offer", "0", 422, "Enter a hold time from 1 to 336 hours."),
    ("offer", "337", 422, "Enter a hold time from 1 to 336 hours."),
])
@pytest.mark.parametrize("surface", ["page", "api"])
def test_choosing_offers_and_the_hold_time(client, auth, make, surface, mode, hours, status,
                                           message):
    """One table of cases through the roster's form and the API; a refusal changes nothing."""
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    edition = make.edition(make.course(organiser))
    if surface == "page":
        auth.login_as(coordinator)
        roster = f"/editions/{edition.id}/enrolments"
        response = client.post(f"/editions/{edition.id}/waitlist-mode", data={
            "csrf_token": csrf_token(client, roster), "waitlist_mode": mode,
            "offer_hold_hours": hours})
        got = 200 if response.status_code == 302 else response.status_code
        if message:
            shown = BeautifulSoup(response.get_data(as_text=True), "html.parser")
            assert message in shown.select_one("#offer_hold_hours").find_parent(
                "div").get_text()
    else:
        response = client.patch(f"/api/v1/editions/{edition.id}", json={
            "waitlist_mode": mode, "offer_hold_hours": int(hours)},
            headers=bearer_for(coordinator))
        got = response.status_code
        if message:
            assert response.get_json()["errors"]["offer_hold_hours"] == [message]
        else:
            assert response.get_json()["waitlist_mode"] == mode
    assert got == status
    db.session.expire_all()
    saved = db.session.get(Edition, edition.id)
    expected = (mode, int(hours)) if status == 200 else ("automatic", 48)
    assert (saved.waitlist_mode.value, saved.offer_hold_hours) == expected


def test_staff_list_an_editions_offers_through_the_api(client, make, clock, waiting_five):
    """The edition's offers with their deadlines, as the roster shows them."""
    coordinator, edition, seat, (w1, w2, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    offers.answer_offer(_open_offer(w1.id), accept=False, actor=None)
    db.session.commit()
    listed = client.get(f"/api/v1/editions/{edition.id}/offers",
                        headers=bearer_for(coordinator)).get_json()["items"]
    assert [(o["outcome"], o["answered_at"] is None) for o in listed] == [
        ("declined", False), ("open", True)]
    deadline = timeutil.now() + HOLD
    assert listed[1]["expires_at"] == deadline.isoformat()


def _roster_queries(client, url: str) -> int:
    with counted_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_roster_with_its_offers_loads_in_a_fixed_number_of_queries(
        client, auth, make, clock, waiting_five):
    """More offers, open and answered, do not mean more queries for the roster."""
    coordinator, edition, seat, (w1, w2, w3, w4, w5) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    auth.login_as(coordinator)
    url = f"/editions/{edition.id}/enrolments"
    few = _roster_queries(client, url)
    offers.answer_offer(_open_offer(w1.id), accept=False, actor=None)
    change_capacity(edition_id=edition.id, capacity=3, actor=coordinator)
    db.session.commit()
    assert len(_state(edition.id)["offered"]) == 3
    assert _roster_queries(client, url) == few


def test_the_learners_export_holds_their_offers_and_erasure_removes_the_links(
        clock, waiting_five):
    """Their offers are in their data; deleting the account removes the mails with the links."""
    coordinator, edition, seat, (w1, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    db.session.commit()
    offers.answer_offer(_open_offer(w1.id), accept=False, actor=None)
    db.session.commit()
    exported = user_data(w1.id)["waiting_list_offers"]
    title = db.session.get(Course, edition.course_id).title
    assert [(o["course"], o["outcome"]) for o in exported] == [(title, "declined")]
    anonymise(w1)
    db.session.commit()
    assert _kinds(w1.id) == []


def test_back_to_automatic_the_open_offers_keep_their_seats(clock, waiting_five):
    """Switching to automatic leaves open offers held; more seats move up the people after them."""
    coordinator, edition, seat, (w1, w2, *_rest) = waiting_five
    cancel_enrolment(enrolment_id=seat.id, actor=coordinator)
    offers.change_waitlist_mode(edition_id=edition.id, actor=coordinator, mode="automatic")
    change_capacity(edition_id=edition.id, capacity=2, actor=coordinator)
    db.session.commit()
    state = _state(edition.id)
    assert state["offered"] == {w1.id} and state["people"][w2.id] == ("enrolled", None)
    offers.answer_offer(_open_offer(w1.id), accept=True, actor=None)
    db.session.commit()
    _invariant(edition.id)
    assert _state(edition.id)["people"][w1.id] == ("enrolled", None)


def test_an_offer_holds_two_seats_for_someone_who_brings_a_companion(make, clock):
    """Strict order, as when moving up: a pair first in line is offered a seat only when two are
    free, and nobody behind them passes; a declined pair frees both seats for the next."""
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    starts = timeutil.now() + timedelta(days=30)
    edition = make.edition(make.course(organiser, allow_companion=True), capacity=2,
                           starts_on=timeutil.local(starts).date(),
                           waitlist_mode=WaitlistMode.OFFER)
    make.session(edition, starts_at=starts)
    first_seat, second_seat = (make.enrolment(make.learner(), edition) for _ in range(2))
    pair = make.enrolment(make.learner(name="Paar Peeters"), edition,
                          status=EnrolmentStatus.WAITLISTED, seats=2)
    single = make.enrolment(make.learner(name="Alleen Aerts"), edition,
                            status=EnrolmentStatus.WAITLISTED)

    def state():
        db.session.expire_all()
        open_offers = db.session.scalars(select(WaitlistOffer.enrolment_id).where(
            WaitlistOffer.edition_id == edition.id,
            WaitlistOffer.outcome == OfferOutcome.OPEN)).all()
        return db.session.get(Edition, edition.id).seats_taken, open_offers

    cancel_enrolment(enrolment_id=first_seat.id, actor=coordinator)
    db.session.commit()
    assert state() == (1, [])  # one free seat: the pair waits, and the single behind them too
    cancel_enrolment(enrolment_id=second_seat.id, actor=coordinator)
    db.session.commit()
    assert state() == (2, [pair.id])  # both seats held for the pair
    offer = db.session.scalar(select(WaitlistOffer).where(WaitlistOffer.enrolment_id == pair.id))
    offers.answer_offer(offer, accept=False, actor=coordinator)
    db.session.commit()
    assert state() == (1, [single.id])  # the pair's two seats freed; one held for the single
