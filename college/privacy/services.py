"""Privacy rules: logging who saw whose data, exports, deletion and retention."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from college import timeutil
from college.accounts.models import Membership, Organiser, User
from college.accounts.passwords import verify_password
from college.accreditation.models import RegistrationNumber, Scheme
from college.attendance.models import Attendance
from college.catalogue.models import Course, Edition, TrainingSession
from college.certificates.models import Certificate, StoredFile
from college.certificates.services import erase_documents_of
from college.enrolment.models import Enrolment, Notification, WaitlistOffer
from college.enrolment.questions import answers_of, erase_answers_of
from college.errors import Conflict, Invalid, NotAllowed
from college.evaluation.burden import erase_burden_of
from college.evaluation.models import BurdenMeasurement, EvaluationInvitation
from college.extensions import db
from college.jobs import enqueue_after_commit
from college.learning.models import Answer, Attempt, Choice, Module, ModuleCompletion, Question
from college.policy import is_coordinator
from college.privacy.access import ANONYMOUS_NAME, access_log
from college.privacy.models import DataExport, ExportStatus, PersonalDataAccess
from college.referrals.models import Referral
from college.regions.residence import erase_residence, residence_of
from college.respite.services import erase_respite_of, export_of

# ------------------------------------------------------------------------------ export


def request_export(user: User) -> DataExport:
    """Queue a ZIP of all the user's data; one at a time."""
    pending = db.session.scalar(select(DataExport).where(
        DataExport.user_id == user.id, DataExport.status == ExportStatus.QUEUED))
    if pending is not None:
        raise Conflict(_("Your download is already being prepared. Please wait a moment."))
    export = DataExport(user_id=user.id)
    db.session.add(export)
    db.session.flush()
    enqueue_after_commit("default", "college.privacy.tasks.build_export", export.id)
    return export


