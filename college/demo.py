"""A realistic Flemish demo: two organisers, both tracks, courses, people and some activity.

Written through the models directly, so it works before (and without) the features' services.
Everything is deterministic: names, dates relative to today, attendance and quiz answers come
from a seeded random generator.
"""

from __future__ import annotations

import io
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from PIL import Image, ImageDraw
from sqlalchemy import exists, select

from college import timeutil
from college.accounts.models import Kind, Language, Membership, Organiser, Role, User
from college.accounts.passwords import hash_password
from college.accreditation import services as accreditation
from college.attendance.models import Attendance, AttendanceChange, AttendanceStatus
from college.catalogue import queries, repeat
from college.catalogue.models import CoOrganiser, Course, Edition, TrainingSession, WaitlistMode
from college.certificates import design_services
from college.completion.services import refresh_completion
from college.enrolment import offers
from college.enrolment.models import (
    SEATED_STATUSES,
    Enrolment,
    EnrolmentStatus,
    OfferOutcome,
    WaitlistOffer,
)
from college.enrolment.question_authoring import add_question
from college.enrolment.questions import store_answers
from college.enrolment.services import cancel_enrolment
from college.errors import Conflict
from college.evaluation.demo import evaluate_past_editions, measure_burden_in_past_editions
from college.extensions import db
from college.learning.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Choice,
    Module,
    ModuleCompletion,
    Question,
    QuestionKind,
    Quiz,
)
from college.privacy.notice import current_version
from college.referrals import services as referrals
from college.regions import residence
from college.regions import services as regions
from college.regions.models import Municipality, RegionMunicipality, Residence, ServedMunicipality
from college.respite.demo import arrange_respite_in_demo

#: One password for every demo account; printed by `flask college demo`.
DEMO_PASSWORD = "zorgzame-buurt-2026"  # nosec B105 # noqa: S105 - the documented demo password

#: The logins `make run` prints: (role shown, email).
DEMO_LOGINS = (
    ("coordinator", "coordinator@example.be"),
    ("trainer", "trainer@example.be"),
    ("caregiver", "mantelzorger@example.be"),
    ("professional", "professional@example.be"),
    ("coordinator 2", "coordinator.waasland@example.be"),
    ("regional coordinator", "regio@example.be"),
)

_SEED = 2026

CAREGIVERS = (
    ("Maria Peeters", "mantelzorger@example.be"),
    ("Jan Janssens", None), ("Godelieve Maes", None), ("Luc Jacobs", None),
    ("Rita Mertens", None), ("Marc Willems", None), ("Annemie Claes", None),
    ("Dirk Goossens", None), ("Christiane Wouters", None), ("Patrick De Meyer", None),
    ("Hilde Dubois", None), ("Eddy Lambrechts", None), ("Linda Hermans", None),
    ("Rudi Aerts", None), ("Nicole Vermeulen", None), ("Frans Van den Broeck", None),
    ("Martine De Clercq", None), ("Guido Verhoeven", None), ("Greet Declercq", None),
    ("Roger Desmet", None), ("Paula Van Damme", None), ("Wim Verbeke", None),
    ("Mieke Coppens", None), ("Jozef Vandamme", None),
)

#: The demo's home nurse: she completes the accredited course, so her attest names its schemes.
FEATURED_PROFESSIONAL = "professional@example.be"

PROFESSIONALS = (
    ("An De Vos", "professional@example.be", "Thuisverpleegkundige", "4-12345-02-401"),
    ("Tom Vandenberghe", None, "Maatschappelijk werker", None),
    ("Sarah Baert", None, "Huisarts", "1-23456-25-004"),
    ("Pieter Van Hecke", None, "Apotheker", "8-98765-43-210"),
    ("Lies Devos", None, "Zorgkundige", None),
    ("Nathalie Vanhoutte", None, "Ergotherapeut", "5-11223-34-501"),
    ("Bram Demeulemeester", None, "Sociaal werker OCMW", None),
    ("Katrien Vercruysse", None, "Verzorgende gezinszorg", None),
    ("Jonas Callewaert", None, "Kinesitherapeut", "5-44556-67-800"),
    ("Eline Van de Velde", None, "Psycholoog", "830123456"),
    ("Stijn De Backer", None, "Thuisverpleegkundige", "4-76543-18-402"),
    ("Ilse Degroote", None, "Medewerker lokaal dienstencentrum", None),
)


def _email(name: str) -> str:

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return ".".join(plain.replace("-", " ").split()) + "@example.be"


