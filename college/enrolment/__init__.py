"""Enrolment: seats, the waiting list, enrolment on someone's behalf and notifications."""

from flask import Blueprint

bp = Blueprint("enrolment", __name__)

from college.enrolment import views  # noqa: E402,F401