def user_data(user_id: int) -> dict:
    """Everything the College keeps about a user, as plain JSON-ready data."""
    user = db.session.get(User, user_id)
    iso = lambda moment: moment.isoformat() if moment else None  # noqa: E731
    data = {
        "profile": {
            "name": user.name, "email": user.email,
            "email_confirmed_at": iso(user.email_confirmed_at),
            "new_email_waiting_for_confirmation": user.pending_email,
            "kind": user.kind.value if user.kind else None,
            "language": user.language.value, "profession": user.profession,
            "registration_number": user.registration_number, "phone": user.phone,
            "note_of_your_hub": user.note,
            "created_at": iso(user.created_at), "last_seen_at": iso(user.last_seen_at),
            # The version of the privacy notice this person agreed to, and when.
            "privacy_notice_version": user.consent_version, "consented_at": iso(user.consented_at),
        },
    }
    data["registration_numbers"] = [
        {"scheme": name, "number": number}
        for name, number in db.session.execute(
            select(Scheme.name, RegistrationNumber.number)
            .join(Scheme, Scheme.id == RegistrationNumber.scheme_id)
            .where(RegistrationNumber.user_id == user_id).order_by(Scheme.name))
    ]
    enrolment_rows = db.session.execute(
        select(Enrolment.id, Course.title, Edition.place, Edition.starts_on, Edition.ends_on,
               Enrolment.status, Enrolment.waitlist_position, Enrolment.created_at,
               Enrolment.completed_at, Enrolment.cancelled_at, Enrolment.seats)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Enrolment.learner_id == user_id).order_by(Enrolment.created_at)).all()
    given = answers_of(row[0] for row in enrolment_rows)
    lives_in = residence_of(user)
    data["profile"]["municipality_of_residence"] = (
        {"name": lives_in.name, "nis_code": lives_in.nis_code} if lives_in else None)
    data["enrolments"] = [
        {"course": title, "place": place, "starts_on": starts.isoformat(),
         "ends_on": ends.isoformat(), "status": status.value, "waitlist_position": position,
         "enrolled_at": iso(created), "completed_at": iso(completed),
         "cancelled_at": iso(cancelled), "companion_seat": seats == 2,
         "answers": [{"question": question.text, "why_asked": question.why, "answer": value}
                     for question, value in given.get(enrolment_id, [])]}
        for (enrolment_id, title, place, starts, ends, status, position, created, completed,
             cancelled, seats) in enrolment_rows
    ]
    data["respite"] = export_of(user_id)
    # The caregivers they referred, as they typed them, and only what the referrer is told
    # back: whether the hub took it up (never what happened; the contact details stay the hub's).
    data["referrals_made"] = [
        {"hub": hub, "caregiver_name": referral.caregiver_name, "needs": referral.need_keys,
         "source": referral.source.value, "referred_at": iso(referral.created_at),
         "taken_up": referral.taken_up}
        for referral, hub in db.session.execute(
            select(Referral, Organiser.name).join(Organiser, Organiser.id == Referral.organiser_id)
            .where(Referral.referred_by_id == user_id).order_by(Referral.created_at, Referral.id))
    ]
    data["waiting_list_offers"] = [
        {"course": title, "offered_at": iso(offer.offered_at), "expires_at": iso(offer.expires_at),
         "answered_at": iso(offer.answered_at), "outcome": offer.outcome.value}
        for offer, title in db.session.execute(
            select(WaitlistOffer, Course.title)
            .join(Enrolment, Enrolment.id == WaitlistOffer.enrolment_id)
            .join(Edition, Edition.id == Enrolment.edition_id)
            .join(Course, Course.id == Edition.course_id)
            .where(Enrolment.learner_id == user_id).order_by(WaitlistOffer.offered_at))
    ]
    data["attendance"] = [
        {"course": title, "session_start": iso(starts), "status": status.value}
        for title, starts, status in db.session.execute(
            select(Course.title, TrainingSession.starts_at, Attendance.status)
            .join(TrainingSession, TrainingSession.id == Attendance.session_id)
            .join(Edition, Edition.id == TrainingSession.edition_id)
            .join(Course, Course.id == Edition.course_id)
            .where(Attendance.learner_id == user_id).order_by(TrainingSession.starts_at))
    ]
    data["modules_done"] = [
        {"course": course, "module": module, "completed_at": iso(done)}
        for course, module, done in db.session.execute(
            select(Course.title, Module.title, ModuleCompletion.completed_at)
            .join(Module, Module.id == ModuleCompletion.module_id)
            .join(Course, Course.id == Module.course_id)
            .where(ModuleCompletion.learner_id == user_id))
    ]
    answers: dict[int, list[dict]] = {}
    for attempt_id, question, choice in db.session.execute(
        select(Answer.attempt_id, Question.text, Choice.text)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(Question, Question.id == Answer.question_id)
        .join(Choice, Choice.id == Answer.choice_id)
        .where(Attempt.learner_id == user_id)
    ):
        answers.setdefault(attempt_id, []).append({"question": question, "answer": choice})
    data["quiz_attempts"] = [
        {"number": attempt.number, "started_at": iso(attempt.started_at),
         "submitted_at": iso(attempt.submitted_at), "score_pct": attempt.score_pct,
         "passed": attempt.passed, "answers": answers.get(attempt.id, [])}
        for attempt in db.session.scalars(
            select(Attempt).where(Attempt.learner_id == user_id).order_by(Attempt.started_at))
    ]
    data["certificates"] = [
        {"course": title, "status": certificate.status.value,
         "verification_code": certificate.verification_code,
         "issued_at": iso(certificate.issued_at), "revoked_at": iso(certificate.revoked_at),
         "valid_until": certificate.expires_on.isoformat() if certificate.expires_on else None,
         "expiry_reminded_at": iso(certificate.expiry_reminded_at)}
        for certificate, title in db.session.execute(
            select(Certificate, Course.title)
            .join(Edition, Edition.id == Certificate.edition_id)
            .join(Course, Course.id == Edition.course_id)
            .where(Certificate.learner_id == user_id))
    ]
    data["messages"] = [
        {"kind": kind, "subject": subject, "created_at": iso(created), "status": status.value}
        for kind, subject, created, status in db.session.execute(
            select(Notification.kind, Notification.subject, Notification.created_at,
                   Notification.status).where(Notification.user_id == user_id))
    ]
    # Only whether an evaluation was answered: the answers themselves are anonymous, kept
    # apart from the person (college.evaluation), so they are nobody's to export.
    data["evaluations"] = [
        {"course": title, "invited_at": iso(invited), "answered": answered}
        for title, invited, answered in db.session.execute(
            select(Course.title, EvaluationInvitation.invited_at, EvaluationInvitation.answered)
            .join(Enrolment, Enrolment.id == EvaluationInvitation.enrolment_id)
            .join(Edition, Edition.id == Enrolment.edition_id)
            .join(Course, Course.id == Edition.course_id)
            .where(Enrolment.learner_id == user_id))
    ]
    data["burden_measure"] = [
        {"course": title, "moment": moment.value, "score": score, "answers": answers,
         "consent": consent, "measured_at": iso(measured)}
        for title, moment, score, answers, consent, measured in db.session.execute(
            select(Course.title, BurdenMeasurement.moment, BurdenMeasurement.score,
                   BurdenMeasurement.answers, BurdenMeasurement.consent,
                   BurdenMeasurement.measured_at)
            .join(Enrolment, Enrolment.id == BurdenMeasurement.enrolment_id)
            .join(Edition, Edition.id == Enrolment.edition_id)
            .join(Course, Course.id == Edition.course_id)
            .where(Enrolment.learner_id == user_id).order_by(BurdenMeasurement.measured_at))
    ]
    data["who_viewed_my_data"] = [
        {"viewer": viewer, "page": context, "viewed_at": iso(when)}
        for viewer, context, when in access_log(user, limit=10_000)
    ]
    return data