# Modules of "Mantelzorgers herkennen en doorverwijzen", in Markdown.
MODULES = (
    (
        "Wie is mantelzorger?",
        20,
        """## Wie is mantelzorger?

Een **mantelzorger** zorgt onbetaald en langdurig voor iemand uit zijn omgeving: een partner,
ouder, kind, buur of vriend die ziek, oud of beperkt is.

In Vlaanderen zijn dat meer dan **600.000 mensen**. Veel van hen noemen zichzelf niet zo:
*"Ik help gewoon mijn moeder."*

### Om te onthouden
- Mantelzorg is geen beroep en geen vrijwilligerswerk: de band met de persoon staat voorop.
- Wie zichzelf niet herkent als mantelzorger, vindt de weg naar ondersteuning minder snel.
- Jij kan het verschil maken door het woord te benoemen.
""",
    ),
    (
        "Signalen herkennen in je praktijk",
        25,
        """## Signalen herkennen in je praktijk

Let bij een huisbezoek of consultatie op:

1. iemand die altijd meekomt en alles weet over de medicatie van de patiënt;
2. vermoeidheid, slecht slapen, uitgestelde eigen doktersbezoeken;
3. zinnen als *"Ik kan hier niet weg"* of *"Wie doet het anders?"*.

> Vraag niet alleen "Hoe gaat het met je moeder?", maar ook: **"En hoe gaat het met jou?"**

Noteer wat je ziet in het zorgdossier, zodat collega's het ook weten.
""",
    ),
    (
        "Doorverwijzen naar de Mantelzorghub",
        15,
        """## Doorverwijzen naar de Mantelzorghub

De lokale **Mantelzorghub** bundelt:

- het **Mantelzorgcafé**: een maandelijkse ontmoeting met lotgenoten;
- **Mantelzorg Online**: informatie, een kalender en een chat;
- de **Mantelzorgacademie**: vormingen voor mantelzorgers en professionals.

### Zo verwijs je goed door
- Geef een naam en een telefoonnummer mee, geen folder alleen.
- Vraag toestemming om de hub te laten bellen.
- Volg op: vraag bij het volgende contact of het gelukt is.
""",
    ),
    (
        "Casus: meneer Verstraete",
        20,
        """## Casus: meneer Verstraete

Meneer Verstraete (78) zorgt voor zijn vrouw met dementie. De thuisverpleegkundige merkt dat
hij vermagerd is en de laatste weken twee keer de apotheek vergat.

**Bespreek voor jezelf:**

- Welke signalen zie je?
- Wat zeg je tegen meneer Verstraete?
- Naar wie verwijs je door, en hoe volg je op?

Breng je antwoorden mee naar de sessie.
""",
    ),
)

# (question kind, text, [(choice text, correct)])
PRO_QUIZ = (
    (QuestionKind.SINGLE, "Hoeveel mantelzorgers telt Vlaanderen ongeveer?",
     [("Ongeveer 60.000", False), ("Meer dan 600.000", True), ("Ongeveer 6 miljoen", False)]),
    (QuestionKind.TRUE_FALSE, "De meeste mantelzorgers noemen zichzelf spontaan 'mantelzorger'.",
     [("Waar", False), ("Niet waar", True)]),
    (QuestionKind.MULTIPLE, "Welke signalen kunnen op overbelasting wijzen? (meerdere antwoorden)",
     [("Slecht slapen", True), ("Eigen doktersbezoeken uitstellen", True),
      ("Regelmatig op vakantie gaan", False), ("Zich geïsoleerd voelen", True)]),
    (QuestionKind.SINGLE, "Wat is de beste manier om door te verwijzen?",
     [("Een folder meegeven", False),
      ("Een naam en nummer meegeven, met toestemming laten bellen en opvolgen", True),
      ("Zeggen dat ze eens op internet moeten zoeken", False)]),
    (QuestionKind.TRUE_FALSE, "Het Mantelzorgcafé is een maandelijkse ontmoeting met lotgenoten.",
     [("Waar", True), ("Niet waar", False)]),
)

CAREGIVER_QUIZ = (
    (QuestionKind.TRUE_FALSE, "Iemand met dementie tegenspreken helpt om hem of haar te kalmeren.",
     [("Waar", False), ("Niet waar", True)]),
    (QuestionKind.SINGLE, "Wat helpt vaak bij onrust in de late namiddag?",
     [("Een vaste, rustige dagstructuur", True), ("Veel bezoek tegelijk", False),
      ("De radio luid zetten", False)]),
    (QuestionKind.SINGLE, "Bij wie kan je terecht als je het even niet meer ziet zitten?",
     [("Bij niemand, je moet het zelf oplossen", False),
      ("Bij de Mantelzorghub, je huisarts of het Mantelzorgcafé", True)]),
)


@dataclass
class CourseSpec:
    title: str
    summary: str
    description: str
    hours: float
    caregivers: bool = True
    professionals: bool = False
    #: (scheme code, points or hours, the body's accreditation number, rubric)
    accreditations: tuple[tuple[str, float, str, str], ...] = ()
    min_attendance_pct: int = 80
    modules_required: bool = False
    quiz_pass_pct: int = 70
    published: bool = True
    #: Months its attests stay valid (a refresher); None: they do not expire.
    certificate_validity_months: int | None = None
    editions: list[EditionSpec] = field(default_factory=list)


@dataclass
class EditionSpec:
    #: First session, in days from today (negative: in the past).
    start_in_days: int
    venue: str
    address: str
    place: str
    sessions: int = 1
    at: time = time(14, 0)
    session_hours: float = 2
    capacity: int = 15
    #: How many seats to fill; more than capacity fills the waiting list.
    enrolled: int = 0
    online_url: str | None = None
    room: str = "Zaal 1"


