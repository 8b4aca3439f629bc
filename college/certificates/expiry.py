"""Certificates that expire (a first-aid refresher every three years): a course's validity in
months, each certificate's last valid day, and the one reminder its learner gets before it.

A certificate's last valid day is fixed when it is made: its course's validity counted from the
edition's last day. Changing the validity later changes only the certificates made after that.
The periodic job reminds each learner once, `CERTIFICATE_EXPIRY_REMINDER_DAYS` (60) days before,
by mail or on the organiser's "To phone" list for learners without email (the outbox decides).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from college import timeutil
from college.accounts.models import User
from college.addresses import public_base_url
from college.catalogue.models import Course, Edition
from college.certificates.models import Certificate, CertificateStatus
from college.enrolment.notifications import write_notification
from college.errors import Invalid
from college.extensions import db
from college.templating import format_day

#: The longest validity a course may give (ten years); longer is a typing error.
MAX_VALIDITY_MONTHS = 120
DEFAULT_REMINDER_DAYS = 60
REMINDER_KIND = "certificate_expiry"


def parse_validity_months(value, field: str = "certificate_validity_months") -> int | None:
    """Months of validity as a course takes them: empty is "does not expire"; else 1 to 120."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise Invalid(_("Enter the number of months, or leave it empty."), field=field)
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise Invalid(_("Enter the number of months, or leave it empty."), field=field) from error
    if number != number or number != int(number):  # NaN, or a fraction of a month
        raise Invalid(_("Enter a whole number of months, like 36."), field=field)
    if not 1 <= number <= MAX_VALIDITY_MONTHS:
        raise Invalid(_("A certificate stays valid for 1 to %(maximum)s months; leave the field "
                        "empty when it does not expire.", maximum=MAX_VALIDITY_MONTHS), field=field)
    return int(number)


def add_months(day: date, months: int) -> date:
    """The same day so many months later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for_edition(edition_id: int) -> date | None:
    """The last valid day of a certificate made now for this edition; None if it does not expire."""
    row = db.session.execute(
        select(Edition.ends_on, Course.certificate_validity_months)
        .join(Course, Course.id == Edition.course_id)
        .where(Edition.id == edition_id)
    ).first()
    if row is None or row.certificate_validity_months is None:
        return None
    return add_months(row.ends_on, row.certificate_validity_months)


def reminder_days() -> int:
    """Days before the last valid day that the learner is reminded."""
    return int(current_app.config.get("CERTIFICATE_EXPIRY_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


@dataclass(frozen=True)
class Validity:
    """How a certificate that expires stands on a day (Belgian calendar)."""

    last_valid_day: date
    expired: bool
    #: Days from the day to the last valid day: 0 on it, negative once expired.
    days_left: int
    #: Not expired yet, but within the reminder days (the learner is reminded then).
    expires_soon: bool


def validity(certificate: Certificate, today: date | None = None) -> Validity | None:
    """The certificate's last valid day and whether it expired or expires soon; None if it
    does not expire."""
    if certificate.expires_on is None:
        return None
    today = today or timeutil.today()
    expired = certificate.expired(today)
    days_left = (certificate.expires_on - today).days
    return Validity(certificate.expires_on, expired, days_left,
                    not expired and days_left <= reminder_days())


def validity_text(found: Validity) -> str:
    """How the validity reads on the learning record and in its downloads."""
    day = format_day(found.last_valid_day, "d MMMM y")
    if found.expired:
        return _("Expired: it was valid until %(date)s", date=day)
    if found.expires_soon:
        if found.days_left == 0:
            return _("Valid until %(date)s: expires today", date=day)
        return ngettext("Valid until %(date)s: expires in %(num)d day",
                        "Valid until %(date)s: expires in %(num)d days", found.days_left, date=day)
    return _("Valid until %(date)s", date=day)


def _reminder_texts(learner: User, certificate: Certificate) -> tuple[str, str]:
    course = certificate.edition.course
    with force_locale(learner.language.value):
        subject = _("Your certificate for %(course)s expires on %(date)s",
                    course=course.title, date=format_date(certificate.expires_on, "d MMMM y"))
        body = _(
            "Dear %(name)s,\n\nYour certificate for \"%(course)s\" is valid until %(date)s. "
            "To keep it valid, follow the course again before then; %(organiser)s will gladly "
            "tell you when it is given next.\n\nYour certificates: %(link)s\n\nCaregivers College",
            name=learner.name, course=course.title, organiser=course.organiser.name,
            date=format_date(certificate.expires_on, "d MMMM y"),
            link=f"{public_base_url()}/certificates",
        )
    return subject, body


def remind_before_expiry(today: date | None = None) -> int:
    """Remind learners whose issued certificate expires within the reminder days; returns how many.

    Each certificate once; learners whose data was erased are not written to.
    """
    today = today or timeutil.today()
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.status == CertificateStatus.ISSUED,
               Certificate.expires_on.is_not(None),
               Certificate.expires_on >= today,
               Certificate.expires_on <= today + timedelta(days=reminder_days()),
               Certificate.expiry_reminded_at.is_(None))
        .options(selectinload(Certificate.learner),
                 selectinload(Certificate.edition).selectinload(Edition.course)
                 .selectinload(Course.organiser))
        .order_by(Certificate.id)
    ).all()
    moment = timeutil.now()
    for certificate in certificates:
        certificate.expiry_reminded_at = moment
        learner = certificate.learner
        if learner.anonymised_at is None:
            write_notification(
                REMINDER_KIND, learner=learner, course=certificate.edition.course,
                edition=certificate.edition, dedupe_key=f"{REMINDER_KIND}:{certificate.id}",
                texts=_reminder_texts(learner, certificate))
    db.session.flush()
    return len(certificates)
