"""RQ jobs of accounts: the password reset mail."""

from __future__ import annotations

import logging
import smtplib

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from college.accounts.models import User
from college.accounts.reset import RESET_LINK_SECONDS, make_reset_token
from college.enrolment.tasks import _send_mail
from college.extensions import db

log = logging.getLogger(__name__)


def send_password_reset(user_id: int) -> str:
    """Mail a user a reset link (SMTP, or the log without MAIL_SERVER); the token is made here."""
    app = current_app._get_current_object()
    with app.app_context():
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or not user.email:
            return "skipped"
        link = f"{app.config['PUBLIC_BASE_URL']}/password/reset/{make_reset_token(user)}"
        with force_locale(user.language.value):
            subject = _("Choose a new password")
            body = _(
                "Hello %(name)s,\n\nSomeone (hopefully you) asked to choose a new password for "
                "the Caregivers College. Open this link within %(minutes)d minutes:\n\n%(link)s\n\n"
                "The link works once. Did you not ask for it? Then ignore this mail: your "
                "password stays the same.",
                name=user.name, minutes=RESET_LINK_SECONDS // 60, link=link,
            )
        if not app.config.get("MAIL_SERVER"):
            log.info("mail (no MAIL_SERVER) password reset to %s: %s\n%s", user.email, subject, body)
            return "logged"
        try:
            _send_mail(app.config, user.email, subject, body)
        except (OSError, smtplib.SMTPException) as error:
            log.warning("sending the password reset to user %s failed: %s", user.id, error)
            raise
        return "sent"
