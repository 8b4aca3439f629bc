"""Questions at enrolment and companion seats: one table of cases through the page and the API,
the roster (page, CSV, API) for staff, seats counted twice for a companion, the coordinators'
questions, the learner's export and erasure."""

from __future__ import annotations

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from college.accounts.models import Kind
from college.catalogue.models import Edition
from college.enrolment import services
from college.enrolment.models import (
    Enrolment,
    EnrolmentAnswer,
    EnrolmentQuestion,
    EnrolmentStatus,
)
from college.enrolment.question_authoring import add_question
from college.errors import Invalid
from college.extensions import db
from college.privacy.models import PersonalDataAccess
from college.privacy.services import anonymise, user_data
from tests.api.conftest import bearer_for
from tests.conftest import counted_queries, post_form

WHY_WHEELCHAIR = "Zodat we een zaal zonder trappen kiezen."


class Hub:
    """A course that asks two questions (one required, a choice) and allows companions,
    an edition of `capacity` seats, and a course of the same hub with a question of its own."""

    def __init__(self, make, capacity: int = 3, allow_companion: bool = True):
        self.organiser = make.organiser()
        self.coordinator = make.coordinator(self.organiser, name="Coördinator Ann")
        self.trainer = make.trainer(self.organiser)
        self.course = make.course(self.organiser, allow_companion=allow_companion,
                                  open_to_professionals=True)
        self.wheelchair = add_question(None, self.course, kind="choice", text="Rolstoel nodig?",
                                       why=WHY_WHEELCHAIR, required=True, choices=["Ja", "Nee"])
        self.diet = add_question(None, self.course, kind="text", text="Dieetwensen?",
                                 why="Voor de lunch.")
        self.edition = make.edition(self.course, trainers=[self.trainer], capacity=capacity)
        other = make.course(self.organiser)
        self.elsewhere = add_question(None, other, kind="text", text="Huisarts?", why="Zomaar.")
        db.session.commit()

    def fill(self, seats: int, make) -> None:
        for _seat in range(seats):
            make.enrolment(make.learner(), self.edition)


def state(edition_id: int) -> tuple:
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Enrolment.id))),
            db.session.scalar(select(func.count(EnrolmentAnswer.id))),
            db.session.get(Edition, edition_id).seats_taken)


# (case, learner's kind, course allows companions, seats taken before, answers, companion,
#  status, outcome: the enrolment's seats or the message)
CASES = [
    ("answers and a companion", "caregiver", True, 0, {"wheelchair": "Ja", "diet": "Vegetarisch"},
     True, 201, 2),
    ("only the required answer", "caregiver", True, 0, {"wheelchair": "Nee"}, False, 201, 1),
    ("a required question unanswered", "caregiver", True, 0, {"diet": "Geen"}, False, 422,
     "Please answer this question: Rolstoel nodig?"),
    ("an answer to another course's question", "caregiver", True, 0,
     {"wheelchair": "Ja", "elsewhere": "Dr. Peeters"}, False, 422,
     "Answer only the questions this course asks."),
    ("a choice not in the list", "caregiver", True, 0, {"wheelchair": "Misschien"}, False, 422,
     "Choose one of the answers given."),
    ("a companion where the course has none", "caregiver", False, 0, {"wheelchair": "Ja"}, True,
     422, "This course has no companion seats."),
    ("a companion when one seat is left", "caregiver", True, 2, {"wheelchair": "Ja"}, True, 409,
     "Only one seat is left"),
    ("a professional asks for a companion", "professional", True, 0, {"wheelchair": "Ja"}, True,
     422, "Companion seats are for caregivers"),
    ("a companion on the waiting list of a full edition", "caregiver", True, 3,
     {"wheelchair": "Ja"}, True, 201, 2),
]


def _by_page(client, hub, answers: dict, companion: bool):
    data = {f"question_{getattr(hub, name).id}": value for name, value in answers.items()}
    if companion:
        data["companion"] = "y"
    page = f"/editions/{hub.edition.id}/enrol"
    response = post_form(client, page, data, page=page)
    if response.status_code == 302:
        return 201, ""
    text = BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ", strip=True)
    return response.status_code, text


