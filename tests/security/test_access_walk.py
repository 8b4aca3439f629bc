"""Who may open or post to each page: a walk over every HTML route of the URL map, every role.

Each route is visited with the objects of one organiser (a course, edition, session, enrolment,
module, quiz, attempt, certificate, notification, export, managed learner) by seven people:
nobody, the learner who owns them, another learner, the edition's trainer, a trainer of
another edition, the organiser's coordinator and a coordinator of another organiser (who has
the same objects in their own organiser). A GET may answer 200 only to the roles in ACCESS;
a POST by any other role must leave every table as it was. A route missing from ACCESS fails
test_every_html_route_is_in_the_table, so a new page cannot ship without saying who may see it.
(/api/v1 has its own matrix in tests/api/test_authorisation_matrix.py.)
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import time, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from college import timeutil
from college.accounts.models import Organiser, User
from college.accreditation.models import Scheme
from college.accreditation.services import add_accreditation, add_scheme
from college.catalogue.models import TrainingSession
from college.certificates.design_services import save_design
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.storage import file_storage
from college.enrolment.models import Notification, NotificationStatus
from college.enrolment.question_authoring import add_question as add_enrolment_question
from college.evaluation.burden import define_instrument, shipped_instrument
from college.evaluation.models import EvaluationInvitation
from college.evaluation.services import evaluation_for
from college.extensions import db
from college.learning import quiz_authoring
from college.learning.access import current_quiz
from college.learning.models import Attempt, AttemptStatus, Module, ModuleImage, QuestionKind
from college.learning.quiz_authoring import ChoiceInput
from college.privacy.models import DataExport, ExportStatus
from college.referrals.models import NEEDS, ReferralSource
from college.referrals.services import refer_caregiver
from college.regions.models import Municipality
from college.respite.links import make_token
from college.respite.models import (
    RespiteKind,
    RespitePartner,
    RespiteRequest,
    RespiteSession,
    RespiteState,
)
from tests.conftest import Auth, csrf_token

ROLES = ("anonymous", "learner", "other_learner", "trainer", "other_trainer", "coordinator",
         "other_coordinator")


@dataclass
class Hub:
    """One organiser's objects."""

    organiser: Organiser
    coordinator: User
    trainer: User
    learner: User
    values: dict = field(default_factory=dict)


#: A certificate design as its page's form sends it.
WALK_DESIGN = {"layout": "modern", "primary_colour": "#1b4f72", "accent_colour": "#a4431e",
               "title_text": "Attest voor {learner}", "signatory_name": "Els Claes"}


