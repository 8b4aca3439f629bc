"""Learning: self-paced modules and quizzes."""

from flask import Blueprint

bp = Blueprint("learning", __name__)

from college.learning import views  # noqa: E402,F401