def _by_api(client, learner, hub, answers: dict, companion: bool):
    body = {"answers": {str(getattr(hub, name).id): value for name, value in answers.items()},
            "companion": companion}
    response = client.post(f"/api/v1/editions/{hub.edition.id}/enrolments", json=body,
                           headers=bearer_for(learner))
    return response.status_code, json.dumps(response.get_json(), ensure_ascii=False)


@pytest.mark.parametrize("surface", ["page", "api"])
@pytest.mark.parametrize(("case", "kind", "allow", "taken", "answers", "companion", "status",
                          "outcome"), CASES, ids=[case[0] for case in CASES])
def test_page_and_api_decide_the_same(client, auth, make, surface, case, kind, allow, taken,
                                      answers, companion, status, outcome):
    hub = Hub(make, allow_companion=allow)
    hub.fill(taken, make)
    learner = make.learner(kind=Kind(kind), name="Maria Peeters")
    before = state(hub.edition.id)
    if surface == "page":
        auth.login_as(learner)
        got, text = _by_page(client, hub, answers, companion)
    else:
        got, text = _by_api(client, learner, hub, answers, companion)
    assert got == status, text[:800]
    if status >= 400:
        assert outcome in text
        assert state(hub.edition.id) == before  # nothing changed
        return
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    assert enrolment.seats == outcome
    given = {question.text: value for question, value in
             services.questions.answers_of([enrolment.id]).get(enrolment.id, [])}
    assert given == {getattr(hub, name).text: value for name, value in answers.items()}
    if taken < 3:
        assert state(hub.edition.id)[2] == before[2] + outcome
    else:
        assert enrolment.status == EnrolmentStatus.WAITLISTED
        assert state(hub.edition.id)[2] == before[2]


def test_the_enrol_page_says_why_each_question_is_asked(client, auth, make):
    hub = Hub(make)
    auth.login_as(make.learner())
    course_page = BeautifulSoup(client.get(f"/courses/{hub.course.id}").get_data(as_text=True),
                                "html.parser")
    link = course_page.find("a", href=lambda href: href and f"/editions/{hub.edition.id}/enrol" in href)
    assert link is not None and link.get_text(strip=True) == "Enrol"
    page = BeautifulSoup(client.get(link["href"]).get_data(as_text=True), "html.parser")
    wheelchair = page.find("fieldset", id=f"question_{hub.wheelchair.id}")
    assert wheelchair.legend.get_text(strip=True) == "Rolstoel nodig?"
    assert f"Why we ask this: {WHY_WHEELCHAIR}" in wheelchair.get_text(" ", strip=True)
    assert [box["value"] for box in wheelchair.find_all("input", type="radio")] == ["Ja", "Nee"]
    diet = page.find("label", attrs={"for": f"question_{hub.diet.id}"})
    assert diet.get_text(strip=True) == "Dieetwensen? (optional)"
    assert "Why we ask this: Voor de lunch." in page.get_text(" ", strip=True)
    assert page.find("input", attrs={"name": "companion", "type": "checkbox"}) is not None


def test_a_course_without_questions_keeps_its_one_click_button(client, auth, make):
    edition = make.edition()
    auth.login_as(make.learner())
    page = BeautifulSoup(client.get(f"/courses/{edition.course_id}").get_data(as_text=True),
                         "html.parser")
    form = page.find("form", action=f"/editions/{edition.id}/enrol")
    assert form is not None and form.find("button").get_text(strip=True) == "Enrol"


