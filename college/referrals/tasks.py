"""RQ jobs of referrals: telling the referrer that the hub took their referral up."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from college import timeutil
from college.accounts.models import Organiser, User
from college.accounts.tasks import _deliver
from college.extensions import db
from college.referrals.models import Referral


def tell_referrer(referral_id: int) -> str:
    """Mail the referrer that the hub took the referral up: that, and nothing more (not what
    happened, not the caregiver's name)."""
    app = current_app._get_current_object()
    referral = db.session.get(Referral, referral_id)
    if referral is None or not referral.referrer_email:
        return "nobody to tell"
    organiser = db.session.get(Organiser, referral.organiser_id)
    referrer = db.session.get(User, referral.referred_by_id) if referral.referred_by_id else None
    language = referrer.language.value if referrer else "nl"
    with force_locale(language):
        subject = _("Your referral was taken up")
        body = _(
            "Hello,\n\n%(organiser)s took up the referral you made on %(day)s. Thank you for "
            "pointing the caregiver to the hub.\n\nThe Caregivers College",
            organiser=organiser.name,
            day=timeutil.local(referral.created_at).strftime("%d/%m/%Y"),
        )
    return _deliver(app, referral.referrer_email, subject, body, "referral taken up")
