"""The installation's privacy notice: its facts (from the configuration) and its version.

One notice per installation. Its version is configured (PRIVACY_NOTICE_VERSION): a new version
asks everyone who logs in to agree again, and each account records the version it agreed to.
It imports no other feature, so accounts and the API can use it.
"""

from __future__ import annotations

from flask import current_app
from flask_login import AnonymousUserMixin

from college import timeutil
from college.accounts.models import User
from college.extensions import db


def current_version() -> str:
    """The version of the notice people agree to now."""
    return current_app.config["PRIVACY_NOTICE_VERSION"]


def facts() -> dict:
    """Who is responsible, whom to ask, and how long data is kept, as configured."""
    config = current_app.config
    return {
        "version": current_version(),
        "controller_name": config["PRIVACY_CONTROLLER_NAME"],
        "controller_address": config["PRIVACY_CONTROLLER_ADDRESS"],
        "contact_email": config["PRIVACY_CONTACT_EMAIL"],
        "dpo_name": config["PRIVACY_DPO_NAME"],
        "dpo_email": config["PRIVACY_DPO_EMAIL"],
        "dpo_phone": config["PRIVACY_DPO_PHONE"],
        "retention_years": config["RETENTION_YEARS"],
    }


def needs_consent(user: User | AnonymousUserMixin | None) -> bool:
    """Must this logged-in person agree to the current notice before going on?"""
    return (user is not None and user.is_authenticated and user.email is not None
            and user.consent_version != current_version())


def record_consent(user: User) -> None:
    """The person agreed to the current version of the notice."""
    user.consent_version = current_version()
    user.consented_at = timeutil.now()
    db.session.flush()