def test_staff_see_answers_and_companions_on_the_roster_its_csv_and_the_api(client, auth, make):
    hub = Hub(make)
    maria = make.learner(name="Maria Peeters")
    services.enrol_learner(edition_id=hub.edition.id, actor=maria, companion=True,
                           answers={hub.wheelchair.id: "Ja", hub.diet.id: "Zoutloos"})
    db.session.commit()

    auth.login_as(hub.trainer)
    page = BeautifulSoup(client.get(f"/editions/{hub.edition.id}/enrolments").get_data(as_text=True),
                         "html.parser")
    row = next(tr for tr in page.select("table.roster tbody tr") if "Maria Peeters" in tr.get_text())
    text = row.get_text(" ", strip=True)
    assert "yes: brings the person they care for" in text
    assert "Rolstoel nodig? Ja" in text and "Dieetwensen? Zoutloos" in text
    assert "2 of 3 seats taken" in page.get_text(" ", strip=True)

    response = client.get(f"/editions/{hub.edition.id}/enrolments.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert rows[0][-3:] == ["Companion seat", "Rolstoel nodig?", "Dieetwensen?"]
    assert rows[1][0] == "Maria Peeters" and rows[1][-3:] == ["yes", "Ja", "Zoutloos"]

    roster = client.get(f"/api/v1/editions/{hub.edition.id}/enrolments",
                        headers=bearer_for(hub.coordinator)).get_json()
    assert roster["seats_taken"] == 2
    [line] = roster["enrolments"]
    assert line["name"] == "Maria Peeters" and line["companion"] is True
    assert [(a["question"], a["answer"]) for a in line["answers"]] == [
        ("Rolstoel nodig?", "Ja"), ("Dieetwensen?", "Zoutloos")]

    seen = set(db.session.execute(
        select(PersonalDataAccess.viewer_id, PersonalDataAccess.context)
        .where(PersonalDataAccess.learner_id == maria.id)))
    assert seen == {(hub.trainer.id, "enrolments"), (hub.trainer.id, "enrolments-export"),
                    (hub.coordinator.id, "enrolments")}


def test_staff_enrol_someone_with_answers_and_a_companion_and_may_leave_questions_open(
        client, auth, make):
    hub = Hub(make)
    phoned = make.learner(email=None, password=None, name="Jozef Wouters",
                          managed_by_organiser_id=hub.organiser.id)
    auth.login_as(hub.coordinator)
    roster = f"/editions/{hub.edition.id}/enrolments"
    page = BeautifulSoup(client.get(roster).get_data(as_text=True), "html.parser")
    assert page.find("input", attrs={"name": f"question_{hub.wheelchair.id}"}) is not None
    response = post_form(client, f"/editions/{hub.edition.id}/enrol-on-behalf",
                         {"managed_learner": str(phoned.id), f"question_{hub.diet.id}": "Geen suiker",
                          "companion": "y"}, page=roster)
    assert response.status_code == 302
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == phoned.id))
    assert enrolment.seats == 2 and enrolment.enrolled_by_id == hub.coordinator.id
    assert [value for _q, value in services.questions.answers_of([enrolment.id])[enrolment.id]] == [
        "Geen suiker"]


def test_a_companion_seat_is_freed_whole_and_the_waiting_list_moves_up_in_strict_order(make):
    hub = Hub(make, capacity=3)
    first, second = make.learner(), make.learner()
    services.enrol_learner(edition_id=hub.edition.id, actor=first, companion=True,
                           answers={hub.wheelchair.id: "Nee"})
    services.enrol_learner(edition_id=hub.edition.id, actor=second,
                           answers={hub.wheelchair.id: "Nee"})
    pair = services.enrol_learner(edition_id=hub.edition.id, actor=make.learner(), companion=True,
                                  answers={hub.wheelchair.id: "Ja"})
    single = services.enrol_learner(edition_id=hub.edition.id, actor=make.learner(),
                                    answers={hub.wheelchair.id: "Nee"})
    db.session.commit()
    assert (pair.status, pair.waitlist_position) == (EnrolmentStatus.WAITLISTED, 1)
    assert state(hub.edition.id)[2] == 3

    # One seat frees: the pair first in line needs two, and nobody passes them.
    second_enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == second.id))
    services.cancel_enrolment(enrolment_id=second_enrolment.id, actor=second)
    db.session.commit()
    db.session.expire_all()
    assert pair.status == EnrolmentStatus.WAITLISTED and single.waitlist_position == 2
    assert state(hub.edition.id)[2] == 2

    # A companion seat cancelled frees two: the pair moves up, then the single person fits.
    first_enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == first.id))
    services.cancel_enrolment(enrolment_id=first_enrolment.id, actor=first)
    db.session.commit()
    db.session.expire_all()
    assert pair.status == EnrolmentStatus.ENROLLED and single.status == EnrolmentStatus.ENROLLED
    assert db.session.get(Edition, hub.edition.id).seats_taken == 3


