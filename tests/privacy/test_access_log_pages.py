"""Every staff page that shows learners' personal data leaves a line in the learner's access log."""

from __future__ import annotations

from sqlalchemy import select

from college.accounts.models import Organiser
from college.catalogue.models import TrainingSession
from college.extensions import db
from college.learning import attempts
from college.privacy.models import PersonalDataAccess
from tests.certificates.helpers import complete_enrolment
from tests.learning.helpers import Setting, build_quiz, setting


def _contexts(viewer_id: int, learner_id: int) -> set[str]:
    return set(db.session.scalars(
        select(PersonalDataAccess.context).where(PersonalDataAccess.viewer_id == viewer_id,
                                                 PersonalDataAccess.learner_id == learner_id)
    ))


def test_staff_pages_log_the_learners_they_show_and_the_learner_sees_it(client, auth, make):
    organiser = make.organiser()
    trainer = make.trainer(organiser, name="Trainer Tine")
    coordinator = make.coordinator(organiser, name="Coördinator Carla")
    course = make.course(organiser)
    edition = make.edition(course, trainers=[trainer], sessions=1)
    learner = make.learner(name="Mevrouw Maes")
    bystander = make.learner(name="Niet Ingeschreven")
    complete_enrolment(make, learner=learner, edition=edition)
    build_quiz(Setting(course, trainer, learner, edition))
    attempt = attempts.start_attempt(learner, course.id)
    attempts.submit_attempt(learner, attempt.id)
    session_id = db.session.scalar(
        select(TrainingSession.id).where(TrainingSession.edition_id == edition.id))

    auth.login_as(trainer)
    for url in (f"/editions/{edition.id}/enrolments", f"/sessions/{session_id}/roster",
                f"/editions/{edition.id}/attendance", f"/editions/{edition.id}/dashboard",
                f"/courses/{course.id}/quiz/results", f"/quiz/attempts/{attempt.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Mevrouw Maes" in response.get_data(as_text=True), url
    assert _contexts(trainer.id, learner.id) == {"enrolments", "roster", "dashboard", "progress"}
    auth.logout()

    auth.login_as(coordinator)
    assert client.get(f"/editions/{edition.id}/certificates").status_code == 200
    assert _contexts(coordinator.id, learner.id) == {"certificates"}
    auth.logout()

    # Nobody saw the learner who is not in the edition.
    assert not db.session.scalar(select(PersonalDataAccess).where(
        PersonalDataAccess.learner_id == bystander.id))

    auth.login_as(learner)
    page = client.get("/account/privacy").get_data(as_text=True)
    for text in ("Trainer Tine", "Coördinator Carla", "enrolment list", "attendance list",
                 "dashboard", "learning progress", "certificates"):
        assert text in page, text


def test_a_learner_looking_at_their_own_attempt_is_not_logged(client, auth, make):
    organiser = make.organiser()
    trainer = make.trainer(organiser)
    course = make.course(organiser)
    edition = make.edition(course, trainers=[trainer])
    learner = make.learner()
    make.enrolment(learner, edition)
    build_quiz(Setting(course, trainer, learner, edition))
    attempt = attempts.start_attempt(learner, course.id)
    attempts.submit_attempt(learner, attempt.id)
    auth.login_as(learner)
    assert client.get(f"/quiz/attempts/{attempt.id}").status_code == 200
    assert db.session.scalar(select(PersonalDataAccess)) is None


def test_the_attempt_services_write_the_log_whichever_surface_reads(make):
    s = setting(make)
    build_quiz(s)
    coordinator = make.coordinator(db.session.get(Organiser, s.course.organiser_id))
    attempt = attempts.start_attempt(s.learner, s.course.id)
    attempts.submit_attempt(s.learner, attempt.id)

    attempts.get_attempt(s.learner, attempt.id)
    assert db.session.scalar(select(PersonalDataAccess)) is None  # their own attempt
    attempts.get_attempt(s.trainer, attempt.id)
    assert _contexts(s.trainer.id, s.learner.id) == {"progress"}
    assert [a.id for a in attempts.course_attempts(coordinator, s.course.id)] == [attempt.id]
    assert _contexts(coordinator.id, s.learner.id) == {"progress"}