def _hub(make, label: str) -> Hub:
    organiser = make.organiser(logo=b"\x89PNG walk", logo_mimetype="image/png")
    coordinator = make.coordinator(organiser, name=f"Coordinator {label}")
    trainer = make.trainer(organiser, name=f"Trainer {label}")
    learner = make.learner(name=f"Learner {label}")
    learner.calendar_token = f"calendar-token-{label}"
    course = make.course(organiser, title=f"Omgaan met dementie {label}")
    edition = make.edition(course, trainers=[trainer], sessions=2,
                           starts_on=timeutil.today())
    enrolment = make.enrolment(learner, edition)
    session = edition_session(edition.id)
    session.checkin_secret = f"secret-{label}"
    # The first session starts in ten minutes: check-in is open, enrolment still too.
    # It ends on the day it starts (Brussels time), as every session made through a form does,
    # so that copying the edition works at any hour the walk runs.
    session.starts_at = timeutil.now() + timedelta(minutes=10)
    last_moment = timeutil.brussels(timeutil.local(session.starts_at).date(), time(23, 59, 59))
    session.ends_at = min(timeutil.now() + timedelta(hours=2), last_moment)
    module = Module(course_id=course.id, title="Wat is mantelzorg?", body_markdown="Tekst.")
    picture = ModuleImage(course_id=course.id, content=b"\x89PNG walk", mimetype="image/png")
    db.session.add_all([module, picture])
    db.session.commit()
    quiz_authoring.save_quiz_settings(trainer, course.id, pass_pct=70)
    quiz_authoring.save_question(trainer, course.id, text="Wat is respijtzorg?", kind=QuestionKind.SINGLE,
                                       choices=[ChoiceInput("Tijdelijke overname", True), ChoiceInput("Een premie", False)])
    quiz = current_quiz(course.id, with_questions=True)
    question = quiz.questions[0]
    submitted = Attempt(quiz_id=quiz.id, learner_id=learner.id, number=1, status=AttemptStatus.SUBMITTED,
                        submitted_at=timeutil.now(), score_pct=100, passed=True)
    open_attempt = Attempt(quiz_id=quiz.id, learner_id=learner.id, number=2)
    certificate = Certificate(enrolment_id=enrolment.id, learner_id=learner.id, edition_id=edition.id,
                              status=CertificateStatus.ISSUED, verification_code=f"CODE{label}",
                              issued_at=timeutil.now(), storage_key=f"walk/certificate-{label}.pdf")
    file_storage().put(certificate.storage_key, b"%PDF-1.7 walk", "application/pdf")
    managed = make.learner(email=None, password=None, name=f"Managed {label}",
                           managed_by_organiser_id=organiser.id)
    notification = Notification(user_id=managed.id, edition_id=edition.id, kind="enrolled",
                                dedupe_key=f"walk-{label}", subject="Ingeschreven", body="...",
                                status=NotificationStatus.TO_PHONE)
    export = DataExport(user_id=learner.id, status=ExportStatus.READY, storage_key=f"walk/export-{label}.zip")
    file_storage().put(export.storage_key, b"PK walk", "application/zip")
    db.session.add_all([submitted, open_attempt, certificate, notification, export])
    asked = add_enrolment_question(None, course, kind="text", text="Dieetwensen?", why="Lunch.")
    db.session.commit()
    nurses, physicians = (_scheme("walk-nurses"), _scheme("walk-physicians"))
    accreditation = add_accreditation(None, course, nurses.id, 4, number="PV-1")
    save_design(coordinator, organiser, WALK_DESIGN, None)  # its version 1 ("number")
    db.session.commit()
    values = {
        "organiser_id": organiser.id, "slug": organiser.slug, "course_id": course.id,
        "edition_id": edition.id, "session_id": session.id, "enrolment_id": enrolment.id,
        "module_id": module.id, "image_id": picture.id, "question_id": question.id, "choice_id": question.choices[0].id,
        "attempt_id": submitted.id, "open_attempt_id": open_attempt.id, "number": 1,
        "certificate_id": certificate.id, "code": certificate.verification_code,
        "notification_id": notification.id, "export_id": export.id, "user_id": managed.id,
        "token": learner.calendar_token, "kind": "zip", "name": "reach",
        "edition_day": edition.starts_on.isoformat(), "edition_end": edition.ends_on.isoformat(),
        "accreditation_id": accreditation.id, "scheme_id": nurses.id, "other_scheme_id": physicians.id,
        "enrolment_question_id": asked.id,
    }
    # A burden instrument of its own, an evaluation the learner is invited to, a referral.
    shipped_instrument()
    instrument = define_instrument(coordinator, organiser.id, {
        "name": f"Belasting {label}", "items": [{"text": "Ik voel me moe"}],
        "scale_min": 0, "scale_max": 4})
    db.session.add(EvaluationInvitation(enrolment_id=enrolment.id, invited_at=timeutil.now()))
    evaluation = evaluation_for(learner, enrolment.id)
    referral = refer_caregiver(organiser_id=organiser.id, referrer=None, caregiver_name=f"Caregiver {label}",
                               phone="0470 12 34 56", email=None, needs=[next(iter(NEEDS))],
                               source=ReferralSource.GP, consent=True)
    db.session.commit()
    values.update({
        "instrument_id": instrument.id, "evaluation_version_id": evaluation.versions[0].id,
        "referral_id": referral.id,
    })
    values.update(_respite(make, label, organiser, course, edition))
    return Hub(organiser, coordinator, trainer, learner, values)