LEIESTREEK_COURSES = (
    CourseSpec(
        "Omgaan met dementie",
        "Begrijpen wat dementie doet en hoe je er thuis rustig mee omgaat.",
        "Een ergotherapeut en een ervaren mantelzorger vertellen hoe dementie het denken en "
        "het gedrag verandert. Je krijgt praktische tips voor moeilijke momenten: onrust, "
        "vergeten, boosheid. En je hoort waar je zelf steun vindt.\n\n"
        "Drie namiddagen, telkens met koffie en tijd om ervaringen te delen.",
        hours=6, min_attendance_pct=66,
        editions=[
            EditionSpec(-42, "Lokaal dienstencentrum De Leie", "Markt 12, 9800 Deinze", "Deinze",
                        sessions=3, capacity=16, enrolled=12),
            EditionSpec(10, "Gemeentehuis Zulte, zaal De Kouter", "Kerkstraat 4, 9870 Zulte",
                        "Zulte", sessions=3, capacity=16, enrolled=9),
            EditionSpec(45, "OCMW Nazareth, Cultuurzaal", "Dorp 23, 9810 Nazareth", "Nazareth",
                        sessions=3, capacity=16, enrolled=2),
        ],
    ),
    CourseSpec(
        "Tillen en verplaatsen",
        "Veilig helpen bij opstaan, stappen en in en uit bed, zonder je rug te forceren.",
        "Een kinesitherapeut toont hoe je iemand helpt rechtstaan, van het bed naar de stoel "
        "gaat en wat je doet als iemand valt. Je oefent zelf, in kleine groep, met hulpmiddelen "
        "zoals een draaischijf en een glijlaken. Draag makkelijke kleren.",
        hours=3, min_attendance_pct=100, certificate_validity_months=36,
        editions=[
            EditionSpec(12, "Woonzorgcentrum Ter Leie, oefenzaal", "Leiestraat 88, 9800 Deinze",
                        "Deinze", sessions=1, session_hours=3, capacity=8, enrolled=12,
                        room="Oefenzaal"),
            EditionSpec(60, "Dienstencentrum 't Pleintje", "Stationsstraat 5, 8790 Waregem",
                        "Waregem", sessions=1, session_hours=3, capacity=8, enrolled=3,
                        room="Oefenzaal"),
        ],
    ),
    CourseSpec(
        "Zorg voor jezelf: grenzen stellen",
        "Mantelzorg vraagt veel. Leer je grenzen aanvoelen en ze uitspreken.",
        "Twee avonden met een psycholoog over de balans tussen zorgen en leven. Hoe merk je dat "
        "het te veel wordt? Hoe vraag je hulp aan familie of buren? Hoe zeg je nee zonder "
        "schuldgevoel? Met oefeningen en een persoonlijk actieplan om mee naar huis te nemen.",
        hours=4, min_attendance_pct=50,
        editions=[
            EditionSpec(20, "Gemeentelijke bibliotheek, leeszaal", "Dorp 1, 9830 Sint-Martens-Latem",
                        "Sint-Martens-Latem", sessions=2, at=time(19, 0), capacity=14, enrolled=7,
                        room="Leeszaal"),
        ],
    ),
    CourseSpec(
        "Respijtzorg: wat bestaat er?",
        "Dagopvang, kortverblijf, oppas aan huis: een overzicht van wat er in de regio is.",
        "Respijtzorg geeft je even ademruimte. Een maatschappelijk werker overloopt de "
        "mogelijkheden in de Leiestreek, wat ze kosten en hoe je ze aanvraagt. Ook "
        "zorgprofessionals die mantelzorgers willen doorverwijzen zijn welkom.",
        hours=2, professionals=True, min_attendance_pct=100,
        accreditations=(("social-workers", 2, "SW-2026-031", ""),),
        editions=[
            EditionSpec(25, "Lokaal dienstencentrum De Leie", "Markt 12, 9800 Deinze", "Deinze",
                        at=time(10, 0), capacity=25, enrolled=6),
            EditionSpec(40, "Online (Jitsi)", "", "Online", at=time(20, 0), capacity=40,
                        enrolled=4, online_url="https://meet.jit.si/respijtzorg-leiestreek",
                        room=""),
        ],
    ),
    CourseSpec(
        "Praten over later: vroegtijdige zorgplanning",
        "Samen nadenken over de zorg die je naaste later wil, voor het te laat is.",
        "Hoe begin je het gesprek over later met je partner of ouder? Wat is een "
        "wilsverklaring, en wie wordt vertegenwoordiger? Een palliatief verpleegkundige "
        "begeleidt deze namiddag, met ruimte voor vragen.",
        hours=2.5, min_attendance_pct=100,
        editions=[
            EditionSpec(70, "Gemeentehuis Zulte, zaal De Kouter", "Kerkstraat 4, 9870 Zulte",
                        "Zulte", session_hours=2.5, capacity=20, enrolled=1),
        ],
    ),
    CourseSpec(
        "Mantelzorgers herkennen en doorverwijzen",
        "Voor zorgprofessionals: zie de mantelzorger naast je patiënt en verwijs gericht door.",
        "Vier korte modules om zelf door te nemen, gevolgd door twee sessies met casussen uit "
        "de thuiszorg en de eerste lijn. Na de quiz krijg je een attest met uren en "
        "accreditatiepunten.",
        hours=4, caregivers=False, professionals=True, min_attendance_pct=100,
        accreditations=(("nurses", 4, "PV-2026-0412", "Psychosociale zorg"),
                        ("riziv", 4, "2026/0173", "Ethiek en economie")),
        modules_required=True, quiz_pass_pct=70, certificate_validity_months=36,
        editions=[
            EditionSpec(-35, "Huis van het Kind", "Tolpoortstraat 2, 9800 Deinze", "Deinze",
                        sessions=2, at=time(13, 30), capacity=20, enrolled=8, room="Vergaderzaal"),
            EditionSpec(30, "Huis van het Kind", "Tolpoortstraat 2, 9800 Deinze", "Deinze",
                        sessions=2, at=time(13, 30), capacity=20, enrolled=5, room="Vergaderzaal"),
        ],
    ),
    CourseSpec(
        "Signalen van overbelasting",
        "Herken overbelasting bij mantelzorgers vroeg, en weet wat je dan doet.",
        "Met de EDIZ-schaal (ervaren druk door informele zorg) leer je overbelasting meten en "
        "bespreken. Online sessie van twee uur, voor thuisverpleging, gezinszorg en "
        "maatschappelijk werk.",
        hours=2, caregivers=False, professionals=True, min_attendance_pct=100,
        accreditations=(("nurses", 2, "PV-2026-0588", "Psychosociale zorg"),
                        ("pharmacists", 2, "APB-26-1190", "")),
        quiz_pass_pct=60,
        editions=[
            EditionSpec(18, "Online (Jitsi)", "", "Online", at=time(12, 30), capacity=50,
                        enrolled=6, online_url="https://meet.jit.si/overbelasting-leiestreek",
                        room=""),
        ],
    ),
    CourseSpec(
        "Samenwerken met mantelzorgers in de thuiszorg",
        "De mantelzorger als partner in het zorgteam: afspraken, overleg en het zorgdossier.",
        "Twee sessies over samenwerken in de driehoek patiënt, mantelzorger en professional. "
        "Met het multidisciplinair overleg, het gedeelde zorgplan en lastige gesprekken als "
        "meningen botsen.",
        hours=6, caregivers=False, professionals=True, min_attendance_pct=100,
        accreditations=(("nurses", 6, "PV-2026-0731", "Samenwerking"),
                        ("social-workers", 6, "SW-2026-044", "")),
        editions=[
            EditionSpec(50, "Dienstencentrum 't Pleintje", "Stationsstraat 5, 8790 Waregem",
                        "Waregem", sessions=2, at=time(9, 0), session_hours=3, capacity=18,
                        enrolled=4),
        ],
    ),
    CourseSpec(
        "Eerste hulp bij psychische problemen",
        "In voorbereiding.",
        "Deze opleiding is nog niet gepubliceerd; de coördinator werkt ze uit.",
        hours=4, professionals=True, published=False,
    ),
)

