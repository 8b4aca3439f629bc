"""Open Badges 3.0 credentials of issued attests, and the public documents that back them.

Every document is built from the database when asked. A signed status list is kept in Redis
until a commit changes a certificate's revocation or the keys (`college.staleness`), so it
still tells the revocations of this moment (a revoked or corrected attest flips its bit at
once) without being built and signed for every verifier that asks. Addresses:
the issuer profile (also the controller document of the keys), each key as a Multikey, each
course as an Achievement, and Bitstring Status Lists of LIST_SIZE entries; a certificate's entry
is its row id (list `id // LIST_SIZE`, index `id % LIST_SIZE`).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import secrets
from datetime import UTC

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, inspect, select
from sqlalchemy.orm import selectinload

from college import policy, staleness, timeutil
from college.accounts.models import User
from college.accreditation.models import CourseAccreditation, Unit
from college.accreditation.services import earned_for
from college.addresses import public_base_url, public_url
from college.catalogue.models import Course, Edition
from college.certificates.models import Certificate, CertificateStatus
from college.certificates.rendering import design_for, format_number
from college.credentials import keys, proofs
from college.credentials.contexts import CREDENTIALS_V2, MULTIKEY_V1, OPEN_BADGES_V3
from college.credentials.models import CredentialKey
from college.errors import Conflict, NotFound
from college.extensions import db
from college.privacy.access import record_access
from college.routing import MAX_ID
from college.staleness import Generation, watch

#: Entries per status list: the W3C minimum, so one revocation hides among many entries.
LIST_SIZE = 131_072
CONTEXT = [CREDENTIALS_V2, OPEN_BADGES_V3]
#: `assertionMethod` is defined by no context the profile needs otherwise; verifiers read it to
#: learn that the published keys may sign for the College.
ASSERTION_METHOD_TERM = {"assertionMethod": {
    "@id": "https://w3id.org/security#assertionMethod", "@type": "@id", "@container": "@set"}}


def _timestamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_url() -> str:
    return public_url("credentials.issuer")


def key_url(key_id: int) -> str:
    return public_url("credentials.key", key_id=key_id)


def achievement_url(course_id: int) -> str:
    return public_url("credentials.achievement", course_id=course_id)


def status_list_url(list_number: int) -> str:
    return public_url("credentials.status_list", list_number=list_number)


def _issuer_summary() -> dict:
    return {"id": issuer_url(), "type": ["Profile"],
            "name": current_app.config["PRIVACY_CONTROLLER_NAME"]}


def issuer_profile() -> dict:
    """The College's issuer profile, listing every key that may sign its credentials."""
    key_ids = [key_url(key.id) for key in keys.published_keys()]
    return {
        "@context": [*CONTEXT, ASSERTION_METHOD_TERM],
        **_issuer_summary(),
        "url": public_url("main.index"),
        "email": current_app.config["PRIVACY_CONTACT_EMAIL"],
        "assertionMethod": key_ids,
    }


def key_document(key_id: int) -> dict:
    """A published key as a Multikey verification method controlled by the issuer."""
    key = keys.published_key(key_id) if _is_row_id(key_id) else None
    if key is None:
        raise NotFound(_("This key does not exist."))
    return _multikey(key)


def _is_row_id(number: int) -> bool:
    return 1 <= number <= MAX_ID


def _multikey(key: CredentialKey) -> dict:
    return {
        "@context": MULTIKEY_V1,
        "id": key_url(key.id),
        "type": "Multikey",
        "controller": issuer_url(),
        "publicKeyMultibase": key.public_key_multibase,
    }


# ---- achievements -----------------------------------------------------------------------------


def _load_course(course_id: int) -> Course | None:
    return db.session.scalar(
        select(Course).where(Course.id == course_id).options(
            selectinload(Course.organiser),
            selectinload(Course.accreditations).selectinload(CourseAccreditation.scheme),
        )
    )


def _has_credentials(course_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Certificate.edition_id == Edition.id, Edition.course_id == course_id,
        Certificate.issued_at.is_not(None)))))


