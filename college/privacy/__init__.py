"""Privacy (GDPR): a learner's data export, deletion, retention, and the access log."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from college.privacy import views  # noqa: E402,F401
