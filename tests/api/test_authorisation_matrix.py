"""Who may call what: one row per API route and method, generated from the app's URL map.

A route under /api/v1 that is missing from MATRIX fails test_every_api_route_is_in_the_matrix,
so a new endpoint cannot ship without saying who may call it.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask import current_app
from PIL import Image

from college import timeutil
from college.learning import attempts, images, modules, quiz_authoring
from tests.api.conftest import bearer_for
from tests.certificates.helpers import blank_pdf
from tests.conftest import PASSWORD

ROLES = ("anonymous", "learner", "other_learner", "trainer", "other_trainer", "coordinator",
         "other_coordinator")
_emails = itertools.count(1)


@dataclass
class World:
    """An organiser with its staff, a coordinator of another organiser, learners, courses.

    The learner is enrolled in `edition`, which `trainer` teaches; `other_trainer` teaches
    another edition of the organiser; `other_learner` is enrolled in nothing.
    """

    make: object
    users: dict = field(default_factory=dict)

    def __post_init__(self):
        make = self.make
        self.hub = make.organiser()
        self.other_hub = make.organiser()
        self.users = {
            "learner": make.learner(),
            "other_learner": make.learner(),
            "trainer": make.trainer(self.hub),
            "other_trainer": make.trainer(self.hub),
            "coordinator": make.coordinator(self.hub),
            "other_coordinator": make.coordinator(self.other_hub),
        }
        self.published_course = make.course(self.hub)
        self.draft_course = make.course(self.hub, published=False)
        starts_on = timeutil.today() + timedelta(days=14)
        self.edition = make.edition(self.published_course, trainers=[self.users["trainer"]],
                                    starts_on=starts_on, ends_on=starts_on + timedelta(days=14))
        self.other_edition = make.edition(make.course(self.hub), trainers=[self.users["other_trainer"]])
        make.enrolment(self.users["learner"], self.edition)


@dataclass
class Row:
    path: Callable[[World], str]
    expect: dict[str, int]
    body: Callable[[World, str], dict] | None = None
    #: A file sent as multipart/form-data instead of a JSON body: (field, content, file name).
    upload: tuple[str, bytes, str] | None = None


def _only(status: int, *roles: str, others: int = 403) -> dict[str, int]:
    """This status for these roles, `others` for the rest, 401 without a token."""
    return {role: status if role in roles else others for role in ROLES} | {"anonymous": 401}


_EDITORS = ("trainer", "other_trainer", "coordinator")  # staff of the course's organiser
_READERS = ("learner", *_EDITORS)


def _everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _logged_in(status: int) -> dict[str, int]:
    return {**_everyone(status), "anonymous": 401}


def _credentials(world: World, role: str) -> dict:
    if role == "anonymous":
        return {"email": "nobody@example.be", "password": PASSWORD}
    return {"email": world.users[role].email, "password": PASSWORD}


def _new_learner(world: World, role: str) -> dict:
    return {"email": f"new{next(_emails)}@example.be", "password": "een lange zin",
            "name": "Nieuw", "kind": "caregiver", "consent": True}


def _managed(world: World):
    """A managed account (no email) of the organiser (made on first use)."""
    if not hasattr(world, "managed"):
        world.managed = world.make.learner(email=None, password=None, name="Jozef Wouters",
                                           managed_by_organiser_id=world.hub.id)
    return world.managed


def _managed_learner(world: World, role: str) -> dict:
    return {"name": "Jozef", "roles": ["learner"], "kind": "caregiver", "organiser_id": world.hub.id}


MATRIX: dict[str, Row] = {
    "GET /api/v1/openapi.json": Row(lambda w: "/api/v1/openapi.json", _everyone(200)),
    "GET /api/v1/docs": Row(lambda w: "/api/v1/docs", _everyone(200)),
    "GET /api/v1/docs/assets/<path:filename>": Row(
        lambda w: "/api/v1/docs/assets/swagger-ui.css", _everyone(200)
    ),
    "GET /api/v1/docs/college-docs.js": Row(lambda w: "/api/v1/docs/college-docs.js", _everyone(200)),
    "POST /api/v1/auth/tokens": Row(
        lambda w: "/api/v1/auth/tokens", {**_everyone(201), "anonymous": 401}, _credentials
    ),
    "DELETE /api/v1/auth/tokens/current": Row(lambda w: "/api/v1/auth/tokens/current", _logged_in(204)),
    "POST /api/v1/register": Row(lambda w: "/api/v1/register", _everyone(202), _new_learner),
    "GET /api/v1/me": Row(lambda w: "/api/v1/me", _logged_in(200)),
    "PATCH /api/v1/me": Row(lambda w: "/api/v1/me", _logged_in(200),
                            lambda w, role: {"phone": "09 123 45 67", "language": "nl"}),
    "POST /api/v1/me/privacy-consent": Row(
        lambda w: "/api/v1/me/privacy-consent", _logged_in(200),
        lambda w, role: {"version": current_app.config["PRIVACY_NOTICE_VERSION"]},
    ),
    "GET /api/v1/privacy-notice": Row(lambda w: "/api/v1/privacy-notice", _everyone(200)),
    # A managed account of the organiser: its coordinators correct it; to a coordinator of
    # another organiser it does not exist.
    "PATCH /api/v1/users/<id:user_id>": Row(
        lambda w: f"/api/v1/users/{_managed(w).id}",
        {**_only(200, "coordinator"), "other_coordinator": 404},
        lambda w, role: {"phone": "09 123 45 67", "note": "Belt na 10 uur"},
    ),
    "POST /api/v1/users": Row(
        lambda w: "/api/v1/users",
        _only(201, "coordinator"),
        _managed_learner,
    ),
    "GET /api/v1/organisers/<id:organiser_id>": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}", _only(200, "coordinator"),
    ),
    "PATCH /api/v1/organisers/<id:organiser_id>": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}", _only(200, "coordinator"),
        lambda w, role: {"waitlist_closes_hours_before": 24},
    ),
    "GET /api/v1/organisers/<id:organiser_id>/dashboard": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/dashboard", _only(200, "coordinator"),
    ),
    "GET /api/v1/courses": Row(lambda w: "/api/v1/courses", _everyone(200)),
    "GET /api/v1/courses/<id:course_id>": Row(
        lambda w: f"/api/v1/courses/{w.draft_course.id}",
        {**_everyone(404), "trainer": 200, "other_trainer": 200, "coordinator": 200},
    ),
}


# Courses, editions, sessions, enrolments, attendance and dashboards.


def _session(world: World):
    """A session of the learner's edition starting in ten minutes: attendance is open, and
    enrolment too (made on first use)."""
    if not hasattr(world, "session"):
        world.session = world.make.session(
            world.edition, starts_at=timeutil.now() + timedelta(minutes=10))
    return world.session


def _enrolment_id(world: World) -> int:
    """The learner's enrolment in the edition."""
    from sqlalchemy import select

    from college.enrolment.models import Enrolment
    from college.extensions import db

    return db.session.scalar(select(Enrolment.id).where(
        Enrolment.learner_id == world.users["learner"].id, Enrolment.edition_id == world.edition.id))