def achievement(course_id: int) -> dict:
    """A course as an Open Badges Achievement: public once published or once it has attests."""
    course = _load_course(course_id) if _is_row_id(course_id) else None
    if course is None or not (course.published or _has_credentials(course.id)):
        raise NotFound(_("This training does not exist."))
    return {"@context": CONTEXT, **_achievement(course)}


def _achievement(course: Course) -> dict:
    """The Achievement's fields, in the installation's own language (they travel in credentials)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        criteria = [_("Complete the training as its organiser requires: attend at least "
                      "%(percent)s%% of the sessions.", percent=course.min_attendance_pct)]
        if course.modules_required:
            criteria.append(_("Finish every module."))
        if course.quiz_pass_pct:
            criteria.append(_("Pass the quiz with at least %(percent)s%%.",
                              percent=course.quiz_pass_pct))
        details = [_("%(hours)s hours of training.", hours=format_number(course.hours))]
        for accreditation in course.accreditations:
            details.append(_("Accreditation %(scheme)s, number %(number)s: %(points)s",
                             scheme=accreditation.scheme.name, number=accreditation.number or "-",
                             points=_amount(accreditation.scheme.unit, accreditation.points))
                           + (f" ({accreditation.rubric})" if accreditation.rubric else "") + ".")
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    results = [{
        "id": _result_id(course.id, accreditation.id), "type": ["ResultDescription"],
        "name": " ".join(filter(None, [accreditation.scheme.name, accreditation.number])),
        "resultType": "Result",
    } for accreditation in course.accreditations]
    return {
        "id": achievement_url(course.id),
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": course.title,
        "description": " ".join([course.summary or course.title, *details]),
        "criteria": {"narrative": " ".join(criteria)},
        "creator": {"id": issuer_url(), "type": ["Profile"], "name": course.organiser.name},
        "inLanguage": language,
        **({"resultDescription": results} if results else {}),
    }


def _amount(unit: Unit, amount: float) -> str:
    number = format_number(amount)
    return (_("%(hours)s hours", hours=number) if unit == Unit.HOURS
            else _("%(points)s points", points=number))


def _result_id(course_id: int, accreditation_id: int) -> str:
    return f"{achievement_url(course_id)}#accreditation-{accreditation_id}"


def _results(certificate: Certificate) -> list[dict]:
    """What the learner earned per accreditation scheme, as the attest states it."""
    if not design_for(certificate).professional:
        return []
    course_id = certificate.edition.course_id
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return [{"type": ["Result"], "resultDescription": _result_id(course_id, item.accreditation.id),
                 "value": _amount(item.scheme.unit, item.points)}
                for item in earned_for(certificate.learner_id, certificate.edition_id, course_id)]


# ---- one learner's credential -----------------------------------------------------------------


def status_entry(certificate_id: int) -> dict:
    """Where a certificate's revocation bit is: its list and index."""
    list_number, index = divmod(certificate_id, LIST_SIZE)
    url = status_list_url(list_number)
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(index),
            "statusListCredential": url}


def _issued_certificate(viewer: User, certificate_id: int) -> Certificate:
    if not _is_row_id(certificate_id):
        raise NotFound(_("This certificate does not exist."))
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.id == certificate_id).options(
            selectinload(Certificate.learner),
            selectinload(Certificate.edition).selectinload(Edition.course).options(
                selectinload(Course.organiser),
                selectinload(Course.accreditations).selectinload(CourseAccreditation.scheme)),
        )
    )
    if certificate is None or not policy.can_act_for_learner(
            viewer, certificate.learner, certificate.edition.course.organiser_id):
        # Others do not even learn that the certificate exists.
        raise NotFound(_("This certificate does not exist."))
    if certificate.status == CertificateStatus.REVOKED:
        raise Conflict(_("This certificate has been revoked. It can no longer be downloaded."))
    if certificate.learner.anonymised_at is not None:
        raise Conflict(_("The learner's personal data was deleted, and this document with it. "
                         "Its code can still be checked."))
    if certificate.status != CertificateStatus.ISSUED or certificate.issued_at is None:
        raise Conflict(_("This certificate is still being prepared. Try again in a minute."))
    return certificate


