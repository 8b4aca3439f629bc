"""Dashboards: the figures trainers and coordinators need, computed in SQL."""

from flask import Blueprint

bp = Blueprint("dashboards", __name__)

from college.dashboards import views  # noqa: E402,F401