WAASLAND_COURSE = CourseSpec(
    "Valpreventie thuis",
    "Kleine aanpassingen in huis die een val voorkomen.",
    "Een ergotherapeut komt langs met tips: losse matten, verlichting, handgrepen en schoeisel. "
    "Met een checklist om thuis zelf rond te gaan.",
    hours=2,
    editions=[
        EditionSpec(16, "Dienstencentrum De Klaproos", "Grote Markt 30, 9100 Sint-Niklaas",
                    "Sint-Niklaas", capacity=12, enrolled=3),
    ],
)


#: A few municipalities of the installation's list (a real installation imports the full list
#: with `flask college municipalities FILE`); the populations are rounded demo values.
DEMO_MUNICIPALITIES = """nis_code;name;postcodes;population
44083;Deinze;9800 9810 9850;44500
44081;Zulte;9870;16000
44064;Sint-Martens-Latem;9830;8800
44021;Gent;9000 9030 9031 9032 9040 9041 9042 9050 9051 9052;265000
34040;Waregem;8790;39000
46021;Sint-Niklaas;9100 9111 9112;80000
"""

#: The third member of the demo's region: a caring-neighbourhood project with one past edition.
ZULTE_COURSE = CourseSpec(
    "Even op adem komen",
    "Tijd voor jezelf, met lotgenoten.",
    "Een avond over wat jou als mantelzorger kracht geeft, met een psycholoog en lotgenoten.",
    hours=2,
    editions=[
        EditionSpec(-45, "Ontmoetingscentrum Het Zonnetje", "Kerkstraat 4, 9870 Zulte", "Zulte",
                    capacity=12, enrolled=9),
    ],
)


def database_is_empty() -> bool:
    """True when the database has no users and no organisers yet."""
    has_users = db.session.scalar(select(exists().where(User.id.is_not(None))))
    has_organisers = db.session.scalar(select(exists().where(Organiser.id.is_not(None))))
    return not (has_users or has_organisers)


def demo_is_loaded() -> bool:
    """True when the demo's coordinator exists (the demo was loaded into this database)."""
    return User.by_email(DEMO_LOGINS[0][1]) is not None