def _respite(make, label: str, organiser, course, edition) -> dict:
    """The course offers respite; a partner of the organiser was asked to take over the care
    of a caregiver's sessions (the world's learner has asked none yet)."""
    course.offers_respite = True
    enrolment = make.enrolment(make.learner(name=f"Respite {label}"), edition)
    gent = db.session.scalar(select(Municipality).where(Municipality.nis_code == "44021"))
    if gent is None:
        gent = Municipality(nis_code="44021", name="Gent", postcodes="9000")
        db.session.add(gent)
    partner = RespitePartner(organiser_id=organiser.id, name=f"Oppas {organiser.name}",
                             email=f"oppas-{organiser.slug}@example.be", kinds="company")
    db.session.add(partner)
    db.session.flush()
    sessions = db.session.scalars(select(TrainingSession.id).where(
        TrainingSession.edition_id == edition.id))
    request = RespiteRequest(
        enrolment_id=enrolment.id, kind=RespiteKind.COMPANY, municipality_id=gent.id,
        address="Kerkstraat 1", consent_at=timeutil.now(),
        sessions=[RespiteSession(session_id=session_id, state=RespiteState.ASKED,
                                 partner_id=partner.id, asked_at=timeutil.now())
                  for session_id in sessions])
    db.session.add(request)
    db.session.commit()
    return {"partner_id": partner.id, "request_id": request.id, "municipality_id": gent.id,
            "respite_token": make_token(request.id, partner.id)}


def _scheme(code: str) -> Scheme:
    """One scheme shared by both organisers (the list is the installation's)."""
    found = db.session.scalar(select(Scheme).where(Scheme.code == code))
    return found or add_scheme(None, code, f"Schema {code}")


def edition_session(edition_id: int):
    from college.catalogue.models import TrainingSession

    return db.session.scalars(
        select(TrainingSession).where(TrainingSession.edition_id == edition_id).order_by(TrainingSession.starts_at)
    ).first()


@dataclass
class World:
    """Organiser A (whose objects fill the URLs) and organiser B (the same, elsewhere)."""

    make: object

    def __post_init__(self):
        self.a = _hub(self.make, "A")
        self.b = _hub(self.make, "B")
        other_course = self.make.course(self.a.organiser, title="Tillen en verplaatsen")
        other_trainer = self.make.trainer(self.a.organiser, name="Trainer van een andere editie")
        self.make.edition(other_course, trainers=[other_trainer], sessions=1)
        # Another organiser A's coordinators may choose to organise A's course with.
        self.a.values["partner_organiser_id"] = self.b.organiser.id
        self.users = {
            "learner": self.a.learner,
            "other_learner": self.b.learner,
            "trainer": self.a.trainer,
            "other_trainer": other_trainer,
            "coordinator": self.a.coordinator,
            "other_coordinator": self.b.coordinator,
        }


EVERYONE = frozenset(ROLES)
NOBODY = frozenset()
LOGGED_IN = EVERYONE - {"anonymous"}
OWNER = frozenset({"learner"})
COORDINATOR = frozenset({"coordinator"})
TEACHERS = frozenset({"trainer", "coordinator"})  # the edition's trainers and coordinators
ORGANISER_STAFF = frozenset({"trainer", "other_trainer", "coordinator"})
ANY_STAFF = ORGANISER_STAFF | {"other_coordinator"}
ANY_COORDINATOR = frozenset({"coordinator", "other_coordinator"})


@dataclass(frozen=True)
class Access:
    """Who gets a 200 on GET, and whose POST may change something; params override the URL's."""

    get: frozenset = NOBODY
    post: frozenset = NOBODY
    params: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    #: The allowed role's POST changes a table, which proves PAYLOAD reaches the change (so a
    #: missing check would show). False where the world has nothing for it to change.
    proves: bool = True


