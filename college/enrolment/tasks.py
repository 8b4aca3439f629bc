"""RQ jobs of the enrolment feature: sending the outbox, the periodic reminders, and ending
waiting-list offers whose time is up."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage

from flask import Flask, current_app
from sqlalchemy import select, update

from college import mailbox, timeutil
from college.accounts.models import User
from college.enrolment import offers
from college.enrolment.models import Notification, NotificationStatus
from college.enrolment.services import write_reminders
from college.extensions import db
from college.jobs import enqueue
from college.transactions import unit_of_work

log = logging.getLogger(__name__)

#: After this many failed attempts a notification is marked failed and left alone.
MAX_ATTEMPTS = 3
#: The job id of the periodic reminder run, so the worker schedules it only once.


def _app() -> Flask:
    return current_app._get_current_object()


def _send_mail(config: dict, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def send_notification(notification_id: int) -> str:
    """Send one outbox row by SMTP (or log it without MAIL_SERVER); never sends it twice."""
    app = _app()
    # A fresh context: the work horse must not reuse the session of the process it forked from.
    with app.app_context():
        row = db.session.execute(
            select(Notification, User.email)
            .join(User, User.id == Notification.user_id)
            .where(Notification.id == notification_id)
        ).first()
        if row is None or row[0].status != NotificationStatus.PENDING:
            return "skipped"
        notification, email = row
        # Claim the row: of two workers holding the same job, one wins.
        claimed = db.session.execute(
            update(Notification)
            .where(Notification.id == notification.id,
                   Notification.status == NotificationStatus.PENDING,
                   Notification.attempts == notification.attempts)
            .values(attempts=Notification.attempts + 1)
            .returning(Notification.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        db.session.commit()
        if claimed is None:
            return "skipped"
        notification = db.session.get(Notification, notification_id)
        if email:
            mailbox.keep(email, notification.subject, notification.body)
        if not email:
            notification.status = NotificationStatus.TO_PHONE
        elif not app.config.get("MAIL_SERVER"):
            log.info("mail (no MAIL_SERVER) notification %s to %s: %s\n%s",
                     notification.id, email, notification.subject, notification.body)
            notification.status = NotificationStatus.LOGGED
            notification.sent_at = timeutil.now()
        else:
            try:
                _send_mail(app.config, email, notification.subject, notification.body)
            except (OSError, smtplib.SMTPException) as error:
                log.warning("sending notification %s failed: %s", notification.id, error)
                notification.error = str(error)[:1000]
                if notification.attempts >= MAX_ATTEMPTS:
                    notification.status = NotificationStatus.FAILED
                db.session.commit()
                raise
            notification.status = NotificationStatus.SENT
            notification.sent_at = timeutil.now()
            notification.error = None
        db.session.commit()
        return notification.status.value


def queue_pending_notifications() -> int:
    """Queue every pending outbox row (after Redis was down, or a failed attempt)."""

    ids = list(
        db.session.scalars(
            select(Notification.id).where(Notification.status == NotificationStatus.PENDING)
        )
    )
    for notification_id in ids:
        enqueue("mail", "college.enrolment.tasks.send_notification", notification_id)
    return len(ids)


def periodic_notices(what: str, write: Callable[[], int]) -> int:
    """A periodic job that writes notices: `write()` in one unit of work, then every pending
    notification queued. A failed run is logged and returns 0: it must not end the repetition,
    and the next run does what this one did not."""
    try:
        with unit_of_work():
            written = write()
        queue_pending_notifications()
    except Exception:
        log.exception("%s failed", what)
        return 0
    log.info("%s: %s", what, written)
    return written


def write_and_queue_reminders() -> tuple[int, int]:
    """Write the reminders due and commit them, then queue every pending notification."""

    with unit_of_work():
        written = write_reminders()
    return written, queue_pending_notifications()


def send_reminders() -> int:
    """The periodic job: write reminders for sessions in about two days and queue them."""
    with _app().app_context():
        try:
            written, _queued = write_and_queue_reminders()
        except Exception:  # a failed run must not end the repetition; the next run retries
            log.exception("writing reminders failed")
            return 0
    log.info("reminders written: %s", written)
    return written


def expire_offers() -> int:
    """The periodic job: end the waiting-list offers past their deadline, offer the seats on."""
    with _app().app_context():
        try:
            with unit_of_work():
                expired = offers.expire_offers()
        except Exception:  # a failed run must not end the repetition; the next run retries
            log.exception("expiring waiting-list offers failed")
            return 0
    log.info("waiting-list offers expired: %s", expired)
    return expired