def _signature_image() -> bytes:
    """A handwritten-looking stroke as a PNG: the demo coordinator's signature."""
    image = Image.new("RGB", (360, 90), "white")
    pen = ImageDraw.Draw(image)
    pen.line([(10, 60), (40, 20), (60, 70), (95, 25), (120, 65), (160, 30), (200, 60), (240, 35),
              (300, 55), (350, 40)], fill=(20, 40, 90), width=4, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def demo_logins() -> dict:
    """The demo password and the logins to print."""
    return {"password": DEMO_PASSWORD, "accounts": list(DEMO_LOGINS)}


def load_demo() -> dict:
    """Load the demo into the database in one transaction; return the logins."""
    if demo_is_loaded():
        raise Conflict(_("The demo is already loaded in this database."))
    _Demo(random.Random(_SEED)).build()  # nosec B311 # noqa: S311 - demo data, nothing secret
    db.session.flush()
    _complete_past_editions()
    evaluate_past_editions(random.Random(_SEED), keep_open_for="mantelzorger@example.be")  # nosec B311 # noqa: S311
    measure_burden_in_past_editions(random.Random(_SEED))  # nosec B311 # noqa: S311
    arrange_respite_in_demo("mantelzorger@example.be", DEMO_LOGINS[0][1])
    db.session.commit()  # the completed enrolments' certificates are queued for the worker
    return demo_logins()


def _complete_past_editions() -> None:
    """Let the completion engine judge the demo's recorded attendance, as it would live."""

    for edition_id in db.session.scalars(
        select(Edition.id).where(Edition.ends_on < timeutil.today())
    ):
        refresh_completion(edition_id)


class _Demo:
    """Builds the demo rows; one instance per load."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.today = timeutil.today()
        self.now = timeutil.now()
        # One hash for every account: they share the demo password, and scrypt is slow on purpose.
        self.password_hash = hash_password(DEMO_PASSWORD)

    def build(self) -> None:
        leiestreek = self._organiser("Mantelzorghub Leiestreek", "mantelzorghub-leiestreek", "Deinze")
        waasland = self._organiser("Zorgzaam Waasland", "zorgzaam-waasland", "Sint-Niklaas")

        self.coordinator = self._staff("Els Vandewalle", "coordinator@example.be", leiestreek,
                                       Role.COORDINATOR)
        self.trainers = [
            self._staff("Sofie De Smet", "trainer@example.be", leiestreek, Role.TRAINER),
            self._staff("Koen Claeys", "koen.claeys@example.be", leiestreek, Role.TRAINER),
            self._staff("Hilde Verstraete", "hilde.verstraete@example.be", leiestreek, Role.TRAINER),
        ]
        waasland_coordinator = self._staff("Bart Maes", "coordinator.waasland@example.be",
                                           waasland, Role.COORDINATOR)
        waasland_trainer = self._staff("Ingrid Van Acker", "ingrid.vanacker@example.be", waasland,
                                       Role.TRAINER)

        self.schemes = {scheme.code: scheme for scheme in accreditation.seed_schemes()}
        self.caregivers = [
            self._learner(name, email or _email(name), Kind.CAREGIVER)
            for name, email in CAREGIVERS
        ]
        self.professionals = [
            self._learner(name, email or _email(name), Kind.PROFESSIONAL, profession, number)
            for name, email, profession, number in PROFESSIONALS
        ]
        # An English-speaking professional shows the second interface language.
        self.professionals[9].language = Language.EN
        # A managed account: a caregiver without email, enrolled by the coordinator.
        managed = User(name="Maurice Van Wassenhove", kind=Kind.CAREGIVER, is_learner=True,
                       phone="09 386 12 34", managed_by_organiser_id=leiestreek.id,
                       note="Belt liefst 's voormiddags; hoort slecht, spreek traag.")
        db.session.add(managed)
        self.caregivers.append(managed)
        db.session.flush()
        self._certificate_design(leiestreek)
        # Registration numbers: the home nurses' for the nurses' scheme, the GP's RIZIV number.
        for learner in self.professionals:
            code = {"Thuisverpleegkundige": "nurses", "Huisarts": "riziv"}.get(learner.profession)
            if code and learner.registration_number:
                accreditation.set_registration_number(learner, self.schemes[code].id,
                                                      learner.registration_number)

        for spec in LEIESTREEK_COURSES:
            course = self._course(leiestreek, spec)
            if spec.title == "Mantelzorgers herkennen en doorverwijzen":
                self._modules(course)
                self._quiz(course, "Quiz: mantelzorgers herkennen", PRO_QUIZ)
            elif spec.title == "Omgaan met dementie":
                self._quiz(course, "Korte quiz: omgaan met dementie", CAREGIVER_QUIZ)
                # It runs again in spring: the Zulte edition copied, as a coordinator does.
                zulte = db.session.scalar(select(Edition.id).where(
                    Edition.course_id == course.id, Edition.place == "Zulte"))
                repeat.copy_edition(None, queries.edition_with_course(zulte),
                                    self.today + timedelta(days=101))
            elif spec.title == "Tillen en verplaatsen":
                self._offer_a_freed_seat(course)
                self._enrolment_questions(course)
        # The second organiser's course is run by its own staff.
        self.trainers = [waasland_trainer]
        self.coordinator = waasland_coordinator
        self._course(waasland, WAASLAND_COURSE)
        self._region(leiestreek, waasland)

    def _certificate_design(self, hub: Organiser) -> None:
        """The hub's own attests: a first classic version, then the modern one with a signature."""
        design = {"layout": "classic", "primary_colour": "#1b4f72", "accent_colour": "#a4431e"}
        design_services.save_design(self.coordinator, hub, design, None)
        design_services.save_design(self.coordinator, hub, {
            **design, "layout": "modern", "primary_colour": "#0b5563", "accent_colour": "#8a3b12",
            "title_text": "Attest voor {learner}",
            "intro_text": "{organiser} bevestigt met dank dat",
            "closing_text": "{training}: {hours} uur op {dates}. Dank je wel voor je inzet, {learner}!",
            "signatory_name": "Els Vandewalle", "signatory_role": "Coördinator Mantelzorghub Leiestreek",
        }, _signature_image())

    def _region(self, *members: Organiser) -> None:
        """A primary care zone of three organisers, read by its regional coordinator."""
        zulte = self._organiser("Zorgzame buurt Zulte", "zorgzame-buurt-zulte", "Zulte")
        self.coordinator = self._staff("Veerle Lagae", "coordinator.zulte@example.be", zulte,
                                       Role.COORDINATOR)
        self.trainers = [self._staff("Joris Bracke", "joris.bracke@example.be", zulte, Role.TRAINER)]
        self._course(zulte, ZULTE_COURSE)
        region = regions.create_region("Eerstelijnszone Leie en Schelde", "eerstelijnszone-leie-schelde")
        for organiser in (*members, zulte):
            regions.add_member(region, organiser)
        regional = User(name="Karen Verhaeghe", email="regio@example.be",
                        password_hash=self.password_hash, is_learner=False, kind=None,
                        created_at=self.now - timedelta(days=120),
                        email_confirmed_at=self.now - timedelta(days=120),
                        consent_version=current_version(), consented_at=self.now - timedelta(days=120))
        db.session.add(regional)
        db.session.flush()
        regions.add_regional_coordinator(region, regional)
        self._residences({members[0]: ("44083", "44081", "44064"), members[1]: ("46021",),
                          zulte: ("44081",)})
        self._referral(members[0])
        # The caring neighbourhood organises the first hub's oldest course with it; the region
        # keeps its own list of the municipalities it serves.
        shared = db.session.scalars(select(Course).where(Course.organiser_id == members[0].id)
                                    .order_by(Course.id)).first()
        db.session.add(CoOrganiser(course_id=shared.id, organiser_id=zulte.id))
        served = db.session.scalars(select(Municipality).where(
            Municipality.nis_code.in_(("44083", "44081", "46021")))).all()
        db.session.add_all(RegionMunicipality(region_id=region.id, municipality_id=m.id,
                                              population=m.population) for m in served)
        db.session.flush()

    def _referral(self, hub: Organiser) -> None:
        """A pharmacist refers a caregiver, whom the hub phones and enrols: the funnel counts it."""
        pharmacist = next(p for p in self.professionals if p.profession == "Apotheker")
        enrolment = db.session.scalars(
            select(Enrolment).join(Edition, Edition.id == Enrolment.edition_id)
            .join(Course, Course.id == Edition.course_id)
            .join(User, User.id == Enrolment.learner_id)
            .where(Course.organiser_id == hub.id, Enrolment.status == EnrolmentStatus.ENROLLED,
                   User.kind == Kind.CAREGIVER, User.email.is_not(None))
            .order_by(Edition.starts_on.desc(), Enrolment.id)).first()
        caregiver = db.session.get(User, enrolment.learner_id)
        referral = referrals.refer_caregiver(
            organiser_id=hub.id, referrer=pharmacist, caregiver_name=caregiver.name,
            phone="09 386 44 21", email=None, needs=["training", "someone_to_talk_to"],
            source="pharmacy", consent=True)
        referral.created_at = enrolment.created_at - timedelta(days=2)
        coordinator = db.session.scalar(select(User).where(User.email == DEMO_LOGINS[0][1]))
        referrals.record_outcome(referral_id=referral.id, actor=coordinator, outcome="enrolled",
                                 enrolment_id=enrolment.id)
        # A GP's referral still waits on the hub's "To phone" list.
        referrals.refer_caregiver(
            organiser_id=hub.id, referrer=None, caregiver_name="Agnes Vermeersch",
            phone="09 380 12 12", email=None, needs=["respite", "information"], source="gp",
            consent=True, referrer_email="dokter.lagae@example.be")

    def _residences(self, served: dict[Organiser, tuple[str, ...]]) -> None:
        """The municipalities, those each organiser serves, and where most learners live."""
        residence.import_municipalities(DEMO_MUNICIPALITIES)
        by_code = {m.nis_code: m for m in residence.municipalities()}
        for organiser, codes in served.items():
            db.session.add_all(ServedMunicipality(organiser_id=organiser.id,
                                                  municipality_id=by_code[code].id) for code in codes)
        homes = ("44083", "44083", "44081", "44064", "34040", "44021", None)
        for index, learner in enumerate(self.caregivers + self.professionals):
            code = homes[index % len(homes)]
            if code and not learner.is_managed:  # giving it is optional: some did not
                db.session.add(Residence(user_id=learner.id, municipality_id=by_code[code].id))

    # --- people -------------------------------------------------------------------------

    def _organiser(self, name: str, slug: str, municipality: str) -> Organiser:
        organiser = Organiser(name=name, slug=slug, municipality=municipality)
        db.session.add(organiser)
        db.session.flush()
        return organiser

    def _staff(self, name: str, email: str, organiser: Organiser, role: Role) -> User:
        user = User(name=name, email=email, password_hash=self.password_hash, is_learner=False,
                    kind=None, created_at=self.now - timedelta(days=120),
                    email_confirmed_at=self.now - timedelta(days=120),
                    consent_version=current_version(), consented_at=self.now - timedelta(days=120))
        user.memberships = [Membership(organiser=organiser, role=role)]
        db.session.add(user)
        return user

    def _learner(self, name: str, email: str, kind: Kind, profession: str | None = None,
                 registration_number: str | None = None) -> User:
        user = User(
            name=name, email=email, password_hash=self.password_hash, kind=kind, is_learner=True,
            profession=profession, registration_number=registration_number,
            consent_version=current_version(),
            consented_at=self.now - timedelta(days=self.rng.randint(50, 100)),
            created_at=self.now - timedelta(days=self.rng.randint(50, 100)),
        )
        user.email_confirmed_at = user.created_at
        db.session.add(user)
        return user

    # --- courses, editions, sessions ----------------------------------------------------

    def _course(self, organiser: Organiser, spec: CourseSpec) -> Course:
        course = Course(
            organiser_id=organiser.id, title=spec.title, summary=spec.summary,
            description=spec.description, hours=spec.hours,
            open_to_caregivers=spec.caregivers, open_to_professionals=spec.professionals,
            published=spec.published,
            min_attendance_pct=spec.min_attendance_pct, modules_required=spec.modules_required,
            quiz_pass_pct=spec.quiz_pass_pct,
            certificate_validity_months=spec.certificate_validity_months,
            created_at=self.now - timedelta(days=90),
        )
        db.session.add(course)
        db.session.flush()
        for code, points, number, rubric in spec.accreditations:
            accreditation.add_accreditation(None, course, self.schemes[code].id, points,
                                            number=number, rubric=rubric)
        self.editions_done: list[tuple[Edition, list[User]]] = []
        self.course_learners: set[User] = set()
        for index, edition_spec in enumerate(spec.editions):
            self._edition(course, spec, edition_spec, index)
        return course

    def _edition(self, course: Course, spec: CourseSpec, e: EditionSpec, index: int) -> Edition:
        first_day = self.today + timedelta(days=e.start_in_days)
        days = [first_day + timedelta(days=7 * i) for i in range(e.sessions)]
        edition = Edition(
            course_id=course.id, venue=e.venue, address=e.address, place=e.place,
            online_url=e.online_url, capacity=e.capacity, starts_on=days[0], ends_on=days[-1],
            enrolment_opens_at=self.now + timedelta(days=min(e.start_in_days - 60, -30)),
            enrolment_closes_at=timeutil.brussels(days[0] - timedelta(days=1), time(23, 59)),
            created_at=self.now + timedelta(days=min(e.start_in_days - 60, -30)),
        )
        # The demo trainer teaches every course's first edition, so that login shows rosters.
        edition.trainers = [self.trainers[index % len(self.trainers)]]
        db.session.add(edition)
        db.session.flush()
        sessions = []
        for number, day in enumerate(days, start=1):
            starts_at = timeutil.brussels(day, e.at)
            session = TrainingSession(
                edition_id=edition.id,
                title=f"Sessie {number}" if len(days) > 1 else "",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=e.session_hours),
                room=e.room,
            )
            db.session.add(session)
            sessions.append(session)
        db.session.flush()

        learners = self._enrol(edition, spec, e)
        if e.start_in_days < 0:
            self._record_attendance(edition, sessions, learners)
        return edition

    def _pool(self, spec: CourseSpec) -> list[User]:
        pool: list[User] = []
        if spec.caregivers:
            pool += self.caregivers
        if spec.professionals:
            pool += self.professionals
        return pool

    def _enrol(self, edition: Edition, spec: CourseSpec, e: EditionSpec) -> list[User]:
        """Seats first, then the waiting list (positions 1..n), counters kept consistent."""
        # Nobody takes the same course twice.
        pool = [u for u in self._pool(spec) if u not in self.course_learners]
        # The demo's own caregiver and professional are in most courses, so their pages show life.
        featured = [u for u in pool if u.email in {"mantelzorger@example.be",
                                                    "professional@example.be"}]
        others = [u for u in pool if u not in featured]
        self.rng.shuffle(others)
        chosen = (featured + others)[: e.enrolled]
        self.course_learners.update(chosen)
        opened = edition.enrolment_opens_at
        moments = sorted(opened + timedelta(minutes=self.rng.randint(60, 60 * 24 * 20))
                         for _learner in chosen)
        seated: list[User] = []
        for learner, enrolled_at in zip(chosen, moments, strict=True):
            enrolled_by = self.coordinator.id if learner.is_managed else None
            if len(seated) < edition.capacity:
                status, position = EnrolmentStatus.ENROLLED, None
                seated.append(learner)
                edition.seats_taken += 1
            else:
                edition.waitlist_length += 1
                status, position = EnrolmentStatus.WAITLISTED, edition.waitlist_length
            db.session.add(Enrolment(
                learner_id=learner.id, edition_id=edition.id, status=status,
                waitlist_position=position, enrolled_by_id=enrolled_by, created_at=enrolled_at,
            ))
        # Someone who cancelled stays as history and frees nothing now.
        leftover = [u for u in pool if u not in chosen]
        if edition.waitlist_length and leftover:
            db.session.add(Enrolment(
                learner_id=leftover[0].id, edition_id=edition.id,
                status=EnrolmentStatus.CANCELLED, created_at=opened + timedelta(days=2),
                cancelled_at=opened + timedelta(days=5), cancelled_by_id=leftover[0].id,
            ))
        return seated

    def _offer_a_freed_seat(self, course: Course) -> None:
        """The full Deinze edition offers freed seats: one seat was freed, the first on the
        waiting list could not come, and the seat is now held for the next (the real services)."""
        edition = db.session.scalar(select(Edition).where(
            Edition.course_id == course.id, Edition.place == "Deinze"))
        edition.waitlist_mode = WaitlistMode.OFFER
        db.session.flush()
        seated = list(db.session.scalars(
            select(Enrolment).where(Enrolment.edition_id == edition.id,
                                    Enrolment.status == EnrolmentStatus.ENROLLED)
            .order_by(Enrolment.created_at.desc())))
        leaving = seated[0]
        cancel_enrolment(enrolment_id=leaving.id, actor=db.session.get(User, leaving.learner_id))
        first = db.session.scalar(select(WaitlistOffer).where(
            WaitlistOffer.edition_id == edition.id, WaitlistOffer.outcome == OfferOutcome.OPEN))
        learner = db.session.get(User, db.session.get(Enrolment, first.enrolment_id).learner_id)
        offers.answer_offer(first, accept=False, actor=learner)

    def _enrolment_questions(self, course: Course) -> None:
        """Two questions (one required, each with its why), companion seats, answers on the
        rosters and, in Waregem, a caregiver who brings the person they care for."""
        course.allow_companion = True
        wheelchair = add_question(
            None, course, kind="choice", text="Heb je een zaal zonder trappen nodig?",
            why="Zodat we een zaal kiezen waar je met een rolstoel of rollator binnenkomt.",
            required=True, choices=["Ja", "Nee"])
        heard = add_question(
            None, course, kind="choice", text="Hoe hoorde je van deze vorming?",
            why="Zo weten we waar we onze folders best leggen.",
            choices=["Folder", "Huisarts of thuisverpleging", "Website", "Mantelzorgcafé"])
        enrolments = db.session.scalars(
            select(Enrolment).join(Edition, Edition.id == Enrolment.edition_id)
            .where(Edition.course_id == course.id, Enrolment.status != EnrolmentStatus.CANCELLED)
            .order_by(Enrolment.id)).all()
        for index, enrolment in enumerate(enrolments):
            answers = {wheelchair.id: "Ja" if index % 4 == 0 else "Nee"}
            if index % 3 != 2:
                answers[heard.id] = heard.choices[index % len(heard.choices)]
            store_answers(enrolment, answers)
        waregem = next(e for e in enrolments if e.status in SEATED_STATUSES
                       and db.session.get(Edition, e.edition_id).place == "Waregem")
        waregem.seats = 2
        db.session.get(Edition, waregem.edition_id).seats_taken += 1
        db.session.flush()

    # --- activity -----------------------------------------------------------------------

    def _record_attendance(self, edition: Edition, sessions: list[TrainingSession],
                           learners: list[User]) -> None:
        trainer = edition.trainers[0]
        statuses = [AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED,
                    AttendanceStatus.ABSENT]
        for session in sessions:
            recorded_at = session.starts_at + timedelta(minutes=15)
            for learner in learners:
                status = self.rng.choices(statuses, weights=(80, 8, 7, 5))[0]
                if learner.email == FEATURED_PROFESSIONAL:
                    status = AttendanceStatus.PRESENT  # her attest shows the accreditations
                db.session.add(Attendance(session_id=session.id, learner_id=learner.id,
                                          status=status, recorded_by_id=trainer.id,
                                          recorded_at=recorded_at))
                db.session.add(AttendanceChange(session_id=session.id, learner_id=learner.id,
                                                old_status=None, new_status=status,
                                                changed_by_id=trainer.id, changed_at=recorded_at))
        self.editions_done.append((edition, learners))

    def _modules(self, course: Course) -> None:
        modules = []
        for position, (title, minutes, body) in enumerate(MODULES, start=1):
            module = Module(course_id=course.id, position=position, title=title,
                            body_markdown=body, minutes=minutes,
                            created_at=self.now - timedelta(days=80),
                            updated_at=self.now - timedelta(days=80))
            db.session.add(module)
            modules.append(module)
        db.session.flush()
        # Learners of the past edition did most modules before the first session.
        for edition, learners in self.editions_done:
            for learner in learners:
                done = len(modules) if self.rng.random() < 0.75 else self.rng.randint(1, 3)
                if learner.email == FEATURED_PROFESSIONAL:
                    done = len(modules)
                for module in modules[:done]:
                    db.session.add(ModuleCompletion(
                        module_id=module.id, learner_id=learner.id,
                        completed_at=timeutil.brussels(edition.starts_on, time(9, 0))
                        - timedelta(days=self.rng.randint(1, 10)),
                    ))

    def _quiz(self, course: Course, title: str, questions_spec) -> None:
        quiz = Quiz(course_id=course.id, title=title, max_attempts=3,
                    created_at=self.now - timedelta(days=80))
        db.session.add(quiz)
        questions = []
        for position, (kind, text, choices) in enumerate(questions_spec, start=1):
            question = Question(quiz=quiz, position=position, kind=kind, text=text)
            question.choices = [
                Choice(position=i, text=choice_text, correct=correct)
                for i, (choice_text, correct) in enumerate(choices, start=1)
            ]
            questions.append(question)
            db.session.add(question)
        db.session.flush()
        # Learners of the past edition took the quiz after the last session.
        for edition, learners in self.editions_done:
            for learner in learners:
                featured = learner.email == FEATURED_PROFESSIONAL
                if self.rng.random() < 0.2 and not featured:
                    continue  # not everyone has done it yet
                when = timeutil.brussels(edition.ends_on, time(20, 0)) + timedelta(
                    days=self.rng.randint(0, 5))
                passed = self._attempt(quiz, questions, learner, 1, when, course.quiz_pass_pct,
                                       skill=1.0 if featured else 0.8)
                if not passed:
                    self._attempt(quiz, questions, learner, 2, when + timedelta(days=1),
                                  course.quiz_pass_pct, skill=0.95)

    def _attempt(self, quiz: Quiz, questions: list[Question], learner: User, number: int,
                 started_at: datetime, pass_pct: int, skill: float = 0.8) -> bool:
        """A submitted attempt whose score follows from its answers."""
        attempt = Attempt(quiz_id=quiz.id, learner_id=learner.id, number=number,
                          status=AttemptStatus.SUBMITTED, started_at=started_at,
                          submitted_at=started_at + timedelta(minutes=self.rng.randint(3, 12)))
        db.session.add(attempt)
        db.session.flush()
        right = 0
        for question in questions:
            correct = [c for c in question.choices if c.correct]
            if self.rng.random() < skill:
                picked = correct
            else:
                wrong = [c for c in question.choices if not c.correct]
                picked = [self.rng.choice(wrong)]
            right += {c.id for c in picked} == {c.id for c in correct}
            for choice in picked:
                db.session.add(Answer(attempt_id=attempt.id, question_id=question.id,
                                      choice_id=choice.id))
        attempt.score_pct = round(100 * right / len(questions), 1)
        attempt.passed = attempt.score_pct >= pass_pct
        return attempt.passed

