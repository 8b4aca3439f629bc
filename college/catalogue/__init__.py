"""Catalogue: courses per track, editions and sessions, their management and calendar feeds."""

from flask import Blueprint

bp = Blueprint("catalogue", __name__)

from college.catalogue import views  # noqa: E402,F401