def _identifiers(learner: User) -> list[dict]:
    """Who the credential is about: the name in plain text, the email address only hashed."""
    found = [{"type": "IdentityObject", "identityType": "name", "hashed": False,
              "identityHash": learner.name}]
    if learner.email:
        salt = secrets.token_hex(8)
        digest = hashlib.sha256((learner.email + salt).encode()).hexdigest()
        found.append({"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                      "identityHash": f"sha256${digest}", "salt": salt})
    return found


def unsigned_credential(certificate: Certificate) -> dict:
    """The certificate as an OpenBadgeCredential, before its proof."""
    course = certificate.edition.course
    return {
        "@context": CONTEXT,
        "id": public_url("certificates.verify", code=certificate.verification_code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": course.title,
        "issuer": _issuer_summary(),
        "validFrom": _timestamp(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": _identifiers(certificate.learner),
            "achievement": _achievement(course),
            **({"result": results} if (results := _results(certificate)) else {}),
        },
        "credentialStatus": status_entry(certificate.id),
    }


def _signed(document: dict) -> dict:
    row, key = keys.signing_key()
    return proofs.sign(document, key, key_url(row.id), timeutil.now())


def certificate_credential(viewer: User, certificate_id: int) -> tuple[Certificate, dict]:
    """An issued certificate as a signed Open Badges 3.0 credential (its learner, its coordinators)."""
    certificate = _issued_certificate(viewer, certificate_id)
    record_access(viewer, [certificate.learner_id], "certificates")
    return certificate, _signed(unsigned_credential(certificate))


# ---- revocation -------------------------------------------------------------------------------


def encode_bits(revoked_indexes: set[int]) -> str:
    """A Bitstring Status List's encodedList: GZIP, then base64url with the multibase prefix "u"."""
    bits = bytearray(LIST_SIZE // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)  # index 0 is the left-most bit
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def _changes_revocations(obj: object) -> bool:
    """A certificate changes the lists when its status or issue moment changes, or it goes;
    a new one is not revoked yet. Any change of a key counts (a list names its key)."""
    if not isinstance(obj, Certificate):
        return True
    state = inspect(obj)
    if state.pending or state.transient:
        return False
    return (state.deleted or state.was_deleted or state.attrs.status.history.has_changes()
            or state.attrs.issued_at.history.has_changes())


#: What the status lists show: a revocation (also a reissue or a withdrawal) or a key changed.
STATUS_LISTS = Generation("college:credentials:status-lists:generation",
                          (Certificate, CredentialKey), counts=_changes_revocations)
#: How long a kept list is served at most (every change that counts makes it stale at once).
STATUS_LIST_SECONDS = 3600


def status_list(list_number: int) -> dict:
    """The signed BitstringStatusListCredential of one list, as the database says now (kept in
    Redis until a revocation or a key changes)."""
    return staleness.kept(STATUS_LISTS, "status-list", f"{public_base_url()}:{list_number}",
                          lambda: fresh_status_list(list_number),
                          lambda document: json.dumps(document, ensure_ascii=False), json.loads,
                          STATUS_LIST_SECONDS)


def fresh_status_list(list_number: int) -> dict:
    """The list built and signed from the database, without the cache."""
    highest = db.session.scalar(select(func.max(Certificate.id))) or 0
    if list_number > highest // LIST_SIZE:
        raise NotFound(_("This status list does not exist."))
    first = list_number * LIST_SIZE
    revoked = set(db.session.scalars(select(Certificate.id).where(
        Certificate.id >= first, Certificate.id < first + LIST_SIZE,
        Certificate.status == CertificateStatus.REVOKED, Certificate.issued_at.is_not(None))))
    url = status_list_url(list_number)
    now = timeutil.now()
    return _signed({
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(),
        "validFrom": _timestamp(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_bits({certificate_id - first for certificate_id in revoked}),
        },
    })


def init_app(app) -> None:
    """Watch the database session for changes the status lists show."""
    del app  # the listeners are on every session, once per process
    watch(STATUS_LISTS)
