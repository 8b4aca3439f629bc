"""axe-core in Chromium over every main page, in Dutch and English, on a phone and a desktop.

To check a new page, add one line to MAIN_PAGES. Paths are filled in with the objects of the
`world` fixture ("/courses/{course.id}"); `as_` names who is logged in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from college import timeutil
from college.accounts.confirmation import make_confirmation_token
from college.accounts.models import Kind
from college.attendance.models import Attendance, AttendanceSource, AttendanceStatus
from college.catalogue.models import CoOrganiser, TrainingSession, WaitlistMode, edition_trainer
from college.certificates.design_services import save_design
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.services import new_verification_code
from college.enrolment.models import EnrolmentStatus, WaitlistOffer
from college.enrolment.offer_messages import make_offer_token
from college.enrolment.question_authoring import add_question as add_enrolment_question
from college.enrolment.services import cancel_enrolment
from college.evaluation.burden import set_course_measure
from college.evaluation.models import EvaluationInvitation
from college.extensions import db
from college.learning import attempts, modules, quiz_authoring
from college.learning.models import QuestionKind
from college.learning.quiz_authoring import ChoiceInput
from college.referrals.services import refer_caregiver
from college.regions import residence
from college.regions import services as regions
from tests.browser.conftest import DESKTOP, PHONE, log_in
from tests.conftest import PASSWORD


@dataclass(frozen=True)
class MainPage:
    name: str
    path: str
    #: Who is logged in: a key of the `world` fixture ("learner", "trainer", "coordinator"...).
    as_: str | None = None
    #: Send the page's form empty first, to check it with its error summary and field errors.
    submit: bool = False
    status: int = 200


MAIN_PAGES = [
    MainPage("front page", "/"),
    MainPage("front page logged in", "/", as_="learner"),
    MainPage("register", "/register"),
    MainPage("register with errors", "/register", submit=True),
    MainPage("login", "/login"),
    MainPage("login with errors", "/login", submit=True),
    MainPage("change password", "/account/password", as_="learner"),
    MainPage("change password with errors", "/account/password", as_="learner", submit=True),
    MainPage("forgot password", "/password/forgot"),
    MainPage("forgot password with errors", "/password/forgot", submit=True),
    MainPage("people", "/organisers/{organiser.id}/people", as_="coordinator"),
    MainPage("organiser logo", "/organisers/{organiser.id}/logo", as_="coordinator"),
    MainPage("organiser logo with errors", "/organisers/{organiser.id}/logo", as_="coordinator",
             submit=True),
    MainPage("certificate design", "/organisers/{organiser.id}/certificate-design", as_="coordinator"),
    MainPage("new account with errors", "/organisers/{organiser.id}/people/new",
             as_="coordinator", submit=True),
    MainPage("page not found", "/no-such-page", status=404),
    # Catalogue and enrolment
    MainPage("catalogue", "/courses"),
    MainPage("catalogue filtered", "/courses?place=Gent"),
    MainPage("course page", "/courses/{course.id}"),
    MainPage("course page logged in", "/courses/{course.id}", as_="learner"),
    MainPage("my trainings", "/my/trainings", as_="learner"),
    MainPage("enrolment roster", "/editions/{edition.id}/enrolments", as_="coordinator"),
    MainPage("to phone", "/organisers/{organiser.id}/to-phone", as_="coordinator"),
    MainPage("import participants", "/editions/{edition.id}/import", as_="coordinator"),
    MainPage("import participants with errors", "/editions/{edition.id}/import", as_="coordinator",
             submit=True),
    MainPage("my calendar", "/account/calendar", as_="learner"),
    MainPage("cancel enrolment", "/enrolments/{later_enrolment.id}/cancel", as_="learner"),
    MainPage("delete managed account", "/organisers/{organiser.id}/people/{managed.id}/delete",
             as_="coordinator"),
    MainPage("development mailbox", "/dev/mailbox"),
    # Course management
    MainPage("manage courses", "/organisers/{organiser.id}/courses", as_="coordinator"),
    MainPage("manage course", "/manage/courses/{course.id}", as_="coordinator"),
    MainPage("new course with errors", "/organisers/{organiser.id}/courses/new",
             as_="coordinator", submit=True),
    MainPage("edit course", "/manage/courses/{course.id}/edit", as_="coordinator"),
    MainPage("edit edition", "/manage/editions/{edition.id}/edit", as_="coordinator"),
    MainPage("edit session", "/manage/sessions/{session.id}/edit", as_="coordinator"),
    MainPage("copy edition", "/manage/editions/{edition.id}/copy", as_="coordinator"),
    MainPage("copy edition with errors", "/manage/editions/{edition.id}/copy", as_="coordinator",
             submit=True),
    MainPage("repeat sessions with errors", "/manage/editions/{edition.id}/sessions/series",
             as_="coordinator", submit=True),
    # Attendance
    MainPage("teaching", "/teaching", as_="trainer"),
    MainPage("session roster", "/sessions/{session.id}/roster", as_="trainer"),
    MainPage("check-in", "/checkin", as_="learner"),
    MainPage("check-in code", "/sessions/{session_now.id}/checkin-code", as_="trainer"),
    MainPage("my attendance", "/my/attendance", as_="learner"),
    MainPage("edition attendance", "/editions/{edition.id}/attendance", as_="coordinator"),
    # Learning
    MainPage("my learning", "/learning", as_="learner"),
    MainPage("course learning", "/courses/{course.id}/learning", as_="learner"),
    MainPage("module", "/courses/{course.id}/modules/{module.id}", as_="learner"),
    MainPage("quiz question", "/quiz/attempts/{open_attempt.id}/questions/1", as_="learner"),
    MainPage("quiz result", "/quiz/attempts/{done_attempt.id}", as_="learner"),
    MainPage("module editor", "/courses/{course.id}/modules/{module.id}/edit", as_="trainer"),
    MainPage("quiz builder", "/courses/{course.id}/quiz/edit", as_="trainer"),
    MainPage("quiz question editor", "/courses/{course.id}/quiz/questions/new", as_="trainer"),
    # Certificates
    MainPage("my certificates", "/certificates", as_="graduate"),
    MainPage("edition certificates", "/editions/{edition.id}/certificates", as_="coordinator"),
    MainPage("verify", "/verify/{certificate.verification_code}"),
    MainPage("verify form", "/verify"),
    MainPage("verify unknown code", "/verify?code=ZZZZ-ZZZZ", status=404),
    # Dashboards and privacy
    MainPage("trainer dashboard", "/editions/{edition.id}/dashboard", as_="trainer"),
    MainPage("coordinator dashboard", "/organisers/{organiser.id}/dashboard", as_="coordinator"),
    MainPage("my data", "/account/privacy", as_="learner"),
    # Accounts and the privacy notice
    MainPage("my account", "/account", as_="unconfirmed"),
    MainPage("check your mailbox", "/register/check-your-mail"),
    MainPage("confirm address", "/account/confirm/{confirm_token}"),
    MainPage("edit managed account", "/organisers/{organiser.id}/people/{managed.id}/edit",
             as_="coordinator"),
    MainPage("privacy notice", "/privacy"),
    # Contact and help (issue 16)
    MainPage("help", "/help"),
    MainPage("help logged in", "/help", as_="learner"),
    MainPage("organiser settings", "/organisers/{organiser.id}/settings", as_="coordinator"),
    MainPage("privacy consent", "/privacy/consent", as_="outdated"),
    MainPage("privacy consent with errors", "/privacy/consent", as_="outdated", submit=True),
    # Waiting-list offers: the mailed link's page, and the roster with an open offer
    MainPage("offered seat by link", "/offers/{offer_token}/accept"),
    MainPage("roster with offers", "/editions/{offering.id}/enrolments", as_="coordinator"),
    # Accreditation
    MainPage("my learning record", "/account/learning-record", as_="professional"),
    MainPage("my registration numbers", "/account/registration-numbers", as_="professional"),
    MainPage("accreditation schemes with errors", "/accreditation/schemes", as_="coordinator",
             submit=True),
    MainPage("course accreditations", "/manage/courses/{course.id}/accreditations", as_="coordinator"),
    MainPage("edition accreditation lists", "/manage/editions/{edition.id}/accreditation",
             as_="coordinator"),
    # Evaluation and impact (issue 19)
    MainPage("evaluation questionnaires", "/organisers/{organiser.id}/evaluations/questionnaires",
             as_="coordinator"),
    MainPage("course evaluation questions", "/courses/{course.id}/evaluation-questions",
             as_="coordinator"),
    MainPage("burden measure setting", "/courses/{course.id}/burden-measure", as_="coordinator"),
    MainPage("evaluation report", "/organisers/{organiser.id}/evaluations", as_="coordinator"),
    MainPage("paper evaluation", "/editions/{edition.id}/paper-evaluations", as_="trainer"),
    MainPage("evaluation to answer", "/my/evaluations/{evaluated.id}", as_="learner"),
    MainPage("burden to answer", "/my/burden/{measured.id}/before", as_="learner"),
    MainPage("burden to answer with errors", "/my/burden/{measured.id}/before", as_="learner",
             submit=True),
    MainPage("burden instruments", "/organisers/{organiser.id}/burden-instruments",
             as_="coordinator"),
    MainPage("new burden instrument with errors", "/organisers/{organiser.id}/burden-instruments/new",
             as_="coordinator", submit=True),
    # Questions at enrolment and companion seats (issue 17)
    MainPage("enrol with questions", "/editions/{asking_edition.id}/enrol", as_="learner"),
    MainPage("enrol with questions with errors", "/editions/{asking_edition.id}/enrol",
             as_="learner", submit=True),
    MainPage("new enrolment question with errors",
             "/manage/courses/{asking_edition.course_id}/questions/new", as_="coordinator",
             submit=True),
    # The region (issue 20)
    MainPage("refer a caregiver", "/organisers/{organiser.slug}/refer"),
    MainPage("refer a caregiver with errors", "/organisers/{organiser.slug}/refer", submit=True),
    MainPage("where you live", "/account/municipality", as_="learner"),
    MainPage("reach per municipality", "/organisers/{organiser.id}/reach-by-municipality",
             as_="coordinator"),
    MainPage("referral figures", "/organisers/{organiser.id}/referrals", as_="coordinator"),
    # Respite with the training (issue 18)
    MainPage("enrol with respite", "/editions/{respite_enrol.id}/enrol", as_="learner"),
    MainPage("respite partners", "/organisers/{organiser.id}/respite-partners", as_="coordinator"),
    MainPage("respite board", "/editions/{respite_edition.id}/respite", as_="coordinator"),
    MainPage("respite of the week", "/organisers/{organiser.id}/respite", as_="coordinator"),
    MainPage("respite partner's link", "/respite/answer/{respite_token}"),
    MainPage("my trainings with respite", "/my/trainings", as_="learner"),
    MainPage("my regions", "/regions", as_="regional"),
    MainPage("region figures", "/regions/{region.id}/figures", as_="regional"),
    MainPage("region figures with a wrong period", "/regions/{region.id}/figures?start=2001-01-01"
             "&end=2001-12-31", as_="regional", status=422),
    MainPage("region reach per municipality", "/regions/{region.id}/reach-by-municipality",
             as_="regional"),
    MainPage("region referral figures", "/regions/{region.id}/referrals", as_="regional"),
    MainPage("region municipalities", "/regions/{region.id}/municipalities", as_="regional"),
    MainPage("region trainings", "/regions/{region.slug}/trainings"),
    MainPage("region trainings filtered", "/regions/{region.slug}/trainings?track=caregivers"
             "&month=2030-01"),
    MainPage("region trainings with a wrong month", "/regions/{region.slug}/trainings?month=2030-13",
             status=400),
    MainPage("region trainings to frame", "/regions/{region.slug}/trainings/embed"),
    MainPage("course co-organisers", "/manage/courses/{course.id}/co-organisers",
             as_="coordinator"),
]

#: What the College promises: WCAG 2.2 AA, plus axe's best practices (landmarks, headings).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}


def _respite(make, organiser, learner, coordinator) -> dict:
    """A course that offers respite: the learner asked it, a partner was asked (its link)."""
    from college.regions.models import Municipality
    from college.respite import services as respite
    from college.respite.links import make_token

    gent = Municipality(nis_code="44021", name="Gent", postcodes="9000")
    db.session.add(gent)
    db.session.commit()
    course = make.course(organiser, title="Omgaan met dementie: respijt", offers_respite=True)
    edition = make.edition(course, sessions=2)
    enrolment = make.enrolment(learner, edition)
    partner = respite.save_partner(organiser_id=organiser.id, actor=coordinator,
                                   name="Oppasdienst Samana", email="oppas@example.be", phone=None,
                                   kinds=["company"], municipality_ids=[gent.id])
    request = respite.request_respite(enrolment_id=enrolment.id, actor=learner, kind="company",
                                      municipality_id=gent.id, address="Kerkstraat 1",
                                      mobility="rolstoel", consent=True)
    respite.ask_partner(request_id=request.id, partner_id=partner.id, actor=coordinator)
    db.session.commit()
    return {"respite_edition": edition, "respite_enrol": make.edition(course, sessions=1),
            "respite_token": make_token(request.id, partner.id)}


@pytest.fixture()
def world(make) -> dict:
    """One organiser with its people, a course, an edition with sessions and an enrolment."""
    organiser = make.organiser("Mantelzorghub Gent", contact_phone="09 266 12 34",
                               contact_email="academie@gent.be",
                               contact_address="Botermarkt 1, 9000 Gent",
                               contact_hours="weekdagen van 9 tot 12 uur")
    coordinator = make.coordinator(organiser, name="Els Coördinator")
    trainer = make.trainer(organiser, name="Jan Lesgever")
    learner = make.learner(name="Maria Peeters")
    professional = make.learner(kind=Kind.PROFESSIONAL, name="An Verpleegkundige")
    course = make.course(organiser, title="Omgaan met dementie")
    edition = make.edition(course, sessions=3, address="Vlinderstraat 12",
                           what_to_bring="Gemakkelijke schoenen")
    # Inserted directly: the factory's `trainers=` trips over Edition.trainers being lazy="raise".
    db.session.execute(edition_trainer.insert().values(edition_id=edition.id, user_id=trainer.id))
    db.session.commit()
    enrolment = make.enrolment(learner, edition, EnrolmentStatus.ENROLLED)
    first_session = db.session.scalars(
        select(TrainingSession).where(TrainingSession.edition_id == edition.id)
        .order_by(TrainingSession.starts_at)
    ).first()
    # A session going on now, so its check-in code can be shown.
    session_now = make.session(edition, starts_at=timeutil.now() - timedelta(minutes=10))
    module = modules.create_module(
        trainer, course.id, title="Wat is dementie?", minutes=10,
        body_markdown="Dementie is meer dan **vergeten**.\n\n- Geheugen\n- Taal\n- Gedrag",
    )
    quiz_authoring.save_quiz_settings(trainer, course.id, pass_pct=50, time_limit_minutes=20)
    quiz_authoring.save_question(trainer, course.id, text="Wat is respijtzorg?", kind=QuestionKind.SINGLE,
                                 choices=[ChoiceInput("Tijdelijke overname van de zorg", True),
                                          ChoiceInput("Een ziekenhuisopname", False)])
    done_attempt = attempts.start_attempt(learner, course.id)
    attempts.submit_attempt(learner, done_attempt.id, {})
    open_attempt = attempts.start_attempt(learner, course.id)
    graduate = make.learner(name="Greet Geslaagd")
    graduated = make.enrolment(graduate, edition, EnrolmentStatus.COMPLETED)
    certificate = Certificate(
        enrolment_id=graduated.id, learner_id=graduate.id, edition_id=edition.id,
        status=CertificateStatus.ISSUED, verification_code=new_verification_code(),
        issued_at=timeutil.now(),
    )
    db.session.add(certificate)
    # Two versions of the certificate design: its page lists them, with restore.
    for layout in ("classic", "modern"):
        save_design(coordinator, organiser, {"layout": layout, "primary_colour": "#1b4f72",
                                             "accent_colour": "#a4431e",
                                             "signatory_name": "Els Coördinator"}, None)
    db.session.commit()
    unconfirmed = make.learner(name="Nog Niet Bevestigd", email_confirmed_at=None,
                               pending_email="nieuw.adres@example.be")
    managed = make.learner(email=None, password=None, name="Maurice Van Wassenhove",
                           phone="09 386 12 34", note="Belt liefst 's voormiddags.",
                           managed_by_organiser_id=organiser.id)
    outdated = make.learner(name="Oude Versie", consent_version="2000-01")
    # An edition still to come: its enrolment can be cancelled (after a confirmation).
    later_enrolment = make.enrolment(learner, make.edition(course, sessions=1))
    # An edition that offers freed seats: its one seat was freed and is held for the learner.
    offering = make.edition(course, sessions=1, capacity=1, waitlist_mode=WaitlistMode.OFFER)
    seat = make.enrolment(professional, offering)
    make.enrolment(learner, offering, EnrolmentStatus.WAITLISTED)
    cancel_enrolment(enrolment_id=seat.id, actor=professional)
    db.session.commit()
    offer = db.session.scalar(select(WaitlistOffer).where(WaitlistOffer.edition_id == offering.id))
    asking = make.course(organiser, title="Tillen en verplaatsen", allow_companion=True)
    add_enrolment_question(None, asking, kind="choice", text="Heb je een zaal zonder trappen nodig?",
                           why="Zodat je vlot binnenkomt.", required=True, choices=["Ja", "Nee"])
    add_enrolment_question(None, asking, kind="text", text="Dieetwensen?", why="Voor de lunch.")
    asking_edition = make.edition(asking, sessions=1)
    respite = _respite(make, organiser, learner, coordinator)
    evaluated, measured = _evaluation_and_burden(make, organiser, coordinator, learner)
    # The region: the organiser and a partner that organises the course with it, learners of a
    # past edition, the installation's municipalities and a regional coordinator.
    partner = make.organiser("Zorgzame buurt Nazareth")
    db.session.add(CoOrganiser(course_id=course.id, organiser_id=partner.id))
    past = make.edition(course, starts_on=timeutil.today() - timedelta(days=30))
    for number in range(6):
        make.enrolment(make.learner(name=f"Deelnemer {number}"), past)
    residence.import_municipalities("nis_code;name;postcodes;population\n"
                                    "44083;Deinze;9800 9810;44500\n44081;Zulte;9870;\n")
    region = regions.create_region("Eerstelijnszone Gent", "elz-gent")
    regions.add_member(region, organiser)
    regions.add_member(region, partner)
    regional = make.user(kind=None, roles=(), name="Rita Regio")
    regions.add_regional_coordinator(region, regional)
    # A referred caregiver on the "To phone" page (with who looked at their details).
    refer_caregiver(organiser_id=organiser.id, referrer=None, caregiver_name="Rosa Van Hove",
                    phone="09 386 44 21", email=None, needs=["training"], source="pharmacy",
                    consent=True)
    db.session.commit()
    return {
        **respite,
        "evaluated": evaluated, "measured": measured,
        "region": region, "regional": regional,
        "offering": offering, "offer_token": make_offer_token(offer, learner.id),
        "asking_edition": asking_edition,
        "unconfirmed": unconfirmed, "managed": managed, "outdated": outdated,
        "later_enrolment": later_enrolment,
        "confirm_token": make_confirmation_token(unconfirmed, unconfirmed.pending_email),
        "organiser": organiser, "coordinator": coordinator, "trainer": trainer,
        "learner": learner, "professional": professional, "course": course,
        "edition": edition, "session": first_session, "enrolment": enrolment,
        "session_now": session_now, "module": module, "open_attempt": open_attempt,
        "done_attempt": done_attempt, "graduate": graduate, "certificate": certificate,
    }


def _evaluation_and_burden(make, organiser, coordinator, learner):
    """An evaluation the learner is invited to answer (an edition they attended, ended two days
    ago), and an enrolment whose burden question is open (its training still to come)."""
    finished = make.edition(make.course(organiser, title="Zorgen voor jezelf"),
                            starts_on=timeutil.today() - timedelta(days=2))
    session = make.session(finished, starts_at=timeutil.now() - timedelta(days=2))
    evaluated = make.enrolment(learner, finished, EnrolmentStatus.ENROLLED)
    db.session.add_all([
        Attendance(session_id=session.id, learner_id=learner.id, source=AttendanceSource.ROSTER,
                   status=AttendanceStatus.PRESENT),
        EvaluationInvitation(enrolment_id=evaluated.id, invited_at=timeutil.now())])
    measured_course = make.course(organiser, title="Als zorgen zwaar wordt")
    set_course_measure(coordinator, measured_course.id, on=True)
    db.session.commit()
    measured = make.enrolment(learner, make.edition(measured_course, sessions=2))
    return evaluated, measured


def axe_violations(page, axe_source: str) -> list[str]:
    """Run axe-core on the page; describe every serious or critical violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)  # through the DevTools protocol: the page's CSP stays strict
    results = page.evaluate(
        """async (tags) => await axe.run(document, {
               runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        AXE_TAGS,
    )
    return [
        f"{violation['impact']} {violation['id']}: {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]


# What axe does not check at AA, the College promises anyway (issue 9): one h1, a skip link
# to the main landmark, targets of at least 44x44 px, and text that reflows without scrolling.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements`);
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one <main>');
  const first = document.querySelector('a[href], button, input:not([type=hidden]), select, textarea');
  if (!first || first.getAttribute('href') !== '#main' || !document.getElementById('main'))
    problems.push('the first link is not a skip link to #main');
  const visible = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const targets = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]');
  for (const el of targets) {
    if (!visible(el) || el.classList.contains('skip-link')) continue;
    // Links inside a sentence are exempt (WCAG 2.5.8): the text around them sets their size.
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline'
        && el.closest('p, li, td, dd') && !el.closest('nav')) continue;
    let box = el.getBoundingClientRect();
    // A checkbox or radio button is clicked through its label too: the larger of the two counts.
    if ((el.type === 'checkbox' || el.type === 'radio') && el.labels.length) {
      const label = el.labels[0].getBoundingClientRect();
      if (label.width * label.height > box.width * box.height) box = label;
    }
    if (box.width < 44 || box.height < 44) {
      const label = (el.innerText || el.value || el.name || el.id || el.tagName).trim().slice(0, 40);
      problems.push(`target "${label}" is ${Math.round(box.width)}x${Math.round(box.height)} px`);
    }
  }
  return problems;
}"""

NO_HORIZONTAL_SCROLL = """() => document.documentElement.scrollWidth <= window.innerWidth"""

#: The elements that stick out on the right, innermost first, to say what breaks the reflow.
WIDE_ELEMENTS = """() => [...document.body.querySelectorAll('*')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
    && !(el.parentElement && el.parentElement.closest('.table-scroll')))
  .slice(-3).map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
    + ` (${Math.round(el.getBoundingClientRect().right)} px)`)"""

FOCUS_IS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return outlined || style.boxShadow !== 'none' ? '' : (el.innerText || el.id || el.tagName);
}"""


def focus_problems(page, max_stops: int = 40) -> list[str]:
    """Tab through the page; every element that takes focus must show it."""
    problems = []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(max_stops):
        page.keyboard.press("Tab")
        unseen = page.evaluate(FOCUS_IS_VISIBLE)
        if unseen is None:
            break
        if unseen:
            problems.append(f"focus not visible on {unseen.strip()[:40]!r}")
    return problems


def open_main_page(page, main_page: MainPage, world: dict) -> None:
    """Log in when needed, load the page (and send its form empty when asked)."""
    if main_page.as_:
        log_in(page, world[main_page.as_].email, PASSWORD)
        page.goto(f"/language/{page.language}")  # the account's preference beats the browser
    response = page.goto(main_page.path.format(**world))
    assert response.status == main_page.status, f"{main_page.path}: {response.status}"
    if main_page.submit:
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert page.locator("#error-summary").count() == 1, "no error summary after sending"
        assert page.evaluate("document.activeElement.id") == "error-summary", "summary not focused"
        assert page.locator("#error-summary a[href^='#']").count() >= 1, "summary links no field"
        assert page.locator("[aria-invalid=true][aria-describedby]").count() >= 1


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=lambda p: p.name.replace(" ", "-"))
def test_main_page_is_accessible(pages, world, axe_source, main_page, language):
    page = pages.open(viewport=PHONE, language=language)
    page.language = language
    open_main_page(page, main_page, world)
    assert page.get_attribute("html", "lang") == language
    problems = []
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        problems += [f"{name}: {problem}" for problem in axe_violations(page, axe_source)]
        problems += [f"{name}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
    # 400% zoom of a 1280 px screen is 320 CSS px: everything must fit without sideways scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    if not page.evaluate(NO_HORIZONTAL_SCROLL):
        problems.append("at 320 px (400% zoom) the page scrolls sideways: "
                        + ", ".join(page.evaluate(WIDE_ELEMENTS)))
    page.set_viewport_size(DESKTOP)
    problems += focus_problems(page)
    problems += page.problems
    assert not problems, f"{main_page.name} ({language}):\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_verify_pdf_refusal_is_accessible(pages, world, axe_source, tmp_path, language):
    """/verify with a file that is not a PDF: the error summary is focused, the field says why."""
    page = pages.open(viewport=PHONE, language=language)
    page.goto("/verify")
    not_a_pdf = tmp_path / "attest.pdf"
    not_a_pdf.write_bytes(b"geen pdf")
    page.set_input_files("input[type=file]", str(not_a_pdf))
    with page.expect_navigation():
        page.click("form[enctype='multipart/form-data'] button[type=submit]")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#file[aria-invalid=true][aria-describedby]").count() == 1
    problems = axe_violations(page, axe_source) + page.evaluate(LAYOUT_PROBLEMS) + page.problems
    assert not problems, "\n".join(problems)
