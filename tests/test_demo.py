"""`flask college demo`: a living Flemish College that a newcomer can log in to."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from college import timeutil
from college.accounts.models import Kind, Organiser, Role, User
from college.accreditation.models import CourseAccreditation, RegistrationNumber, Scheme
from college.attendance.models import Attendance
from college.catalogue.models import CoOrganiser, Course, Edition, TrainingSession, WaitlistMode
from college.demo import DEMO_PASSWORD, database_is_empty
from college.enrolment.models import Enrolment, EnrolmentStatus, OfferOutcome, WaitlistOffer
from college.extensions import db
from college.learning.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Choice,
    Module,
    Question,
    QuestionKind,
)
from college.referrals.models import Referral, ReferralOutcome, ReferralSource
from college.regions.models import Region
from tests.api.conftest import bearer_for
from tests.conftest import _empty_tables


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def load(runner, *args: str):
    result = runner.invoke(args=["college", "demo", *args])
    db.session.expire_all()
    return result


def test_demo_prints_the_logins_and_each_login_works(runner, client, auth):
    result = load(runner)
    assert result.exit_code == 0, result.output
    assert f"password for all: {DEMO_PASSWORD}" in result.output
    # Where a newcomer reads the mails (a password reset, a confirmation) in development.
    assert "Mails the College sends (development): http://" in result.output
    assert "/dev/mailbox" in result.output
    for role, email in [("coordinator", "coordinator@example.be"), ("trainer", "trainer@example.be"),
                        ("caregiver", "mantelzorger@example.be"),
                        ("professional", "professional@example.be")]:
        assert role in result.output and email in result.output
        response = auth.login(email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        name = User.by_email(email).name
        assert name in client.get("/").get_data(as_text=True)
        auth.logout()


def test_demo_people_have_the_roles_they_are_shown_with(runner):
    load(runner)
    leiestreek = db.session.scalar(select(Organiser).where(Organiser.name == "Mantelzorghub Leiestreek"))
    assert User.by_email("coordinator@example.be").organiser_ids(Role.COORDINATOR) == {leiestreek.id}
    assert User.by_email("trainer@example.be").organiser_ids(Role.TRAINER) == {leiestreek.id}
    assert User.by_email("mantelzorger@example.be").kind == Kind.CAREGIVER
    professional = User.by_email("professional@example.be")
    assert professional.kind == Kind.PROFESSIONAL and professional.profession
    # A second organiser shows that each one sees only its own.
    other = User.by_email("coordinator.waasland@example.be")
    assert other.organiser_ids(Role.COORDINATOR) == {
        db.session.scalar(select(Organiser.id).where(Organiser.name == "Zorgzaam Waasland"))
    }


def test_demo_is_a_realistic_college(runner):
    load(runner)
    assert count(Organiser) == 3  # two hubs and a caring neighbourhood, one region
    published = list(db.session.scalars(select(Course).where(Course.published.is_(True))))
    assert 8 <= len(published) <= 12
    titles = {course.title for course in published}
    assert {"Omgaan met dementie", "Tillen en verplaatsen", "Zorg voor jezelf: grenzen stellen",
            "Respijtzorg: wat bestaat er?", "Mantelzorgers herkennen en doorverwijzen",
            "Signalen van overbelasting",
            "Samenwerken met mantelzorgers in de thuiszorg"} <= titles
    assert all(course.summary and course.description and course.hours > 0 for course in published)
    professional_only = [c for c in published if not c.open_to_caregivers]
    accredited = set(db.session.scalars(select(CourseAccreditation.course_id)))
    assert professional_only and all(c.id in accredited for c in professional_only)
    assert any(c.open_to_caregivers and c.open_to_professionals for c in published)

    learners = Counter(db.session.scalars(select(User.kind).where(User.is_learner.is_(True))))
    assert learners[Kind.CAREGIVER] >= 20 and learners[Kind.PROFESSIONAL] >= 10
    assert count(User, User.kind == Kind.PROFESSIONAL, User.profession.is_(None)) == 0
    assert count(User, User.email.is_(None)) >= 1  # a managed account

    # Editions over the coming months, in Flemish towns, with sessions at Brussels wall-clock hours.
    today = timeutil.today()
    upcoming = list(db.session.scalars(select(Edition).where(Edition.starts_on > today)))
    assert len(upcoming) >= 8
    assert max(e.starts_on for e in upcoming) - today > timedelta(days=45)
    assert {"Deinze", "Zulte", "Waregem"} <= {e.place for e in upcoming}
    for session in db.session.scalars(select(TrainingSession)):
        local = timeutil.local(session.starts_at)
        assert 8 <= local.hour <= 20 and local.minute in (0, 30)


def test_demo_counters_agree_with_the_enrolments(runner):
    load(runner)
    full_with_waitlist = 0
    for edition in db.session.scalars(select(Edition)):
        statuses = Counter(db.session.scalars(select(Enrolment.status).where(Enrolment.edition_id == edition.id)))
        seated = db.session.scalar(select(func.coalesce(func.sum(Enrolment.seats), 0)).where(
            Enrolment.edition_id == edition.id,
            Enrolment.status.in_((EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED))))
        held = db.session.scalar(  # a seat held by an open offer is taken
            select(func.coalesce(func.sum(Enrolment.seats), 0))
            .join(WaitlistOffer, WaitlistOffer.enrolment_id == Enrolment.id)
            .where(WaitlistOffer.edition_id == edition.id, WaitlistOffer.outcome == OfferOutcome.OPEN))
        assert edition.seats_taken == seated + held <= edition.capacity  # a companion's seat counts
        assert edition.waitlist_length == statuses[EnrolmentStatus.WAITLISTED]
        positions = sorted(db.session.scalars(
            select(Enrolment.waitlist_position).where(
                Enrolment.edition_id == edition.id, Enrolment.status == EnrolmentStatus.WAITLISTED)
        ))
        assert positions == list(range(1, edition.waitlist_length + 1))
        if edition.waitlist_length:
            assert edition.seats_taken == edition.capacity
            full_with_waitlist += 1
    assert full_with_waitlist >= 1


def test_demo_has_attendance_only_for_past_sessions_of_enrolled_learners(runner):
    load(runner)
    now = timeutil.now()
    rows = db.session.execute(
        select(TrainingSession.starts_at, Attendance.learner_id, TrainingSession.edition_id)
        .join(Attendance, Attendance.session_id == TrainingSession.id)
    ).all()
    assert len(rows) >= 20
    for starts_at, learner_id, edition_id in rows:
        assert starts_at < now
        assert count(Enrolment, Enrolment.learner_id == learner_id, Enrolment.edition_id == edition_id,
                     Enrolment.status.in_([EnrolmentStatus.ENROLLED,
                                           EnrolmentStatus.COMPLETED])) == 1


def test_demo_has_markdown_modules_and_graded_quiz_attempts(runner):
    load(runner)
    modules = list(db.session.scalars(select(Module).order_by(Module.position)))
    assert len(modules) >= 3
    assert all(module.body_markdown.startswith("## ") for module in modules)
    assert set(db.session.scalars(select(Question.kind))) == set(QuestionKind)
    attempts = list(db.session.scalars(select(Attempt)))
    assert len(attempts) >= 5
    assert any(attempt.passed for attempt in attempts) and not all(a.passed for a in attempts)
    for attempt in attempts:
        assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_at < timeutil.now()
        picked = {}
        for question_id, choice_id in db.session.execute(
            select(Answer.question_id, Answer.choice_id).where(Answer.attempt_id == attempt.id)
        ):
            picked.setdefault(question_id, set()).add(choice_id)
        questions = list(db.session.scalars(select(Question).where(Question.quiz_id == attempt.quiz_id)))
        right = sum(
            picked.get(q.id, set()) == set(db.session.scalars(
                select(Choice.id).where(Choice.question_id == q.id, Choice.correct.is_(True))))
            for q in questions
        )
        assert attempt.score_pct == round(100 * right / len(questions), 1)


def snapshot() -> list:
    return sorted(db.session.execute(
        select(User.name, Course.title, Edition.starts_on, Enrolment.status,
               Enrolment.waitlist_position)
        .join(Enrolment, Enrolment.learner_id == User.id)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
    ).all(), key=repr)


def test_demo_is_deterministic(runner):
    load(runner)
    first = snapshot()
    attendance = sorted(str(s) for s in db.session.scalars(select(Attendance.status)))
    _empty_tables()
    load(runner)
    assert snapshot() == first
    assert sorted(str(s) for s in db.session.scalars(select(Attendance.status))) == attendance


def test_if_empty_loads_into_an_empty_database(runner):
    assert database_is_empty()
    result = load(runner, "--if-empty")
    assert result.exit_code == 0 and "Demo loaded" in result.output
    assert not database_is_empty()


def test_if_empty_prints_the_logins_again_when_the_demo_is_there(runner):
    load(runner)
    users = count(User)
    result = load(runner, "--if-empty")
    assert result.exit_code == 0
    assert "loaded earlier" in result.output and "coordinator@example.be" in result.output
    assert DEMO_PASSWORD in result.output
    assert count(User) == users


def test_if_empty_leaves_other_data_alone(runner, make):
    make.coordinator(make.organiser())
    result = load(runner, "--if-empty")
    assert result.exit_code == 0
    assert "already has data; demo not loaded" in result.output
    assert count(User) == 1 and count(Course) == 0


def test_loading_the_demo_twice_is_refused(runner):
    load(runner)
    users, enrolments = count(User), count(Enrolment)
    result = load(runner)
    assert result.exit_code != 0
    assert "staat al in deze databank" in result.output
    assert (count(User), count(Enrolment)) == (users, enrolments)


def test_demo_completes_past_editions_and_the_worker_issues_their_certificates(runner, app):
    from college.certificates.models import Certificate, CertificateStatus
    from college.enrolment.models import Enrolment, EnrolmentStatus
    from tests.conftest import run_worker

    runner.invoke(args=["college", "demo"])
    completed = db.session.scalar(
        select(func.count()).where(Enrolment.status == EnrolmentStatus.COMPLETED))
    assert completed > 0
    run_worker(app)
    issued = db.session.scalar(
        select(func.count()).where(Certificate.status == CertificateStatus.ISSUED))
    assert issued == completed


def test_demo_has_an_edition_that_offers_a_freed_seat_along_its_waiting_list(runner, client, auth):
    """One edition in offer mode: a declined offer in its history, an open one with its
    deadline on the roster, and the offer in the outbox of the person it is held for."""
    load(runner)
    edition = db.session.scalar(select(Edition).where(Edition.waitlist_mode == WaitlistMode.OFFER))
    outcomes = db.session.scalars(select(WaitlistOffer.outcome).where(
        WaitlistOffer.edition_id == edition.id).order_by(WaitlistOffer.id)).all()
    assert outcomes == [OfferOutcome.DECLINED, OfferOutcome.OPEN]
    assert edition.seats_taken == edition.capacity and edition.waitlist_length >= 2
    auth.login("coordinator@example.be", DEMO_PASSWORD)
    page = client.get(f"/editions/{edition.id}/enrolments").get_data(as_text=True)
    assert 'class="offer-open"' in page and 'class="offer-declined"' in page


def test_demo_home_nurse_gets_an_attest_naming_the_nurses_scheme(runner, app, client, auth):
    from college.certificates.models import Certificate, CertificateStatus
    from college.certificates.storage import file_storage
    from tests.certificates.helpers import pdf_text
    from tests.conftest import run_worker

    runner.invoke(args=["college", "demo"])
    nurse = User.by_email("professional@example.be")
    schemes = {scheme.code: scheme for scheme in db.session.scalars(select(Scheme))}
    assert {"riziv", "nurses", "pharmacists", "social-workers"} <= set(schemes)
    assert RegistrationNumber.of(nurse.id) == {schemes["nurses"].id: "4-12345-02-401"}
    physician = db.session.scalar(select(User).where(User.profession == "Huisarts"))
    assert RegistrationNumber.of(physician.id) == {schemes["riziv"].id: "12345625004"}

    run_worker(app)
    certificate = db.session.scalar(
        select(Certificate).join(Edition, Edition.id == Certificate.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Certificate.learner_id == nurse.id, Certificate.status == CertificateStatus.ISSUED,
               Course.title == "Mantelzorgers herkennen en doorverwijzen"))
    text = " ".join(pdf_text(file_storage().get(certificate.storage_key)).split())
    assert ("Permanente vorming verpleegkundigen: 4 uur, rubriek Psychosociale zorg, "
            "accreditatienummer PV-2026-0412; registratienummer 4-12345-02-401") in text
    # The course is a refresher every three years: the attest says until when it is valid.
    assert certificate.expires_on is not None and "Geldig tot" in text
    # ... and so does her learning record.
    auth.login(nurse.email, DEMO_PASSWORD)
    record = " ".join(client.get("/account/learning-record").get_data(as_text=True).split())
    assert "Mantelzorgers herkennen en doorverwijzen (4 uur). Attest: Geldig tot" in record
    # The hub's own certificate design, version 2: its texts filled in, its signatory.
    assert certificate.design_version == 2
    assert "Attest voor An De Vos" in text
    assert "Mantelzorghub Leiestreek bevestigt met dank dat" in text
    assert "Els Vandewalle Coördinator Mantelzorghub Leiestreek" in text


def test_demo_has_evaluations_with_figures_and_one_with_too_few_answers(runner, client, auth):
    from college.evaluation.models import EvaluationInvitation, EvaluationResponse

    load(runner)
    assert count(EvaluationResponse) >= 5
    leiestreek = db.session.scalar(select(Organiser).where(Organiser.name == "Mantelzorghub Leiestreek"))
    auth.login("coordinator@example.be", DEMO_PASSWORD)
    start = (timeutil.today() - timedelta(days=365)).isoformat()
    page = client.get(f"/organisers/{leiestreek.id}/evaluations?start={start}").get_data(as_text=True)
    # The demo coordinator reads Dutch.
    assert "uitgenodigde mensen antwoordden" in page and "Gemiddelde:" in page
    editions = db.session.scalars(select(EvaluationResponse.edition_id)).all()
    answers = Counter(editions)
    assert max(answers.values()) >= 5 and min(answers.values()) < 5
    small = min(answers, key=answers.get)
    alone = client.get(f"/organisers/{leiestreek.id}/evaluations?start={start}&edition={small}")
    assert "te weinig antwoorden" in alone.get_data(as_text=True)
    auth.logout()
    # The demo caregiver's evaluation waits on My trainings.
    auth.login("mantelzorger@example.be", DEMO_PASSWORD)
    assert "/my/evaluations/" in client.get("/my/trainings").get_data(as_text=True)
    assert count(EvaluationInvitation, EvaluationInvitation.answered.is_(False)) >= 1


def test_demo_burden_measures_show_a_change(runner, client, auth):
    from college.evaluation.models import BurdenMeasurement

    load(runner)
    assert count(BurdenMeasurement) >= 10
    leiestreek = db.session.scalar(select(Organiser).where(Organiser.name == "Mantelzorghub Leiestreek"))
    auth.login("coordinator@example.be", DEMO_PASSWORD)
    start = (timeutil.today() - timedelta(days=365)).isoformat()
    page = client.get(f"/organisers/{leiestreek.id}/evaluations?start={start}").get_data(as_text=True)
    assert "Belasting: de verandering per mantelzorger" in page
    from college.evaluation.burden import burden_report
    changes = burden_report(User.by_email("coordinator@example.be"), leiestreek.id, start, None)
    after = changes.instruments[0].changes[0]
    assert after.people >= 5 and after.mean < 0  # lighter after the training, on average
    # The hub entered an instrument of its own, as data.
    instruments = client.get(f"/organisers/{leiestreek.id}/burden-instruments").get_data(as_text=True)
    assert "Voorbeeld: eigen vragenlijst (4 uitspraken)" in instruments and "omgekeerd" in instruments


def test_demo_attests_are_signed_with_a_generated_key_and_pass_the_pdf_check(runner, app):
    from college.certificates.models import Certificate, CertificateStatus, SigningKey
    from college.certificates.services import verify_pdf
    from college.certificates.signing import Verdict
    from college.certificates.storage import file_storage
    from tests.conftest import run_worker

    runner.invoke(args=["college", "demo"])
    run_worker(app)
    # No key was configured: the first attest made the installation's key, in the database.
    [key] = db.session.scalars(select(SigningKey)).all()
    assert key.scope == "installation" and key.private_key_pem
    certificate = db.session.scalars(
        select(Certificate).where(Certificate.status == CertificateStatus.ISSUED)).first()
    check = verify_pdf(file_storage().get(certificate.storage_key))
    assert check.verdict == Verdict.VALID and check.certificate.id == certificate.id


def test_demo_asks_questions_at_enrolment_and_seats_a_companion(runner, client, auth):
    load(runner)
    course = db.session.scalar(select(Course).where(Course.title == "Tillen en verplaatsen"))
    assert course.allow_companion
    auth.login("coordinator@example.be", DEMO_PASSWORD)
    client.get("/language/en")
    edition = db.session.scalar(select(Edition).where(Edition.course_id == course.id,
                                                      Edition.place == "Waregem"))
    page = client.get(f"/editions/{edition.id}/enrolments").get_data(as_text=True)
    assert "yes: brings the person they care for" in page
    assert "Heb je een zaal zonder trappen nodig?" in page
    assert "Hoe hoorde je van deze vorming?" in page
    auth.logout()
    auth.login("mantelzorger@example.be", DEMO_PASSWORD)
    client.get("/language/en")
    form = client.get(f"/editions/{edition.id}/enrol").get_data(as_text=True)
    assert "Why we ask this: Zodat we een zaal kiezen" in form
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.edition_id == edition.id, Enrolment.seats == 2)) == 1


def test_demo_region_reads_three_members_figures(runner, client, auth):
    load(runner)
    auth.login("regio@example.be", DEMO_PASSWORD)
    page = client.get("/regions")
    assert page.status_code == 200 and "Eerstelijnszone Leie en Schelde" in page.get_data(as_text=True)
    region_id = db.session.scalar(select(Region.id))
    figures = client.get(f"/regions/{region_id}/figures").get_data(as_text=True)
    for name in ("Mantelzorghub Leiestreek", "Zorgzaam Waasland", "Zorgzame buurt Zulte"):
        assert name in figures
    exported = client.get(f"/regions/{region_id}/figures/members.csv")
    assert exported.status_code == 200 and "Zorgzame buurt Zulte" in exported.get_data().decode("utf-8-sig")
    listed = client.get("/regions/eerstelijnszone-leie-schelde/trainings.json").get_json()["items"]
    assert {"Mantelzorghub Leiestreek", "Zorgzaam Waasland"} <= {item["organiser"] for item in listed}
    assert "Deinze" in client.get(f"/regions/{region_id}/municipalities").get_data(as_text=True)
    # The hub's course with respite counts in the roll-up's respite table, and the region's
    # referral figures download as CSV.
    assert 'id="respite-table"' in figures
    referrals = client.get(f"/regions/{region_id}/referrals.csv")
    assert referrals.status_code == 200 and "Apotheek" in referrals.get_data().decode("utf-8-sig")


def test_demo_course_organised_together(runner, client):
    load(runner)
    shared = db.session.scalar(select(CoOrganiser))
    page = client.get(f"/courses/{shared.course_id}").get_data(as_text=True)
    assert "Mantelzorghub Leiestreek" in page and "Zorgzame buurt Zulte" in page


def test_demo_pharmacist_referral_ends_in_an_enrolment(runner, client, auth):
    load(runner)
    enrolled, waiting = sorted(db.session.scalars(select(Referral)), key=lambda r: r.outcome is None)
    assert enrolled.source == ReferralSource.PHARMACY and enrolled.outcome == ReferralOutcome.ENROLLED
    assert db.session.get(User, enrolled.referred_by_id).profession == "Apotheker"
    assert waiting.outcome is None
    auth.login("coordinator@example.be", DEMO_PASSWORD)
    leiestreek = db.session.scalar(select(Organiser.id).where(Organiser.name == "Mantelzorghub Leiestreek"))
    page = client.get(f"/organisers/{leiestreek}/to-phone").get_data(as_text=True)
    assert "Agnes Vermeersch" in page
    assert "Wie bekeek de gegevens van deze mantelzorger" in page  # the referral's access log
    figures = client.get(f"/api/v1/organisers/{leiestreek}/referral-figures",
                         headers=bearer_for(User.by_email("coordinator@example.be"))).get_json()
    pharmacy = next(row for row in figures["organisers"][0]["rows"] if row["source"] == "pharmacy")
    assert (pharmacy["referred"], pharmacy["contacted"], pharmacy["enrolled"]) == (1, 1, 1)


def test_the_demo_caregiver_has_respite_arranged_through_a_partner(runner, client, auth):
    from college.respite.models import RespitePartner, RespiteSession, RespiteState

    assert load(runner).exit_code == 0
    assert count(RespitePartner) == 2
    arranged = db.session.scalars(select(RespiteSession)).all()
    assert arranged and all(s.state == RespiteState.ARRANGED and s.helper_first_name == "Greet"
                            for s in arranged)
    auth.login("mantelzorger@example.be", DEMO_PASSWORD)
    page = client.get("/my/trainings").get_data(as_text=True)
    assert "Oppasdienst Samana Leiestreek" in page