ACCESS: dict[str, Access] = {
    # Public pages.
    "main.index": Access(get=EVERYONE),
    "mailbox.index": Access(get=EVERYONE),  # development only: production has no such route
    "main.help_page": Access(get=EVERYONE),
    "main.liveness": Access(get=EVERYONE),
    "main.readiness": Access(get=EVERYONE),
    "main.switch_language": Access(get=NOBODY, params={"code": "en"}),  # redirects back
    "catalogue.index": Access(get=EVERYONE),
    "catalogue.course": Access(get=EVERYONE),
    "catalogue.edition_ics": Access(get=EVERYONE),
    "catalogue.organiser_ics": Access(get=EVERYONE),
    "catalogue.learner_ics": Access(get=EVERYONE),  # the secret token is the credential
    "certificates.verify": Access(get=EVERYONE),  # the verification code is the credential
    "certificates.verify_form": Access(get=EVERYONE),
    "accounts.login": Access(get={"anonymous"}, post=EVERYONE),
    "accounts.register": Access(get={"anonymous"}, post=EVERYONE),
    "accounts.forgot_password": Access(get=EVERYONE, post=EVERYONE),
    "accounts.reset_password": Access(params={"token": "not-a-valid-token"}),
    "accounts.registration_sent": Access(get=EVERYONE),
    "accounts.confirm_email": Access(params={"token": "not-a-valid-token"}),
    "privacy.notice": Access(get=EVERYONE),
    # One's own account.
    "accounts.logout": Access(post=LOGGED_IN),
    "accounts.change_password": Access(get=LOGGED_IN, post=LOGGED_IN),
    "accounts.my_account": Access(get=LOGGED_IN, post=LOGGED_IN),
    "accounts.send_confirmation": Access(post=LOGGED_IN),
    "accounts.cancel_email_change": Access(post=LOGGED_IN),
    "accounts.keep_alive": Access(post=LOGGED_IN),
    "privacy.consent": Access(get=LOGGED_IN, post=LOGGED_IN),
    "catalogue.account_calendar": Access(get=LOGGED_IN),
    "catalogue.renew_calendar": Access(post=LOGGED_IN),
    "catalogue.revoke_calendar": Access(post=LOGGED_IN),
    "privacy.my_data": Access(get=LOGGED_IN),
    "privacy.request_export": Access(post=LOGGED_IN),
    "privacy.download_export": Access(get=OWNER),
    "privacy.delete_account": Access(post=LOGGED_IN),
    "certificates.mine": Access(get=LOGGED_IN),
    "certificates.download": Access(get=OWNER | COORDINATOR),
    "learning.my_learning": Access(get=LOGGED_IN),
    "attendance.my_attendance": Access(get=LOGGED_IN),
    "enrolment.my_trainings": Access(get=LOGGED_IN),
    "attendance.teaching": Access(get=ANY_STAFF),
    # Enrolment.
    "enrolment.enrol": Access(get=LOGGED_IN, post=LOGGED_IN),
    "enrolment.cancel": Access(get=OWNER | COORDINATOR, post=OWNER | COORDINATOR,
                               data={"confirmed": "yes"}),
    "enrolment.roster": Access(get=TEACHERS),
    "enrolment.change_capacity": Access(post=COORDINATOR),
    "enrolment.enrol_on_behalf": Access(post=TEACHERS, data={"managed_learner": "@user_id"}),
    "enrolment.to_phone": Access(get=COORDINATOR),
    # Checking a list writes nothing; confirming needs the check's signed rows (tests/enrolment).
    "enrolment_import.import_participants": Access(get=COORDINATOR, post=COORDINATOR,
                                                   data={"file": "@participants"}, proves=False),
    "enrolment_import.confirm_import": Access(post=COORDINATOR, proves=False),
    "enrolment.phoned": Access(post=COORDINATOR),
    # Attendance.
    "attendance.checkin": Access(get=LOGGED_IN, post=LOGGED_IN),
    # The QR code's page shows the session's public course and time; only its learners check in.
    "attendance.checkin_session": Access(get=LOGGED_IN, post=OWNER, proves=False),  # codes rotate
    "attendance.checkin_code": Access(get=TEACHERS),
    "attendance.roster": Access(get=TEACHERS, post=TEACHERS),
    "attendance.walk_in": Access(post=TEACHERS),  # enrols PAYLOAD's name and email, marks present
    "attendance.roster_csv": Access(get=TEACHERS),
    "attendance.history": Access(get=TEACHERS),
    "attendance.sign_in_sheet": Access(get=TEACHERS),
    "attendance.edition_overview": Access(get=TEACHERS),
    "attendance.edition_csv": Access(get=TEACHERS),
    # Course management.
    "catalogue_manage.manage_courses": Access(get=COORDINATOR),
    "catalogue_manage.new_course": Access(get=COORDINATOR, post=COORDINATOR),
    "catalogue_manage.manage_course": Access(get=COORDINATOR),
    "catalogue_manage.edit_course": Access(get=COORDINATOR, post=COORDINATOR),
    "catalogue_manage.new_edition": Access(get=COORDINATOR, post=COORDINATOR),
    "catalogue_manage.edit_edition": Access(get=COORDINATOR, post=COORDINATOR,
                                     data={"starts_on": "@edition_day", "ends_on": "@edition_end"}),
    "catalogue_manage.new_session": Access(get=COORDINATOR, post=COORDINATOR, data={"day": "@edition_day"}),
    "catalogue_manage.copy_edition": Access(get=COORDINATOR, post=COORDINATOR,
                                            data={"starts_on": "@edition_day", "save": "y"}),
    "catalogue_manage.new_series": Access(get=COORDINATOR, post=COORDINATOR, data={
        "first_day": "@edition_day", "starts": "14:00", "ends": "16:00", "every": "week", "count": "2",
        "save": "y"}),
    "catalogue_manage.edit_session": Access(get=COORDINATOR, post=COORDINATOR, data={"day": "@edition_day"}),
    "catalogue_manage.delete_session": Access(post=COORDINATOR),
    "catalogue_manage.course_co_organisers": Access(
        get=COORDINATOR, post=COORDINATOR, data={"organiser_ids": "@partner_organiser_id"}),
    # Modules and quizzes: the organiser's trainers and coordinators write them.
    "learning.course": Access(get=OWNER | ORGANISER_STAFF),
    "learning.module": Access(get=OWNER | ORGANISER_STAFF),
    "learning.module_image": Access(get=OWNER | ORGANISER_STAFF),
    "learning.add_image": Access(post=ORGANISER_STAFF, data={"image": "@png"}),
    "learning.delete_image": Access(post=ORGANISER_STAFF),
    "learning.complete_module": Access(post=OWNER),
    "learning.new_module": Access(get=ORGANISER_STAFF, post=ORGANISER_STAFF),
    "learning.edit_module": Access(get=ORGANISER_STAFF, post=ORGANISER_STAFF),
    "learning.delete_module": Access(post=ORGANISER_STAFF),
    "learning.move_module": Access(post=ORGANISER_STAFF, proves=False),  # a single module
    "learning.publish_module": Access(post=ORGANISER_STAFF, data={"published": "0"}),
    "learning.edit_quiz": Access(get=ORGANISER_STAFF, post=ORGANISER_STAFF),
    "learning.edit_question": Access(get=ORGANISER_STAFF, post=ORGANISER_STAFF, data={
        "kind": "single", "choices-0-text": "Ja", "choices-0-correct": "y", "choices-1-text": "Nee"}),
    "learning.move_question": Access(post=ORGANISER_STAFF),
    "learning.remove_question": Access(post=ORGANISER_STAFF),
    "learning.move_choice": Access(post=ORGANISER_STAFF),
    "learning.quiz_results": Access(get=ORGANISER_STAFF),
    "learning.start_attempt": Access(post=OWNER, proves=False),  # the learner has an open attempt
    "learning.attempt_result": Access(get=OWNER | ORGANISER_STAFF),  # trainers follow results
    "learning.attempt_review": Access(get=OWNER),
    "learning.attempt_question": Access(get=OWNER, post=OWNER, params={"attempt_id": "open_attempt_id"}),
    "learning.submit_attempt": Access(post=OWNER, params={"attempt_id": "open_attempt_id"}),
    # Certificates.
    "certificates.organiser_editions": Access(get=COORDINATOR),
    "certificates.edition_certificates": Access(get=COORDINATOR),
    "certificates.download_zip": Access(get=COORDINATOR),
    "certificates.edition_job": Access(post=COORDINATOR, proves=False),  # queues a job in Redis
    "certificates.revoke": Access(get=COORDINATOR, post=COORDINATOR),
    # Reissue needs a revoked certificate and retry a failed one; the world's is issued.
    "certificates.reissue": Access(get=COORDINATOR, post=COORDINATOR, proves=False),
    "certificates.retry": Access(post=COORDINATOR, proves=False),
    # Dashboards and people.
    "dashboards.organiser": Access(get=COORDINATOR),
    "dashboards.organiser_csv": Access(get=COORDINATOR),
    "dashboards.organiser_pdf": Access(get=COORDINATOR),
    "dashboards.edition": Access(get=TEACHERS),
    "accounts.people": Access(get=COORDINATOR),
    "accounts.new_account": Access(get=COORDINATOR, post=COORDINATOR),
    # A managed account of the organiser ("@user_id"): its name, phone number, note and kind.
    "accounts.edit_person": Access(get=COORDINATOR, post=COORDINATOR,
                                   data={"phone": "09 123 45 67", "note": "Belt na 10 uur"}),
    "accounts.organiser_logo": Access(get=COORDINATOR, post=COORDINATOR, data={"logo": "@png"}),
    "accounts.organiser_settings": Access(get=COORDINATOR, post=COORDINATOR,
                                          data={"waitlist_closes_hours_before": "24"}),
    "accounts.organiser_logo_image": Access(get=COORDINATOR),
    "certificates.certificate_design": Access(get=COORDINATOR, post=COORDINATOR, data=WALK_DESIGN),
    # A preview renders a PDF and stores nothing; restoring version 1 adds version 2.
    "certificates.preview_design": Access(post=COORDINATOR, proves=False, data=WALK_DESIGN),
    "certificates.restore_design": Access(post=COORDINATOR),
    "privacy.delete_managed": Access(get=COORDINATOR, post=COORDINATOR, data={"confirmed": "yes"}),
    # Waiting-list offers. The signed token of a mailed link is the credential (a made-up one
    # names nothing); the world has no offer, so answering one proves nothing here
    # (tests/enrolment/test_offers.py answers real ones).
    "offers.answer_by_link": Access(params={"token": "not-a-valid-token", "answer": "accept"}),
    "offers.answer": Access(post=OWNER | COORDINATOR, proves=False,
                            params={"offer_id": "enrolment_id", "answer": "accept"}),
    "offers.waitlist_mode": Access(post=COORDINATOR,
                                   data={"waitlist_mode": "offer", "offer_hold_hours": "24"}),
    # Accreditation: the installation's schemes, a course's accreditations, one's own numbers
    # and learning record, the lists per edition and scheme.
    "accreditation.schemes": Access(get=ANY_COORDINATOR, post=ANY_COORDINATOR, data={
        "code": "walk-new", "unit": "points", "partial_rule": "completion", "number_check": "none"}),
    "accreditation.course_accreditations": Access(get=COORDINATOR, post=COORDINATOR,
                                                  data={"scheme_id": "@other_scheme_id", "points": "2"}),
    "accreditation.remove_accreditation": Access(post=COORDINATOR),
    "accreditation.registration_numbers": Access(get=LOGGED_IN, post=LOGGED_IN),
    "accreditation.learning_record": Access(get=LOGGED_IN),
    "accreditation.learning_record_csv": Access(get=LOGGED_IN),
    "accreditation.learning_record_pdf": Access(get=LOGGED_IN),
    "accreditation.edition_accreditation": Access(get=COORDINATOR),
    "accreditation.edition_export_csv": Access(get=COORDINATOR),
    # Evaluations: the world's learner is invited (PAYLOAD answers none of its questions, so
    # nothing changes); the standard questionnaires are made on first use, id 1 is one of them.
    "evaluation.answer": Access(get=OWNER, post=OWNER, proves=False),
    "evaluation.questionnaire_list": Access(get=COORDINATOR),
    "evaluation.edit_questionnaire": Access(get=COORDINATOR, post=COORDINATOR,
                                            params={"questionnaire_id": 1}, proves=False),
    "evaluation.course_questions": Access(get=COORDINATOR, post=COORDINATOR, data={
        "questions-0-kind": "open", "questions-0-text": "Wat neem je mee naar huis?"}),
    "evaluation.report": Access(get=COORDINATOR),
    "evaluation.report_csv": Access(get=COORDINATOR),
    "evaluation.report_pdf": Access(get=COORDINATOR),
    # The world's course has no burden measure switched on: nothing to answer (404).
    "evaluation.burden_setting": Access(get=COORDINATOR, post=COORDINATOR, data={"on": "yes"}),
    "evaluation.burden_answer": Access(get=OWNER, post=OWNER, params={"moment": "before"},
                                       proves=False),
    "evaluation.burden_decline": Access(post=OWNER),
    "evaluation.instrument_list": Access(get=COORDINATOR),
    "evaluation.new_instrument": Access(get=COORDINATOR, post=COORDINATOR, data={
        "name": "Belasting in de walk", "items": "Ik voel me moe", "scale_min": "0",
        "scale_max": "4"}),
    # Nobody in the world attended yet: a typed-in paper form is refused (409).
    "evaluation.paper_form": Access(get=TEACHERS),
    "evaluation.paper_answers": Access(get=TEACHERS, post=TEACHERS, proves=False),
    # Anyone may upload a PDF to check it; checking changes nothing.
    "certificates.verify_pdf": Access(),
    # A region's figures are for its regional coordinators, none of these roles
    # (tests/regions walk them with a region's own people).
    "regions.index": Access(get=NOBODY),
    "regions.figures": Access(get=NOBODY, params={"region_id": 1}),
    "regions.figures_csv": Access(get=NOBODY, params={"region_id": 1}),
    "regions.figures_pdf": Access(get=NOBODY, params={"region_id": 1}),
    "regions.region_reach": Access(get=NOBODY, params={"region_id": 1}),
    "regions.region_reach_csv": Access(get=NOBODY, params={"region_id": 1}),
    "regions.region_municipalities": Access(get=NOBODY, params={"region_id": 1}),
    # Where learners live: one's own (optional); an organiser's reach per municipality.
    "regions.my_municipality": Access(get=LOGGED_IN, post=LOGGED_IN),
    "regions.organiser_reach": Access(get=COORDINATOR),
    "regions.organiser_reach_csv": Access(get=COORDINATOR),
    "regions.served_municipalities": Access(get=COORDINATOR, post=COORDINATOR, proves=False),
    # Referrals: a hub's public form; the outcome of the world's referral, recorded by its
    # coordinators (everyone else's POST must change nothing); the referrer's own list.
    "referrals.refer": Access(get=EVERYONE, post=EVERYONE),
    "referrals.thanks": Access(get=EVERYONE),
    "referrals.outcome": Access(post=COORDINATOR, data={"outcome": "contacted"}),
    "referrals.mine": Access(get=LOGGED_IN),
    "referrals.organiser_figures": Access(get=COORDINATOR),
    "referrals.organiser_figures_csv": Access(get=COORDINATOR),
    "referrals.region_figures": Access(get=NOBODY, params={"region_id": 1}),
    "referrals.region_figures_csv": Access(get=NOBODY, params={"region_id": 1}),
    # A region's public list of trainings, its framable twin and its feed (no region here: 404).
    "regions.trainings": Access(get=EVERYONE),
    "regions.trainings_embed": Access(get=EVERYONE),
    "regions.trainings_feed": Access(get=EVERYONE),
}
ACCESS.update({
    # Respite: the organiser's partners and boards are its coordinators'; the partner's page
    # is anyone's who holds its signed link (the world's partner was asked).
    "respite.partners": Access(get=COORDINATOR, post=COORDINATOR, data={"kinds": "company"}),
    "respite.edit_partner": Access(get=COORDINATOR, post=COORDINATOR, data={"kinds": "company"}),
    "respite.delete_partner": Access(post=COORDINATOR),
    "respite.edition_board": Access(get=COORDINATOR),
    "respite.week_board": Access(get=COORDINATOR),
    "respite.ask": Access(post=COORDINATOR, data={"partner_id": "@partner_id"}),
    "respite.change_session": Access(post=COORDINATOR, data={
        "session_id": "@session_id", "state": "not_possible"}),
    "respite.partner_answer": Access(get=EVERYONE, post=EVERYONE,
                                     params={"token": "respite_token"}),
    # Digital credentials: the public documents verifiers read, and the learner's download.
    "credentials.issuer": Access(get=EVERYONE),
    "credentials.key": Access(get=EVERYONE, params={"key_id": 1}),
    "credentials.achievement": Access(get=EVERYONE),
    "credentials.status_list": Access(get=EVERYONE, params={"list_number": 0}),
    "credentials.download": Access(get=OWNER | COORDINATOR),
})
ACCESS.update({
    # Questions at enrolment: the roster's download, and the coordinators' questions.
    "enrolment.roster_csv": Access(get=TEACHERS),
    "catalogue_manage.new_question": Access(get=COORDINATOR, post=COORDINATOR,
                                            data={"kind": "text", "why": "x"}),
    "catalogue_manage.edit_question": Access(get=COORDINATOR, post=COORDINATOR,
                                             params={"question_id": "enrolment_question_id"},
                                             data={"kind": "text", "why": "x"}),
    "catalogue_manage.remove_question": Access(post=COORDINATOR,
                                               params={"question_id": "enrolment_question_id"}),
})

