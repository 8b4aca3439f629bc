"""Forms ignore the fields a role may not set: a posted role, status, score or someone else's id."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import func, select

from college.accounts.models import Membership, Role, User
from college.attendance.models import Attendance
from college.catalogue.models import Course, TrainingSession
from college.enrolment.models import Enrolment
from college.extensions import db
from college.learning import access, attempts, quiz_authoring
from college.learning.models import Attempt, AttemptStatus, Module, QuestionKind
from college.learning.quiz_authoring import ChoiceInput
from tests.conftest import PASSWORD, post_form

#: What an attacker adds to every form: a role, an organiser, statuses, scores and owners.
EXTRA = {
    "role": "coordinator", "roles": "coordinator", "is_learner": "0", "organiser_id": "",
    "managed_by_organiser_id": "", "session_version": "99", "status": "completed",
    "score_pct": "100", "passed": "1", "learner_id": "", "user_id": "", "course_id": "",
    "published": "1", "seats_taken": "0", "capacity": "500",
}


def extra(**ids) -> dict:
    return {**EXTRA, **{key: str(value) for key, value in ids.items()}}


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def test_registration_makes_a_plain_learner_whatever_else_is_posted(client, make):
    elsewhere = make.organiser()
    response = post_form(client, "/register", {
        **extra(organiser_id=elsewhere.id, managed_by_organiser_id=elsewhere.id),
        "name": "Nieuwe Mantelzorger", "email": "nieuw@example.be", "password": "een lange zin",
        "kind": "caregiver", "consent": "y",
    })
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "nieuw@example.be"))
    assert user.is_learner and user.managed_by_organiser_id is None and user.session_version == 1
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_a_coordinator_creates_accounts_in_their_own_organiser_only(client, make, auth):
    hub, elsewhere = make.organiser(), make.organiser()
    auth.login_as(make.coordinator(hub))
    response = post_form(client, f"/organisers/{hub.id}/people/new", {
        **extra(organiser_id=elsewhere.id), "name": "Tine", "email": "tine@example.be", "roles": "trainer",
    })
    assert response.status_code == 302
    tine = db.session.scalar(select(User).where(User.email == "tine@example.be"))
    assert {(m.organiser_id, m.role) for m in db.session.scalars(
        select(Membership).where(Membership.user_id == tine.id))} == {(hub.id, Role.TRAINER)}


def test_a_course_stays_with_its_organiser(client, make, auth):
    hub, elsewhere = make.organiser(), make.organiser()
    course = make.course(hub)
    auth.login_as(make.coordinator(hub))
    response = post_form(client, f"/manage/courses/{course.id}/edit", {
        **extra(organiser_id=elsewhere.id), "title": "Nieuwe titel", "tracks": "caregivers",
        "hours": "3", "min_attendance_pct": "80", "quiz_pass_pct": "70",
    })
    assert response.status_code == 302
    course = fresh(Course, course.id)
    assert course.title == "Nieuwe titel" and course.organiser_id == hub.id


def test_a_learner_enrols_only_themselves(client, make, auth):
    learner, victim = make.learner(), make.learner()
    edition = make.edition()
    auth.login_as(learner)
    response = post_form(client, f"/editions/{edition.id}/enrol", extra(learner_id=victim.id, user_id=victim.id),
                         page=f"/courses/{edition.course_id}")
    assert response.status_code == 302
    assert set(db.session.execute(select(Enrolment.learner_id))) == {(learner.id,)}
    assert fresh(type(edition), edition.id).capacity == 20


def test_a_roster_cannot_mark_someone_outside_the_edition(client, make, auth):
    hub = make.organiser()
    trainer = make.trainer(hub)
    edition = make.edition(make.course(hub), trainers=[trainer], sessions=1)
    outsider = make.learner()
    make.enrolment(make.learner(), edition)
    session_id = db.session.scalar(select(TrainingSession.id).where(TrainingSession.edition_id == edition.id))
    auth.login_as(trainer)
    url = f"/sessions/{session_id}/roster"
    response = post_form(client, url, {**extra(learner_id=outsider.id), f"status-{outsider.id}": "present"})
    assert response.status_code >= 400
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_a_learner_cannot_set_their_own_score(client, make, auth):
    hub = make.organiser()
    trainer = make.trainer(hub)
    course = make.course(hub)
    learner = make.learner()
    make.enrolment(learner, make.edition(course))
    quiz_authoring.save_quiz_settings(trainer, course.id, pass_pct=70)
    quiz_authoring.save_question(trainer, course.id, text="Wat is respijtzorg?", kind=QuestionKind.SINGLE,
                                       choices=[ChoiceInput("Tijdelijke overname", True), ChoiceInput("Een premie", False)])
    attempt = attempts.start_attempt(learner, course.id)
    question = access.current_quiz(course.id, with_questions=True).questions[0]
    wrong = next(choice.id for choice in question.choices if not choice.correct)
    auth.login_as(learner)
    url = f"/quiz/attempts/{attempt.id}/questions/1"
    post_form(client, url, {**extra(), "question_id": str(question.id), "choice": str(wrong)})
    attempt = fresh(Attempt, attempt.id)
    assert attempt.status == AttemptStatus.OPEN and attempt.score_pct is None and attempt.passed is None
    post_form(client, f"/quiz/attempts/{attempt.id}/submit", extra(), page=url)
    attempt = fresh(Attempt, attempt.id)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score_pct == 0 and attempt.passed is False


def test_a_module_stays_in_its_course(client, make, auth):
    hub = make.organiser()
    course, other = make.course(hub), make.course(hub)
    module = Module(course_id=course.id, title="Wat is mantelzorg?", body_markdown="Tekst.")
    db.session.add(module)
    db.session.commit()
    auth.login_as(make.coordinator(hub))
    response = post_form(client, f"/courses/{course.id}/modules/{module.id}/edit", {
        **extra(course_id=other.id), "title": "Nieuwe titel", "body_markdown": "Tekst.", "minutes": "10",
    })
    assert response.status_code == 302
    module = fresh(Module, module.id)
    assert module.title == "Nieuwe titel" and module.course_id == course.id


def test_next_never_leads_to_another_site(client, make):
    learner = make.learner()
    for target in ("//evil.example", "/\\evil.example", "/\\/evil.example", "https://evil.example/",
                   "/\t/evil.example", "javascript:alert(1)"):
        fresh_client = client.application.test_client()
        response = post_form(fresh_client, f"/login?next={quote(target)}",
                             {"email": learner.email, "password": PASSWORD})
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target
    response = post_form(client, "/login?next=/my/trainings", {"email": learner.email, "password": PASSWORD})
    assert response.headers["Location"] == "/my/trainings"