def _new_course(world: World, role: str) -> dict:
    return {"title": "Rouw en verlies", "tracks": ["caregivers"], "hours": 3,
            "organiser_id": world.hub.id}


def _new_edition(world: World, role: str) -> dict:
    return {"place": "Gent", "venue": "OCMW", "capacity": 12, "trainer_ids": [world.users["trainer"].id],
            "starts_on": world.edition.starts_on.isoformat()}


def _new_session(world: World, role: str) -> dict:
    day = world.edition.starts_on.isoformat()
    return {"starts_at": f"{day}T09:00:00+01:00", "ends_at": f"{day}T11:00:00+01:00", "room": "Zaal 2"}


def _copy(world: World, role: str) -> dict:
    return {"starts_on": (world.edition.starts_on + timedelta(days=91)).isoformat()}


def _series(world: World, role: str) -> dict:
    # Two sessions a week apart, inside the world's two-week edition.
    return {"first_day": world.edition.starts_on.isoformat(), "starts": "14:00", "ends": "16:00",
            "every": "week", "count": 2}


def _whom_to_enrol(world: World, role: str) -> dict:
    # Staff name someone their organiser never dealt with by email address (an id would be
    # out of reach: tests/security/test_learner_reach.py).
    return {} if role in ("learner", "other_learner") else {"email": world.users["other_learner"].email}


def _records(world: World, role: str) -> dict:
    return {"records": [{"user_id": world.users["learner"].id, "status": "present"}]}


_TEACHERS = ("trainer", "coordinator")  # the edition's trainer and the organiser's coordinator

MATRIX.update({
    "POST /api/v1/courses": Row(lambda w: "/api/v1/courses", _only(201, "coordinator"), _new_course),
    "PATCH /api/v1/courses/<id:course_id>": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}", _only(200, "coordinator"),
        lambda w, role: {"certificate_validity_months": 36},
    ),
    "POST /api/v1/courses/<id:course_id>/editions": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/editions", _only(201, "coordinator"),
        _new_edition,
    ),
    "GET /api/v1/editions/<id:edition_id>": Row(lambda w: f"/api/v1/editions/{w.edition.id}", _everyone(200)),
    "PATCH /api/v1/editions/<id:edition_id>": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}", _only(200, "coordinator"),
        lambda w, role: {"capacity": 25, "venue": "Bibliotheek"},
    ),
    "POST /api/v1/editions/<id:edition_id>/sessions": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/sessions", _only(201, "coordinator"), _new_session,
    ),
    **{f"POST /api/v1/editions/<id:edition_id>/{what}{tail}": Row(
        lambda w, what=what, tail=tail: f"/api/v1/editions/{w.edition.id}/{what}{tail}",
        _only(200 if tail else 201, "coordinator"), body,
    ) for what, body in (("copies", _copy), ("sessions/series", _series)) for tail in ("", "/preview")},
    **{f"POST /api/v1/editions/<id:edition_id>/imports{tail}": Row(
        lambda w, tail=tail: f"/api/v1/editions/{w.edition.id}/imports{tail}",
        _only(200 if tail else 201, "coordinator"),
        upload=("file", f"naam;e-mail\nNieuw;nieuw{next(_emails)}@example.be\n".encode(), "lijst.csv"),
    ) for tail in ("", "/preview")},
    "GET /api/v1/editions/<id:edition_id>/sessions": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/sessions", _everyone(200),
    ),
    "GET /api/v1/editions/<id:edition_id>/calendar.ics": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/calendar.ics", _everyone(200),
    ),
    "POST /api/v1/editions/<id:edition_id>/enrolments": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/enrolments",
        {**_only(201, "other_learner", *_TEACHERS), "learner": 409}, _whom_to_enrol,
    ),
    "DELETE /api/v1/enrolments/<id:enrolment_id>": Row(
        lambda w: f"/api/v1/enrolments/{_enrolment_id(w)}", _only(200, "learner", "coordinator"),
    ),
    "GET /api/v1/me/enrolments": Row(lambda w: "/api/v1/me/enrolments", _logged_in(200)),
    "GET /api/v1/me/calendar-feed": Row(lambda w: "/api/v1/me/calendar-feed", _logged_in(200)),
    "GET /api/v1/sessions/<id:session_id>/attendance": Row(
        lambda w: f"/api/v1/sessions/{_session(w).id}/attendance", _only(200, *_TEACHERS),
    ),
    "PUT /api/v1/sessions/<id:session_id>/attendance": Row(
        lambda w: f"/api/v1/sessions/{_session(w).id}/attendance", _only(200, *_TEACHERS), _records,
    ),
    "GET /api/v1/editions/<id:edition_id>/dashboard": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/dashboard", _only(200, *_TEACHERS),
    ),
})