#: What a POST sends besides the CSRF token: plausible values for every form, so a missing
#: check would show as a change.
PAYLOAD = {
    "title": "Overgenomen", "summary": "x", "description": "x", "body_markdown": "x", "text": "x",
    "name": "Indringer", "email": "indringer@example.be", "password": "een lange zin",
    "current_password": "correct horse battery", "new_password": "een lange zin",
    "roles": "coordinator", "kind": "caregiver", "consent": "y", "confirm": "y",
    "capacity": "1", "hours": "1", "min_attendance_pct": "1", "quiz_pass_pct": "1", "pass_pct": "1",
    "venue": "x", "place": "x", "room": "x", "starts_on": "2030-01-01", "ends_on": "2030-01-02",
    "day": "2030-01-01", "starts": "10:00", "ends": "12:00", "tracks": "caregivers",
    "published": "1", "direction": "up", "reason": "Zomaar", "code": "000000", "minutes": "5",
    "show_answers": "never", "max_attempts": "1", "remove": "y", "rest": "present",
    "status": "present", "go": "submit", "choice": "1", "question_id": "1",
}


def form_data(world: World, access: Access, token: str) -> dict:
    """PAYLOAD with the route's own fields; "@name" values are the world's objects."""
    data = {**PAYLOAD, **access.data, "csrf_token": token}
    values = {**world.a.values, "png": (io.BytesIO(_png()), "logo.png"),
              "participants": (io.BytesIO(b"naam;e-mail\nIndringer;indringer@example.be\n"), "lijst.csv")}
    return {key: values[value[1:]] if isinstance(value, str) and value.startswith("@") else value
            for key, value in data.items()}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def html_routes(app) -> dict[str, list]:
    """Every endpoint outside /api/v1 and static files, with its rules."""
    routes: dict[str, list] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/v1"):
            continue
        routes.setdefault(rule.endpoint, []).append(rule)
    return routes