def test_more_seats_move_up_a_pair_only_when_two_are_free(make):
    hub = Hub(make, capacity=1)
    services.enrol_learner(edition_id=hub.edition.id, actor=make.learner(),
                           answers={hub.wheelchair.id: "Nee"})
    pair = services.enrol_learner(edition_id=hub.edition.id, actor=make.learner(), companion=True,
                                  answers={hub.wheelchair.id: "Ja"})
    db.session.commit()
    services.change_capacity(edition_id=hub.edition.id, capacity=2, actor=hub.coordinator)
    db.session.commit()
    db.session.expire_all()
    assert pair.status == EnrolmentStatus.WAITLISTED
    services.change_capacity(edition_id=hub.edition.id, capacity=3, actor=hub.coordinator)
    db.session.commit()
    db.session.expire_all()
    assert pair.status == EnrolmentStatus.ENROLLED
    assert db.session.get(Edition, hub.edition.id).seats_taken == 3


def test_fewer_seats_than_taken_counts_companion_seats(make):
    hub = Hub(make, capacity=3)
    services.enrol_learner(edition_id=hub.edition.id, actor=make.learner(), companion=True,
                           answers={hub.wheelchair.id: "Ja"})
    db.session.commit()
    with pytest.raises(Invalid, match="2 seats are taken"):
        services.change_capacity(edition_id=hub.edition.id, capacity=1, actor=hub.coordinator)


def test_the_answers_are_in_the_learners_export_and_gone_with_erasure(make):
    hub = Hub(make)
    maria = make.learner(name="Maria Peeters")
    enrolment = services.enrol_learner(edition_id=hub.edition.id, actor=maria, companion=True,
                                       answers={hub.wheelchair.id: "Ja", hub.diet.id: "Zoutloos"})
    db.session.commit()
    [exported] = user_data(maria.id)["enrolments"]
    assert exported["companion_seat"] is True
    assert exported["answers"] == [
        {"question": "Rolstoel nodig?", "why_asked": WHY_WHEELCHAIR, "answer": "Ja"},
        {"question": "Dieetwensen?", "why_asked": "Voor de lunch.", "answer": "Zoutloos"}]

    anonymise(maria)
    db.session.commit()
    assert db.session.scalar(select(func.count(EnrolmentAnswer.id))) == 0
    # The seats stay taken (the figures do not change); the enrolment is anonymous.
    assert db.session.get(Enrolment, enrolment.id).seats == 2
    assert user_data(maria.id)["enrolments"][0]["answers"] == []


def _question_form(question: dict) -> dict:
    return {**question, "choices": "\n".join(question.get("choices", []))}