def build_export(export_id: int) -> None:
    """Write the export's ZIP (data.json and the certificates' PDFs) to the file storage."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.status == ExportStatus.READY:
        return
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(user_data(export.user_id), indent=2,
                                                  ensure_ascii=False))
        for code, content in db.session.execute(
            select(Certificate.verification_code, StoredFile.content)
            .join(StoredFile, StoredFile.key == Certificate.storage_key)
            .where(Certificate.learner_id == export.user_id)
        ):
            archive.writestr(f"certificates/{code}.pdf", content)
    key = f"exports/{export.id}.zip"
    content = buffer.getvalue()
    db.session.merge(StoredFile(key=key, content_type="application/zip", size=len(content),
                                content=content))
    export.storage_key = key
    export.status = ExportStatus.READY
    export.ready_at = timeutil.now()
    db.session.flush()


def export_file(user: User, export_id: int) -> bytes:
    """The ZIP of one of the user's own, ready exports."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != user.id or export.status != ExportStatus.READY:
        raise NotAllowed(_("This download is not available."))
    return db.session.scalar(select(StoredFile.content).where(StoredFile.key == export.storage_key))


def exports_of(user: User) -> list[DataExport]:
    return list(db.session.scalars(
        select(DataExport).where(DataExport.user_id == user.id)
        .order_by(DataExport.created_at.desc())))


# ---------------------------------------------------------------------------- deletion


def anonymise(user: User) -> None:
    """Remove a learner's personal data; attendance counts and certificates' codes remain.

    Enrolments (with their seats), attendance and quiz attempts stay (anonymous) so the
    municipality's figures do not change; the answers to enrolment questions go. Every stored
    document that carries the person (their exports, their certificates' PDFs, the edition
    ZIPs bundling them) goes in the same unit of work;
    verification of an issued certificate then follows the organiser's choice
    (`Organiser.verify_anonymised_certificates`).
    """
    user.name = ANONYMOUS_NAME
    user.email = None
    user.email_confirmed_at = None
    user.pending_email = None
    user.note = None
    user.password_hash = None
    user.profession = None
    user.registration_number = None
    user.phone = None
    user.calendar_token = None
    user.consent_version = None
    user.consented_at = None
    user.anonymised_at = timeutil.now()
    user.session_version += 1
    db.session.execute(delete(RegistrationNumber).where(RegistrationNumber.user_id == user.id))
    export_keys = select(DataExport.storage_key).where(DataExport.user_id == user.id)
    db.session.execute(delete(StoredFile).where(StoredFile.key.in_(export_keys)))
    db.session.execute(delete(DataExport).where(DataExport.user_id == user.id))
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(PersonalDataAccess).where(PersonalDataAccess.learner_id == user.id))
    erase_burden_of(user.id)
    erase_answers_of(user.id)
    erase_documents_of(user.id)
    erase_residence(user.id)
    erase_respite_of(user.id)


def delete_own_account(user: User, password: str) -> None:
    """A learner deletes their own account, confirming with their password."""
    if user.memberships:
        raise NotAllowed(_("Trainers and coordinators cannot delete their own account here. "
                           "Ask a coordinator of your organiser."))
    if not verify_password(user.password_hash, password):
        raise Invalid(_("Your password is not correct."), field="password")
    anonymise(user)
    db.session.flush()


def check_may_delete_managed(actor: User, learner: User) -> None:
    """Only a coordinator of its organiser deletes a managed account (no email)."""
    if learner.managed_by_organiser_id is None or not is_coordinator(
        actor, learner.managed_by_organiser_id
    ):
        raise NotAllowed(_("You can only delete accounts without email of your own organiser."))


def delete_managed_account(actor: User, learner: User) -> None:
    """A coordinator deletes a managed account (no email) of their organiser."""
    check_may_delete_managed(actor, learner)
    anonymise(learner)
    db.session.flush()


# --------------------------------------------------------------------------- retention


def inactive_learners(years: int) -> list[User]:
    """Learners without activity (login, enrolment) for `years` years, not yet anonymised."""
    cutoff = timeutil.now() - timedelta(days=round(365.25 * years))
    latest_enrolment = (
        select(func.max(Enrolment.created_at)).where(Enrolment.learner_id == User.id)
        .scalar_subquery()
    )
    staff = select(Membership.user_id)
    return list(db.session.scalars(
        select(User)
        .where(
            User.anonymised_at.is_(None),
            User.id.not_in(staff),
            User.created_at < cutoff,
            func.coalesce(User.last_seen_at, User.created_at) < cutoff,
            func.coalesce(latest_enrolment, User.created_at) < cutoff,
        )
        .order_by(User.id)
    ))


def anonymise_inactive(years: int, dry_run: bool = True) -> list[User]:
    """Anonymise (or, in a dry run, only list) the learners inactive for `years` years."""
    users = inactive_learners(years)
    if not dry_run:
        for user in users:
            anonymise(user)
    db.session.flush()
    return users


def organiser_allows_anonymous_verification(organiser: Organiser) -> bool:
    return organiser.verify_anonymised_certificates
