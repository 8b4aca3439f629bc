"""Imports every feature's models, so the metadata (and Alembic) knows all tables."""

from college.accounts.models import Membership, Organiser, User  # noqa: F401
from college.accreditation.models import CourseAccreditation, RegistrationNumber, Scheme  # noqa: F401
from college.api.models import ApiToken  # noqa: F401
from college.attendance.models import Attendance, AttendanceChange  # noqa: F401
from college.catalogue.models import Course, Edition, TrainingSession, edition_trainer  # noqa: F401
from college.certificates.models import Certificate, CertificateDesign, StoredFile  # noqa: F401
from college.credentials.models import CredentialKey  # noqa: F401
from college.enrolment.models import Enrolment, Notification  # noqa: F401
from college.evaluation.models import (  # noqa: F401
    BurdenDeclined,
    BurdenInstrument,
    BurdenMeasurement,
    CourseBurdenMeasure,
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationResponse,
    Questionnaire,
    QuestionnaireVersion,
)
from college.idempotency.models import IdempotencyKey  # noqa: F401
from college.learning.models import (  # noqa: F401
    Answer,
    Attempt,
    Choice,
    Module,
    ModuleCompletion,
    Question,
    Quiz,
)
from college.privacy.models import DataExport, PersonalDataAccess  # noqa: F401
from college.referrals.models import Referral  # noqa: F401
from college.regions.models import (  # noqa: F401
    Municipality,
    Region,
    RegionCoordinator,
    RegionMember,
    Residence,
    ServedMunicipality,
)
from college.respite.models import (  # noqa: F401
    PartnerMunicipality,
    RespitePartner,
    RespiteRequest,
    RespiteSession,
)