@pytest.mark.parametrize("surface", ["page", "api"])
def test_coordinators_write_questions_and_answered_ones_stay_readable(client, auth, make, surface):
    hub = Hub(make)
    services.enrol_learner(edition_id=hub.edition.id, actor=make.learner(),
                           answers={hub.wheelchair.id: "Ja"})
    db.session.commit()
    if surface == "page":
        auth.login_as(hub.coordinator)

    def send(method: str, question: EnrolmentQuestion | None, body: dict):
        if surface == "api":
            url = (f"/api/v1/questions/{question.id}" if question
                   else f"/api/v1/courses/{hub.course.id}/questions")
            response = client.open(url, method=method, json=body, headers=bearer_for(hub.coordinator))
            return response.status_code, json.dumps(response.get_json(silent=True),
                                                    ensure_ascii=False)
        if method == "DELETE":
            url = f"/manage/questions/{question.id}/remove"
            response = post_form(client, url, page=f"/manage/courses/{hub.course.id}")
        else:
            url = (f"/manage/questions/{question.id}/edit" if question
                   else f"/manage/courses/{hub.course.id}/questions/new")
            current = ({"text": question.text, "why": question.why, "kind": question.kind.value,
                        "choices": question.choices, "required": "y" if question.required else ""}
                       if question else {})
            response = post_form(client, url, _question_form({**current, **body}), page=url)
        text = BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text(" ", strip=True)
        return (200 if response.status_code == 302 else response.status_code), text

    # A question without a why is refused: people answer what they know is needed.
    status, text = send("POST", None, {"kind": "text", "text": "Leeftijd?", "why": ""})
    assert status == 422 and "Say why you ask this" in text
    # A choice given as an answer stays; the kind of an answered question stays.
    status, text = send("PATCH", hub.wheelchair, {"choices": ["Nee", "Soms"]})
    assert status == 422 and "These choices were given as answers and must stay: Ja" in text
    status, text = send("PATCH", hub.wheelchair, {"kind": "text", "choices": []})
    assert status == 422 and "its kind cannot change" in text
    db.session.expire_all()
    assert db.session.get(EnrolmentQuestion, hub.wheelchair.id).choices == ["Ja", "Nee"]
    # Adding a choice is fine.
    status, _text = send("PATCH", hub.wheelchair, {"choices": ["Ja", "Nee", "Soms"]})
    assert status == 200
    # Stop asking: the unanswered one is deleted, the answered one archived with its answers.
    diet_id = hub.diet.id
    assert send("DELETE", hub.diet, {})[0] == (204 if surface == "api" else 200)
    assert send("DELETE", hub.wheelchair, {})[0] == 200
    db.session.expire_all()
    assert db.session.get(EnrolmentQuestion, diet_id) is None
    assert db.session.get(EnrolmentQuestion, hub.wheelchair.id).archived_at is not None
    assert client.get(f"/api/v1/courses/{hub.course.id}/questions").get_json() == {"questions": []}
    if surface == "api":
        auth.login_as(hub.trainer)
    roster = client.get(f"/editions/{hub.edition.id}/enrolments").get_data(as_text=True)
    assert "Rolstoel nodig?" in roster  # the answer stays readable
    # A new question, last in the list, asked from now on.
    status, _text = send("POST", None, {"kind": "choice", "text": "Hoe hoorde je van ons?",
                                        "why": "Om onze folders beter te verspreiden.",
                                        "choices": ["Folder", "Huisarts", "Website"]})
    assert status in (200, 201)
    [asked] = client.get(f"/api/v1/courses/{hub.course.id}/questions").get_json()["questions"]
    assert (asked["text"], asked["choices"], asked["required"]) == (
        "Hoe hoorde je van ons?", ["Folder", "Huisarts", "Website"], False)


def test_the_course_page_lists_the_questions_for_its_coordinators(client, auth, make):
    hub = Hub(make)
    auth.login_as(hub.coordinator)
    page = BeautifulSoup(client.get(f"/manage/courses/{hub.course.id}").get_data(as_text=True),
                         "html.parser")
    section = page.find("section", attrs={"aria-labelledby": "questions-title"}).get_text(" ", strip=True)
    assert "Rolstoel nodig? (required: Ja / Nee)" in section
    assert f"Why we ask this: {WHY_WHEELCHAIR}" in section
    assert "Companion seats: yes" in section


def _roster_queries(client, auth, make, people: int) -> int:
    hub = Hub(make, capacity=20)
    for index in range(people):
        services.enrol_learner(edition_id=hub.edition.id, actor=make.learner(),
                               companion=index % 2 == 0,
                               answers={hub.wheelchair.id: "Ja", hub.diet.id: f"Dieet {index}"})
    db.session.commit()
    auth.login_as(hub.coordinator)
    for url in (f"/editions/{hub.edition.id}/enrolments", f"/editions/{hub.edition.id}/enrolments.csv",
                f"/api/v1/editions/{hub.edition.id}/enrolments"):
        client.get(url)  # warm: the first request of a session reads more
    counts = []
    for url, headers in ((f"/editions/{hub.edition.id}/enrolments", {}),
                         (f"/editions/{hub.edition.id}/enrolments.csv", {}),
                         (f"/api/v1/editions/{hub.edition.id}/enrolments",
                          bearer_for(hub.coordinator))):
        with counted_queries() as statements:
            assert client.get(url, headers=headers).status_code == 200
        counts.append(len(statements))
    auth.logout()
    return counts


def test_the_roster_its_csv_and_the_api_read_answers_in_a_fixed_number_of_queries(
        client, auth, make):
    assert _roster_queries(client, auth, make, 2) == _roster_queries(client, auth, make, 7)
