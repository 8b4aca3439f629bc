"""The front page, the language switch and the error pages."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from college.main import views  # noqa: E402,F401
