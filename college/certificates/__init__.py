"""Certificates: queued PDF rendering, storage, verification."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from college.certificates import receivers, views  # noqa: E402,F401
