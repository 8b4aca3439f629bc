"""RQ jobs of accounts: the mails about an account itself (reset, confirmation, warnings).

They go to an address even before it is confirmed: they are about the account, and the
confirmation link is what confirms it. Every other mail waits in the outbox until then.
Each job makes its own link (tokens never sit in Redis) in the person's language.
"""

from __future__ import annotations

import logging
import smtplib

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from college import mailbox
from college.accounts.confirmation import (
    CONFIRM_LINK_SECONDS,
    address_to_confirm,
    make_confirmation_token,
)
from college.accounts.models import User
from college.accounts.reset import RESET_LINK_SECONDS, make_reset_token
from college.accounts.services import active_user_by_email
from college.addresses import public_base_url
from college.enrolment.tasks import _send_mail
from college.extensions import db

log = logging.getLogger(__name__)


def _deliver(app: Flask, to: str, subject: str, body: str, what: str) -> str:
    """Send by SMTP, or write to the log without MAIL_SERVER; returns "sent" or "logged"."""
    mailbox.keep(to, subject, body)
    if not app.config.get("MAIL_SERVER"):
        log.info("mail (no MAIL_SERVER) %s to %s: %s\n%s", what, to, subject, body)
        return "logged"
    try:
        _send_mail(app.config, to, subject, body)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("sending the %s failed: %s", what, error)
        raise
    return "sent"


def send_password_reset(email: str) -> str:
    """Mail a reset link when the address as typed belongs to an account; nothing otherwise.

    The request only queued this job, whatever the address: it answers the same, in the same
    time, for known and unknown addresses.
    """
    app = current_app._get_current_object()
    with app.app_context():
        user = active_user_by_email(email)
        if user is None or not user.email:
            log.info("password reset asked for an unknown or inactive account")
            return "no account"
        log.info("password reset asked for user %s", user.id)
        link = f"{public_base_url()}/password/reset/{make_reset_token(user)}"
        with force_locale(user.language.value):
            subject = _("Choose a new password")
            body = _(
                "Hello %(name)s,\n\nSomeone (hopefully you) asked to choose a new password for "
                "the Caregivers College. Open this link within %(minutes)d minutes:\n\n%(link)s\n\n"
                "The link works once. Did you not ask for it? Then ignore this mail: your "
                "password stays the same.",
                name=user.name, minutes=RESET_LINK_SECONDS // 60, link=link,
            )
        return _deliver(app, user.email, subject, body, "password reset")


def send_address_confirmation(user_id: int) -> str:
    """Mail the link that confirms the address waiting for it (a first or a new address)."""
    app = current_app._get_current_object()
    with app.app_context():
        user = db.session.get(User, user_id)
        address = address_to_confirm(user) if user is not None and user.is_active else None
        if address is None:
            return "skipped"
        link = (f"{public_base_url()}/account/confirm/"
                f"{make_confirmation_token(user, address)}")
        days = CONFIRM_LINK_SECONDS // (24 * 3600)
        with force_locale(user.language.value):
            if address == user.pending_email:
                subject = _("Confirm your new email address")
                body = _(
                    "Hello %(name)s,\n\nYou asked to use this email address for the Caregivers "
                    "College. Open this link within %(days)d days to confirm it:\n\n%(link)s\n\n"
                    "Until then your old address stays in use. Did you not ask for this? Then "
                    "ignore this mail: nothing changes.",
                    name=user.name, days=days, link=link,
                )
            else:
                subject = _("Confirm your email address")
                body = _(
                    "Hello %(name)s,\n\nWelcome to the Caregivers College. To finish your "
                    "registration, confirm that this is your email address: open this link "
                    "within %(days)d days:\n\n%(link)s\n\nUntil you do, the College sends you "
                    "no other mail. Did you not register? Then ignore this mail.",
                    name=user.name, days=days, link=link,
                )
        return _deliver(app, address, subject, body, "address confirmation")


def send_registration_attempt(user_id: int) -> str:
    """Tell an address's owner that someone tried to use it for another account."""
    app = current_app._get_current_object()
    with app.app_context():
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or not user.email:
            return "skipped"
        base = public_base_url()
        with force_locale(user.language.value):
            subject = _("Someone tried to register with your email address")
            body = _(
                "Hello %(name)s,\n\nSomeone tried to use this email address for another account at "
                "the Caregivers College. You already have an account with it, so nothing was "
                "created and nothing changed.\n\nWas it you? Then log in: %(login)s\n"
                "Forgot your password? Choose a new one: %(forgot)s\n\nWas it not you? Then you "
                "do not need to do anything.",
                name=user.name, login=f"{base}/login", forgot=f"{base}/password/forgot",
            )
        return _deliver(app, user.email, subject, body, "registration attempt")


def send_address_change_notice(user_id: int) -> str:
    """Tell the current address that a new address was asked for the account."""
    app = current_app._get_current_object()
    with app.app_context():
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or not user.email or not user.pending_email:
            return "skipped"
        base = public_base_url()
        with force_locale(user.language.value):
            subject = _("Your email address is being changed")
            body = _(
                "Hello %(name)s,\n\nSomeone asked to use another email address for your account "
                "at the Caregivers College. The new address is used only once it is confirmed "
                "with the link we sent there; until then this address stays.\n\nWas it not "
                "you? Log in at %(login)s, choose a new password under \"My account\", and ask "
                "your Caregivers Hub for help.",
                name=user.name, login=f"{base}/login",
            )
        return _deliver(app, user.email, subject, body, "address change notice")