# Modules, quizzes and certificates.


def _module(world: World):
    """A published module of the learner's course (made on first use)."""
    if not hasattr(world, "module"):
        world.module = modules.create_module(world.users["coordinator"], world.published_course.id,
                                             title="Wat is mantelzorg?", body_markdown="Zorg voor **een naaste**.",
                                             minutes=5)
    return world.module


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 85, 99)).save(out, "PNG")
    return out.getvalue()


def _image(world: World):
    """A picture of the learner's course (made on first use)."""
    if not hasattr(world, "image"):
        world.image = images.add_module_image(world.users["coordinator"], world.published_course.id, _png())
    return world.image


def _quiz_questions() -> list[dict]:
    return [{"text": "Is respijtzorg tijdelijke overname van de zorg?", "kind": "true_false",
             "choices": [{"text": "Juist", "correct": True}, {"text": "Fout", "correct": False}]}]


def _quiz(world: World):
    """A quiz of the learner's course with one question (made on first use)."""
    if not hasattr(world, "quiz"):
        questions = [quiz_authoring.QuestionInput(q["text"], q["kind"], [
            quiz_authoring.ChoiceInput(c["text"], c["correct"]) for c in q["choices"]]) for q in _quiz_questions()]
        world.quiz = quiz_authoring.replace_quiz(world.users["coordinator"], world.published_course.id,
                                                 quiz_authoring.QuizSettings(pass_pct=50), questions)
    return world.quiz


def _attempt(world: World):
    """The learner's open attempt at the quiz (made on first use)."""
    if not hasattr(world, "attempt"):
        _quiz(world)
        world.attempt = attempts.start_attempt(world.users["learner"], world.published_course.id)
    return world.attempt


def _answers(world: World, role: str) -> dict:
    question = _quiz(world).questions[0]
    return {"answers": {str(question.id): [question.choices[0].id]}}


def _certificate(world: World):
    """An issued certificate of the learner in the edition, its PDF stored (made on first use)."""
    from sqlalchemy import select

    from college import timeutil
    from college.certificates.models import Certificate, CertificateStatus
    from college.certificates.storage import file_storage
    from college.enrolment.models import Enrolment
    from college.extensions import db

    if not hasattr(world, "certificate"):
        enrolment = db.session.scalar(select(Enrolment).where(
            Enrolment.learner_id == world.users["learner"].id, Enrolment.edition_id == world.edition.id))
        file_storage().put("certificates/matrix.pdf", b"%PDF-1.7 matrix", "application/pdf")
        world.certificate = Certificate(
            enrolment_id=enrolment.id, learner_id=enrolment.learner_id, edition_id=enrolment.edition_id,
            status=CertificateStatus.ISSUED, verification_code="MATRIX234567",
            storage_key="certificates/matrix.pdf", issued_at=timeutil.now(), render_attempts=1,
        )
        db.session.add(world.certificate)
        db.session.commit()
    return world.certificate


_FOLLOWERS = ("learner", *_EDITORS)  # read a course's modules and quiz

