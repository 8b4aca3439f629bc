"""Interactive API docs (Swagger UI), its files served from the swagger-ui-bundle package."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from college.api.errors import register_handlers

bp = Blueprint("api_docs_page", __name__, url_prefix="/api/v1/docs")
register_handlers(bp)

_OWN_FILES = Path(__file__).resolve().parent / "static"


@bp.get("")
def page():
    """The interactive documentation of the API."""
    return render_template("api/docs.html")


@bp.get("/assets/<path:filename>")
def asset(filename: str):
    """Swagger UI's scripts and styles, from the installed package (no CDN)."""
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)


@bp.get("/college-docs.js")
def start_script():
    """Starts Swagger UI on the document; a file, not inline, so a strict CSP can allow it."""
    return send_from_directory(_OWN_FILES, "docs.js", max_age=3600)
