"""By default the correct answers show only after passing or after the last attempt; scores
read as people say them ("2 of 3 correct", "67%"), in both languages."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from college.accounts.models import Language
from college.extensions import db
from college.learning.models import ShowAnswers
from tests.learning.helpers import build_quiz, choice_ids, setting
from tests.learning.test_attempts import answer, start, submit


@pytest.fixture()
def s(make):
    return setting(make)


def result_words(client, attempt_id: int, language: str = "en") -> str:
    response = client.get(f"/quiz/attempts/{attempt_id}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return " ".join(BeautifulSoup(response.get_data(as_text=True), "html.parser")
                    .main.get_text(" ").split())


def take(client, s, ids, right: tuple[int, ...]) -> int:
    """An attempt with the questions at positions `right` answered correctly, the rest wrong."""
    taken = start(client, s)
    for position in (0, 1, 2):
        picks = ids[position]["correct"] if position in right else ids[position]["wrong"][:1]
        answer(client, taken.id, position + 1, ids[position]["question"], picks)
    submit(client, taken.id)
    return taken.id


def test_a_new_quiz_shows_answers_after_passing_or_the_last_attempt(client, auth, s):
    quiz = build_quiz(s, max_attempts=2)  # the builder's defaults, as a trainer leaves them
    assert quiz.show_answers == ShowAnswers.PASSED_OR_LAST
    ids = choice_ids(quiz)
    auth.login_as(s.learner)
    first = take(client, s, ids, right=(0,))
    words = result_words(client, first)
    assert "did not pass" in words and "Attempts left: 1." in words
    assert "correct answer" not in words and "Tijdelijke overname" not in words  # nothing to copy
    assert "1 of 3 correct" in words and "33%" in words
    last = take(client, s, ids, right=(0, 2))
    words = result_words(client, last)
    assert "Attempts left: 0." in words and "correct answer" in words
    # ... and, now that no attempt is left, the first attempt's answers too.
    assert "correct answer" in result_words(client, first)


def test_passing_shows_the_answers(client, auth, s):
    ids = choice_ids(build_quiz(s, max_attempts=3))
    auth.login_as(s.learner)
    passed = take(client, s, ids, right=(0, 1, 2))
    words = result_words(client, passed)
    assert "you passed" in words and "correct answer" in words
    assert "3 of 3 correct · score 100%" in words


def test_the_quiz_builder_offers_it_first_and_chosen(client, auth, s):
    auth.login_as(s.trainer)
    page = BeautifulSoup(client.get(f"/courses/{s.course.id}/quiz/edit").get_data(as_text=True),
                         "html.parser")
    radios = page.find_all("input", attrs={"name": "show_answers"})
    assert radios[0]["value"] == "passed_or_last" and radios[0].has_attr("checked")
    label = page.find("label", attrs={"for": radios[0]["id"]}).get_text(strip=True)
    assert label == "Once they have passed, or after their last attempt"


def test_scores_read_as_people_say_them_in_dutch(client, auth, s):
    ids = choice_ids(build_quiz(s, show_answers="after_attempt"))
    s.learner.language = Language.NL
    db.session.commit()
    auth.login_as(s.learner)
    taken = start(client, s)
    answer(client, taken.id, 1, ids[0]["question"], ids[0]["correct"])
    answer(client, taken.id, 2, ids[1]["question"], ids[1]["correct"][:2])  # two of three picks
    answer(client, taken.id, 3, ids[2]["question"], ids[2]["correct"])
    submit(client, taken.id)
    words = result_words(client, taken.id, "nl")
    assert "2 van de 3 juist" in words and "89%" in words
    assert "Gedeeltelijk juist (67%)" in words
    assert "0.67" not in words and "0,67" not in words and "van 1" not in words