MATRIX.update({
    "POST /api/v1/courses/<id:course_id>/modules": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/modules", _only(201, *_EDITORS),
        lambda w, role: {"title": "Grenzen stellen", "body_markdown": "Zeg **nee**.", "minutes": 15},
    ),
    "GET /api/v1/courses/<id:course_id>/images": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/images", _only(200, *_EDITORS),
    ),
    "POST /api/v1/courses/<id:course_id>/images": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/images", _only(201, *_EDITORS),
        upload=("image", _png(), "tillen.png"),
    ),
    "GET /api/v1/courses/<id:course_id>/images/<id:image_id>": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/images/{_image(w).id}", _only(200, *_FOLLOWERS),
    ),
    "DELETE /api/v1/courses/<id:course_id>/images/<id:image_id>": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/images/{_image(w).id}", _only(204, *_EDITORS),
    ),
    "GET /api/v1/courses/<id:course_id>/modules": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/modules", _only(200, *_FOLLOWERS),
    ),
    "POST /api/v1/modules/<id:module_id>/completion": Row(
        lambda w: f"/api/v1/modules/{_module(w).id}/completion", _only(200, "learner"),
    ),
    "PUT /api/v1/courses/<id:course_id>/quiz": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/quiz", _only(200, *_EDITORS),
        lambda w, role: {"pass_pct": 60, "max_attempts": 3, "questions": _quiz_questions()},
    ),
    "GET /api/v1/courses/<id:course_id>/quiz": Row(
        lambda w: (_quiz(w), f"/api/v1/courses/{w.published_course.id}/quiz")[1], _only(200, *_FOLLOWERS),
    ),
    "POST /api/v1/courses/<id:course_id>/quiz/attempts": Row(
        lambda w: (_quiz(w), f"/api/v1/courses/{w.published_course.id}/quiz/attempts")[1],
        _only(201, "learner"),
    ),
    "PUT /api/v1/attempts/<id:attempt_id>/answers": Row(
        lambda w: f"/api/v1/attempts/{_attempt(w).id}/answers", _only(200, "learner"), _answers,
    ),
    "POST /api/v1/attempts/<id:attempt_id>/submit": Row(
        lambda w: f"/api/v1/attempts/{_attempt(w).id}/submit", _only(200, "learner"),
    ),
    "GET /api/v1/me/certificates": Row(lambda w: "/api/v1/me/certificates", _logged_in(200)),
    "GET /api/v1/certificates/<id:certificate_id>/pdf": Row(
        lambda w: f"/api/v1/certificates/{_certificate(w).id}/pdf",
        _only(200, "learner", "coordinator", others=404),
    ),
    "GET /api/v1/certificates/<id:certificate_id>/credential": Row(
        lambda w: f"/api/v1/certificates/{_certificate(w).id}/credential",
        _only(200, "learner", "coordinator", others=404),
    ),
    "POST /api/v1/certificates/<id:certificate_id>/revoke": Row(
        lambda w: f"/api/v1/certificates/{_certificate(w).id}/revoke", _only(200, "coordinator"),
        lambda w, role: {"reason": "Deelname niet bevestigd"},
    ),
    "GET /api/v1/verify/<code:code>": Row(
        lambda w: f"/api/v1/verify/{_certificate(w).verification_code}", _everyone(200),
    ),
})


# Waiting-list offers.


def _offer_id(world: World) -> int:
    """An open offer of a seat to the learner, in an edition in offer mode (made on first use)."""
    if not hasattr(world, "offer_id"):
        from sqlalchemy import select

        from college.catalogue.models import WaitlistMode
        from college.enrolment.models import EnrolmentStatus, WaitlistOffer
        from college.enrolment.services import cancel_enrolment
        from college.extensions import db

        make = world.make
        edition = make.edition(make.course(world.hub), capacity=1,
                               waitlist_mode=WaitlistMode.OFFER)
        seat = make.enrolment(make.learner(), edition)
        make.enrolment(world.users["learner"], edition, status=EnrolmentStatus.WAITLISTED)
        cancel_enrolment(enrolment_id=seat.id, actor=world.users["coordinator"])
        db.session.commit()
        world.offer_id = db.session.scalar(
            select(WaitlistOffer.id).where(WaitlistOffer.edition_id == edition.id))
    return world.offer_id


MATRIX.update({
    "GET /api/v1/editions/<id:edition_id>/offers": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/offers", _only(200, *_TEACHERS),
    ),
    # The learner and the organiser's coordinator answer; its trainers may not (403); to anyone
    # else the offer does not exist.
    **{f"POST /api/v1/offers/<id:offer_id>/{answer}": Row(
        lambda w, answer=answer: f"/api/v1/offers/{_offer_id(w)}/{answer}",
        {**_only(200, "learner", "coordinator", others=404),
         "trainer": 403, "other_trainer": 403},
    ) for answer in ("accept", "decline")},
    **{f"POST /api/v1/offer-links/<token>/{answer}": Row(
        lambda w, answer=answer: f"/api/v1/offer-links/not-a-valid-token/{answer}",
        _everyone(404),
    ) for answer in ("accept", "decline")},
})


def _accredited(world: World):
    """The published course's accreditation in the nurses' scheme (made on first use)."""
    if not hasattr(world, "accreditation"):
        from college.accreditation.services import add_accreditation, add_scheme
        from college.extensions import db

        scheme = add_scheme(None, "nurses", "Permanente vorming verpleegkundigen")
        world.accreditation = add_accreditation(None, world.published_course, scheme.id, 4)
        db.session.commit()
    return world.accreditation