def snapshot() -> dict[str, list]:
    """Every row of every table, to see whether a request changed anything."""
    db.session.expire_all()
    return {
        table.name: sorted(map(repr, db.session.execute(table.select()).all()))
        for table in db.metadata.sorted_tables
    }


def url_for_rule(rule, world: World, access: Access) -> str:
    values = {}
    for name in rule.arguments:
        source = access.params.get(name, name)
        values[name] = world.a.values.get(source, source)
    return rule.build(values, append_unknown=False)[1]


def _to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_every_html_route_is_in_the_table(app):
    routes = set(html_routes(app))
    assert routes - set(ACCESS) == set(), "add these endpoints to ACCESS with who may use them"
    assert set(ACCESS) - routes == set(), "these ACCESS rows match no route any more"


def _clients(app, world: World) -> dict:
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            Auth(client).sign_in(world.users[role])
        clients[role] = client
    return clients


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_each_role_gets_only_what_is_theirs(app, make, endpoint):
    routes = html_routes(app)
    if endpoint not in routes:
        pytest.fail(f"{endpoint} is in ACCESS but not in the URL map")
    world = World(make)
    access = ACCESS[endpoint]
    clients = _clients(app, world)
    tokens = {role: csrf_token(client, "/") for role, client in clients.items()}
    problems = []
    for rule in routes[endpoint]:
        url = url_for_rule(rule, world, access)
        if "GET" in rule.methods:
            for role, client in clients.items():
                response = client.get(url)
                status = response.status_code
                # A page may be missing (404: no ZIP built yet), never refused to its people.
                if role in access.get and (status in (401, 403) or _to_login(response)):
                    problems.append(f"GET {url} as {role}: {status}, expected access")
                if role not in access.get and status == 200:
                    problems.append(f"GET {url} as {role}: 200, expected no access")
        if "POST" in rule.methods:
            for role, client in clients.items():
                if role in access.post:
                    continue  # allowed changes are the features' own tests
                before = snapshot()
                status = client.post(url, data=form_data(world, access, tokens[role])).status_code
                after = snapshot()
                changed = [name for name in before if before[name] != after[name]]
                if changed:
                    problems.append(f"POST {url} as {role}: {status}, changed {changed}")
                elif status < 300:
                    problems.append(f"POST {url} as {role}: {status}, expected a refusal")
            allowed = [role for role in ("coordinator", "trainer", "learner") if role in access.post]
            if access.proves and allowed and access.post not in (LOGGED_IN, EVERYONE):
                before = snapshot()
                status = clients[allowed[0]].post(url, data=form_data(world, access, tokens[allowed[0]])).status_code
                if snapshot() == before:
                    problems.append(f"POST {url} as {allowed[0]}: {status}, changed nothing: fix the payload")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