MATRIX.update({
    "GET /api/v1/accreditation-schemes": Row(lambda w: "/api/v1/accreditation-schemes", _everyone(200)),
    "POST /api/v1/accreditation-schemes": Row(
        lambda w: "/api/v1/accreditation-schemes", _only(201, "coordinator", "other_coordinator"),
        lambda w, role: {"code": "social-workers", "name": "Permanente vorming sociaal werkers"},
    ),
    "GET /api/v1/courses/<id:course_id>/accreditations": Row(
        lambda w: f"/api/v1/courses/{_accredited(w).course_id}/accreditations", _everyone(200),
    ),
    "POST /api/v1/courses/<id:course_id>/accreditations": Row(
        lambda w: f"/api/v1/courses/{w.other_edition.course_id}/accreditations",
        _only(201, "coordinator"),
        lambda w, role: {"scheme_id": _accredited(w).scheme_id, "points": 2},
    ),
    "DELETE /api/v1/accreditations/<id:accreditation_id>": Row(
        lambda w: f"/api/v1/accreditations/{_accredited(w).id}", _only(204, "coordinator"),
    ),
    "GET /api/v1/me/registration-numbers": Row(lambda w: "/api/v1/me/registration-numbers", _logged_in(200)),
    # Only professionals keep registration numbers; the world's learners are caregivers.
    "PUT /api/v1/me/registration-numbers/<id:scheme_id>": Row(
        lambda w: f"/api/v1/me/registration-numbers/{_accredited(w).scheme_id}", _only(200),
        lambda w, role: {"number": "PV-77"},
    ),
    "GET /api/v1/me/learning-record": Row(lambda w: "/api/v1/me/learning-record", _logged_in(200)),
    "GET /api/v1/editions/<id:edition_id>/accreditation-lists/<id:scheme_id>": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/accreditation-lists/{_accredited(w).scheme_id}",
        _only(200, "coordinator"),
    ),
})


# Evaluations: questionnaires (coordinators), the learner's own answers, reports (coordinators).


def _standard_questionnaire_id(world: World) -> int:
    from college.catalogue.models import Track
    from college.evaluation.questionnaires import standard_questionnaire
    from college.extensions import db

    questionnaire_id = standard_questionnaire(world.hub.id, Track.CAREGIVERS).id
    db.session.commit()
    return questionnaire_id


def _invited_enrolment_id(world: World) -> int:
    """The learner's enrolment, invited to its evaluation (made on first use)."""
    from college.evaluation.models import EvaluationInvitation
    from college.extensions import db

    enrolment_id = _enrolment_id(world)
    if db.session.get(EvaluationInvitation, enrolment_id) is None:
        db.session.add(EvaluationInvitation(enrolment_id=enrolment_id))
        db.session.commit()
    return enrolment_id


def _evaluation_answers(world: World, role: str) -> dict:
    from college.evaluation.services import evaluation_for

    evaluation = evaluation_for(world.users["learner"], _invited_enrolment_id(world))
    return {"answers": {evaluation.questions[0][0]: 3}}


def _questions(world: World, role: str) -> dict:
    return {"questions": [{"kind": "scale", "text": "Hoe was het?", "options": ["Slecht", "Goed"]}]}


MATRIX.update({
    "GET /api/v1/organisers/<id:organiser_id>/questionnaires": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/questionnaires", _only(200, "coordinator"),
    ),
    "PUT /api/v1/questionnaires/<id:questionnaire_id>": Row(
        lambda w: f"/api/v1/questionnaires/{_standard_questionnaire_id(w)}", _only(200, "coordinator"),
        _questions,
    ),
    "PUT /api/v1/courses/<id:course_id>/questionnaire": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/questionnaire", _only(200, "coordinator"),
        _questions,
    ),
    "GET /api/v1/me/evaluations": Row(lambda w: "/api/v1/me/evaluations", _logged_in(200)),
    "PUT /api/v1/me/evaluations/<id:enrolment_id>": Row(
        lambda w: f"/api/v1/me/evaluations/{_invited_enrolment_id(w)}",
        _only(200, "learner", others=404), _evaluation_answers,
    ),
    "GET /api/v1/organisers/<id:organiser_id>/evaluation-report": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/evaluation-report", _only(200, "coordinator"),
    ),
})


def _paper_answers(world: World, role: str) -> dict:
    """One paper form's answers for the learner's edition, which the learner attended."""
    from college.attendance.models import Attendance, AttendanceSource, AttendanceStatus
    from college.evaluation.services import paper_edition
    from college.extensions import db

    db.session.add(Attendance(session_id=_session(world).id, learner_id=world.users["learner"].id,
                              source=AttendanceSource.ROSTER, status=AttendanceStatus.PRESENT))
    _edition, versions = paper_edition(world.users["coordinator"], world.edition.id)
    db.session.commit()
    return {"answers": {f"{versions[0].id}-q1": 4}}


MATRIX.update({
    "GET /api/v1/editions/<id:edition_id>/paper-evaluations": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/paper-evaluations",
        _only(200, "trainer", "coordinator"),
    ),
    "POST /api/v1/editions/<id:edition_id>/paper-evaluations": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/paper-evaluations",
        _only(201, "trainer", "coordinator"), _paper_answers,
    ),
})


def _burden_on(world: World) -> int:
    """The learner's enrolment in a course with the burden measure on (made on first use)."""
    from college.evaluation.burden import set_course_measure
    from college.extensions import db

    _session(world)  # the first session is still to come: the "before" moment is open
    set_course_measure(world.users["coordinator"], world.published_course.id, on=True)
    db.session.commit()
    return _enrolment_id(world)


def _new_instrument(world: World, role: str) -> dict:
    return {"name": "Eigen schaal", "scale_min": 0, "scale_max": 4,
            "items": [{"text": "Ik voel me moe"}, {"text": "Ik heb tijd voor mezelf", "reversed": True}]}


MATRIX.update({
    "GET /api/v1/me/burden-measures": Row(lambda w: "/api/v1/me/burden-measures", _logged_in(200)),
    "PUT /api/v1/me/burden-measures/<id:enrolment_id>/<moment>": Row(
        lambda w: f"/api/v1/me/burden-measures/{_burden_on(w)}/before",
        _only(200, "learner", others=404), lambda w, role: {"answers": {"i1": 6}, "consent": True},
    ),
    "PUT /api/v1/courses/<id:course_id>/burden-measure": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/burden-measure", _only(200, "coordinator"),
        lambda w, role: {"on": True, "follow_up_weeks": 6},
    ),
    "GET /api/v1/organisers/<id:organiser_id>/burden-instruments": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/burden-instruments", _only(200, "coordinator"),
    ),
    "POST /api/v1/organisers/<id:organiser_id>/burden-instruments": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/burden-instruments", _only(201, "coordinator"),
        _new_instrument,
    ),
    "GET /api/v1/organisers/<id:organiser_id>/burden-report": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/burden-report", _only(200, "coordinator"),
    ),
})


def _question(world: World):
    """A question the published course asks at enrolment (made on first use)."""
    if not hasattr(world, "question"):
        from college.enrolment.question_authoring import add_question
        world.question = add_question(None, world.published_course, kind="text",
                                      text="Dieetwensen?", why="Voor de lunch.")
    return world.question


MATRIX.update({
    "GET /api/v1/courses/<id:course_id>/questions": Row(
        lambda w: f"/api/v1/courses/{_question(w).course_id}/questions", _everyone(200),
    ),
    "POST /api/v1/courses/<id:course_id>/questions": Row(
        lambda w: f"/api/v1/courses/{w.published_course.id}/questions", _only(201, "coordinator"),
        lambda w, role: {"kind": "choice", "text": "Rolstoel?", "why": "Voor de zaal.",
                         "choices": ["Ja", "Nee"], "required": True},
    ),
    "PATCH /api/v1/questions/<id:question_id>": Row(
        lambda w: f"/api/v1/questions/{_question(w).id}", _only(200, "coordinator"),
        lambda w, role: {"why": "Voor de lunch en de pauze."},
    ),
    "DELETE /api/v1/questions/<id:question_id>": Row(
        lambda w: f"/api/v1/questions/{_question(w).id}", _only(204, "coordinator"),
    ),
    "GET /api/v1/editions/<id:edition_id>/enrolments": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/enrolments",
        _only(200, "trainer", "coordinator"),
    ),
})


def _referral(world: World):
    """A referral to the organiser's hub, from its public form."""
    from college.extensions import db
    from college.referrals import services as referrals

    referral = referrals.refer_caregiver(
        organiser_id=world.hub.id, referrer=None, caregiver_name="Rosa Van Hove",
        phone="09 386 44 21", email=None, needs=["training"], source="pharmacy", consent=True)
    db.session.commit()
    return referral


def _region_figures(world: World) -> str:
    """A region of the organiser, read by `other_coordinator` as its regional coordinator (so
    the organiser's own coordinator, a member's coordinator, may not), over the edition's days."""
    from college.extensions import db
    from college.regions import services as regions

    region = regions.create_region("Eerstelijnszone Leiestreek", "zone-leiestreek")
    regions.add_member(region, world.hub)
    regions.add_regional_coordinator(region, world.users["other_coordinator"])
    db.session.commit()
    day = world.edition.starts_on.isoformat()
    return f"/api/v1/regions/{region.id}/figures?start={day}&end={day}"


MATRIX.update({
    "GET /api/v1/regions": Row(lambda w: "/api/v1/regions", _logged_in(200)),
    "GET /api/v1/regions/<id:region_id>/figures": Row(_region_figures, _only(200, "other_coordinator")),
    "GET /api/v1/regions/<id:region_id>/reach-by-municipality": Row(
        lambda w: _region_figures(w).replace("/figures", "/reach-by-municipality"),
        _only(200, "other_coordinator")),
    "GET /api/v1/municipalities": Row(lambda w: "/api/v1/municipalities", _everyone(200)),
    "GET /api/v1/me/municipality": Row(lambda w: "/api/v1/me/municipality", _logged_in(200)),
    "PUT /api/v1/me/municipality": Row(lambda w: "/api/v1/me/municipality", _logged_in(200),
                                       lambda w, role: {"municipality_id": None}),
    "PUT /api/v1/organisers/<id:organiser_id>/municipalities": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/municipalities", _only(200, "coordinator"),
        lambda w, role: {"municipality_ids": []}),
    "GET /api/v1/organisers/<id:organiser_id>/reach-by-municipality": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/reach-by-municipality", _only(200, "coordinator")),
    # Referrals: staff of any organiser and professionals refer (the learners here are caregivers).
    "POST /api/v1/organisers/<id:organiser_id>/referrals": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/referrals",
        _only(201, "trainer", "other_trainer", "coordinator", "other_coordinator"),
        lambda w, role: {"caregiver_name": "Rosa Van Hove", "phone": "09 386 44 21",
                         "needs": ["training"], "source": "pharmacy", "consent": True}),
    "GET /api/v1/me/referrals": Row(lambda w: "/api/v1/me/referrals", _logged_in(200)),
    "GET /api/v1/organisers/<id:organiser_id>/referrals": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/referrals", _only(200, "coordinator")),
    "POST /api/v1/referrals/<id:referral_id>/outcome": Row(
        lambda w: f"/api/v1/referrals/{_referral(w).id}/outcome", _only(200, "coordinator"),
        lambda w, role: {"outcome": "contacted"}),
    "GET /api/v1/organisers/<id:organiser_id>/referral-figures": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/referral-figures", _only(200, "coordinator")),
    "GET /api/v1/regions/<id:region_id>/trainings": Row(
        lambda w: _region_figures(w).split("/figures")[0] + "/trainings", _everyone(200)),
    "GET /api/v1/regions/<id:region_id>/referral-figures": Row(
        lambda w: _region_figures(w).replace("/figures", "/referral-figures"),
        _only(200, "other_coordinator")),
    # The downloads of the same figures (tests/regions/test_region_exports.py walks them with
    # a regional coordinator of another region and a professional too).
    "GET /api/v1/regions/<id:region_id>/figures/<table>.csv": Row(
        lambda w: _region_figures(w).replace("/figures?", "/figures/members.csv?"),
        _only(200, "other_coordinator")),
    "GET /api/v1/regions/<id:region_id>/figures/report.pdf": Row(
        lambda w: _region_figures(w).replace("/figures?", "/figures/report.pdf?"),
        _only(200, "other_coordinator")),
    "GET /api/v1/organisers/<id:organiser_id>/referral-figures.csv": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/referral-figures.csv", _only(200, "coordinator")),
    "GET /api/v1/regions/<id:region_id>/referral-figures.csv": Row(
        lambda w: _region_figures(w).replace("/figures", "/referral-figures.csv"),
        _only(200, "other_coordinator")),
})


def _respite_ready(world: World):
    """The world's course offers respite; its edition gets a session; a municipality exists."""
    from college.extensions import db
    from college.regions.models import Municipality

    if getattr(world, "gent", None) is None:
        world.published_course.offers_respite = True
        world.make.session(world.edition, starts_at=timeutil.now() + timedelta(days=14))
        world.gent = Municipality(nis_code="44021", name="Gent", postcodes="9000")
        db.session.add(world.gent)
        db.session.commit()
    return world.gent


def _respite_body(world: World, role: str | None = None) -> dict:
    return {"kind": "company", "municipality_id": _respite_ready(world).id,
            "address": "Kerkstraat 1", "consent": True}


def _learner_enrolment(world: World):
    from sqlalchemy import select

    from college.enrolment.models import Enrolment
    from college.extensions import db

    return db.session.scalar(select(Enrolment).where(Enrolment.learner_id == world.users["learner"].id))


def _respite_request(world: World):
    """Respite asked by the learner for their enrolment (made on first use)."""
    from college.extensions import db
    from college.respite import services as respite

    if getattr(world, "respite_request", None) is None:
        world.respite_request = respite.request_respite(
            enrolment_id=_learner_enrolment(world).id, actor=world.users["learner"],
            **_respite_body(world))
        db.session.commit()
    return world.respite_request


def _respite_partner(world: World):
    from college.extensions import db
    from college.respite.models import RespitePartner

    partner = RespitePartner(organiser_id=world.hub.id, name="Oppasdienst", email="oppas@example.be",
                             kinds="company")
    db.session.add(partner)
    db.session.commit()
    return partner


def _session_change(world: World, role: str) -> dict:
    from sqlalchemy import select

    from college.extensions import db
    from college.respite.models import RespiteSession

    session_id = db.session.scalar(select(RespiteSession.session_id).where(
        RespiteSession.request_id == _respite_request(world).id))
    return {"sessions": [{"session_id": session_id, "state": "not_possible"}]}


_RESPITE_READERS = {**_only(200, "coordinator"), "other_coordinator": 404}

MATRIX.update({
    # Respite: asked by the learner for their enrolment or by the edition's staff; read by the
    # learner and the organiser's coordinators; arranged and partners kept by its coordinators.
    "POST /api/v1/enrolments/<id:enrolment_id>/respite": Row(
        lambda w: f"/api/v1/enrolments/{_learner_enrolment(w).id}/respite",
        {**_only(201, "learner", "trainer", "coordinator", others=404), "anonymous": 401},
        _respite_body),
    "GET /api/v1/respite-requests/<id:request_id>": Row(
        lambda w: f"/api/v1/respite-requests/{_respite_request(w).id}",
        {**_only(200, "learner", "coordinator"), "other_learner": 404, "other_coordinator": 404}),
    "PATCH /api/v1/respite-requests/<id:request_id>": Row(
        lambda w: f"/api/v1/respite-requests/{_respite_request(w).id}", _RESPITE_READERS,
        _session_change),
    "GET /api/v1/editions/<id:edition_id>/respite-requests": Row(
        lambda w: f"/api/v1/editions/{w.edition.id}/respite-requests", _RESPITE_READERS),
    "GET /api/v1/organisers/<id:organiser_id>/respite-partners": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/respite-partners", _RESPITE_READERS),
    "POST /api/v1/organisers/<id:organiser_id>/respite-partners": Row(
        lambda w: f"/api/v1/organisers/{w.hub.id}/respite-partners",
        {**_only(201, "coordinator"), "other_coordinator": 404},
        lambda w, role: {"name": "Dagcentrum", "email": "dag@example.be", "kinds": ["day_centre"]}),
    "PATCH /api/v1/respite-partners/<id:partner_id>": Row(
        lambda w: f"/api/v1/respite-partners/{_respite_partner(w).id}", _RESPITE_READERS,
        lambda w, role: {"phone": "09 123 45 67"}),
    "DELETE /api/v1/respite-partners/<id:partner_id>": Row(
        lambda w: f"/api/v1/respite-partners/{_respite_partner(w).id}",
        {**_only(204, "coordinator"), "other_coordinator": 404}),
})


def api_routes(app) -> set[str]:
    """Every method and rule the app serves under /api/v1."""
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def _shared_course(world: World) -> str:
    """A course of the organiser that the other organiser organises with it."""
    from college.catalogue.models import CoOrganiser
    from college.extensions import db

    db.session.add(CoOrganiser(course_id=world.published_course.id, organiser_id=world.other_hub.id))
    db.session.commit()
    return f"/api/v1/courses/{world.published_course.id}/co-organisers"


# The municipalities a region serves: its regional coordinators only.
MATRIX.update({
    "GET /api/v1/regions/<id:region_id>/municipalities": Row(
        lambda w: _region_figures(w).split("/figures")[0] + "/municipalities",
        _only(200, "other_coordinator")),
    "PUT /api/v1/regions/<id:region_id>/municipalities": Row(
        lambda w: _region_figures(w).split("/figures")[0] + "/municipalities",
        _only(200, "other_coordinator"), lambda w, role: {"municipalities": []}),
})


# Courses organised together: both organisers' coordinators read who organises it; only the
# lead organiser's coordinators change it.
MATRIX.update({
    "GET /api/v1/courses/<id:course_id>/co-organisers": Row(
        _shared_course, _only(200, "coordinator", "other_coordinator")),
    "PUT /api/v1/courses/<id:course_id>/co-organisers": Row(
        _shared_course, _only(200, "coordinator"),
        lambda w, role: {"organiser_ids": [w.other_hub.id]}),
})


# Signed attests: anyone may ask whether an uploaded PDF is one (an unsigned one answers 200).
MATRIX.update({
    "POST /api/v1/certificates/verify": Row(
        lambda w: "/api/v1/certificates/verify", _everyone(200),
        upload=("file", blank_pdf(), "attest.pdf"),
    ),
})


_DESIGN = {"layout": "compact", "primary_colour": "#1b4f72", "accent_colour": "#a4431e",
           "title_text": "Attest voor {learner}"}


def _designed(world: World) -> str:
    """The hub's certificate design, with its version 1 (made on first use)."""
    from college.certificates.design_services import save_design
    from college.extensions import db

    if not getattr(world, "designed", False):
        save_design(world.users["coordinator"], world.hub, _DESIGN, None)
        db.session.commit()
        world.designed = True
    return f"/api/v1/organisers/{world.hub.id}/certificate-design"


# An organiser's certificate design: its own coordinators only.
MATRIX.update({
    "GET /api/v1/organisers/<id:organiser_id>/certificate-design": Row(
        _designed, _only(200, "coordinator")),
    "PUT /api/v1/organisers/<id:organiser_id>/certificate-design": Row(
        _designed, _only(200, "coordinator"), lambda w, role: _DESIGN),
    "GET /api/v1/organisers/<id:organiser_id>/certificate-design/versions": Row(
        lambda w: _designed(w) + "/versions", _only(200, "coordinator")),
    "POST /api/v1/organisers/<id:organiser_id>/certificate-design/versions/<id:number>/restore": Row(
        lambda w: _designed(w) + "/versions/1/restore", _only(201, "coordinator")),
    "POST /api/v1/organisers/<id:organiser_id>/certificate-design/preview": Row(
        lambda w: _designed(w) + "/preview", _only(200, "coordinator"), lambda w, role: _DESIGN),
})


def test_every_api_route_is_in_the_matrix(app):
    routes = api_routes(app)
    assert routes - set(MATRIX) == set(), "add these routes to MATRIX with the status per role"
    assert set(MATRIX) - routes == set(), "these MATRIX rows match no route any more"


# MATRIX is read when this test is defined: every row must be added above it.
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_status_per_role(client, make, route, role):
    world = World(make)
    row = MATRIX[route]
    method = route.split(" ", 1)[0]
    headers = {} if role == "anonymous" else bearer_for(world.users[role])
    body = row.body(world, role) if row.body else None
    sent = ({"data": {row.upload[0]: (io.BytesIO(row.upload[1]), row.upload[2])},
             "content_type": "multipart/form-data"} if row.upload is not None else {"json": body})
    with client.open(row.path(world), method=method, headers=headers, **sent) as response:
        assert response.status_code == row.expect[role], response.get_data(as_text=True)[:500]
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
