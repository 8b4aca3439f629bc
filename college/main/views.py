"""Front page, language switch and error pages."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError

from college.accounts.models import Language
from college.accounts.services import set_language
from college.errors import ServiceError
from college.extensions import db, login_manager
from college.forms import safe_next
from college.kept_forms import keep_posted_form
from college.main import health

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """The front page: what the College is, and the way to each track."""
    return render_template("main/index.html")


@bp.get("/help")
def help_page():
    """Plain answers to the questions people ask: enrolling someone else, not coming, the attest."""
    return render_template("main/help.html")


@bp.get("/language/<code>")
def switch_language(code: str):
    """Switch the interface language and go back where the user was."""
    if code not in current_app.config["LANGUAGES"]:
        return render_error(404, _("This language is not available."))
    session["language"] = code
    if current_user.is_authenticated:
        set_language(current_user, Language(code))
    return redirect(safe_next())


@bp.get("/health/live")
def liveness():
    """Liveness: the process answers (restart it when it does not)."""
    return {"status": "ok"}


@bp.get("/health")
@bp.get("/health/ready")
def readiness():
    """Readiness: the database and Redis answer; 503 (send no traffic here) when one does not."""
    checks = health.readiness()
    ready = all(state == "ok" for state in checks.values())
    return {"status": "ok" if ready else "unavailable", **checks}, 200 if ready else 503


def add_bench_floor(app) -> None:
    """The benchmarks' floor: a route that returns a string (only when BENCH_FLOOR_ROUTE is set)."""
    app.add_url_rule("/_bench/floor", "bench_floor", lambda: "ok")


def render_error(status: int, message: str | None = None):
    """A friendly error page in the user's language, without internals."""
    return render_template("errors/error.html", status=status, message=message), status


@bp.app_errorhandler(ServiceError)
def refusal(error: ServiceError):
    """A service's refusal that no form shows next to a field: its message, with its status.

    The request's unit of work is rolled back (`transactions.finish_request`), so the refused
    change changes nothing.
    """
    page, status = render_error(error.status, error.message)
    return page, status, error.headers


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    """A form sent after its session ended: what was typed is kept for after logging in again."""
    back = keep_posted_form()
    if back is None:
        return render_error(
            400, _("This form has expired or was sent twice. Go back, reload the page and try again.")
        )
    flash(_("This page was open for too long, so the form could not be sent. What you typed is "
            "kept: check it and send it again."), "info")
    return redirect(back), 303


@bp.app_errorhandler(400)
def bad_request(error):
    return render_error(400)


@bp.app_errorhandler(403)
def forbidden(error):
    return render_error(403)


@bp.app_errorhandler(404)
def not_found(error):
    return render_error(404)


@bp.app_errorhandler(405)
def method_not_allowed(error):
    return render_error(405)


@bp.app_errorhandler(413)
def too_large(error):
    return render_error(413)


@bp.app_errorhandler(429)
def too_many_requests(error):
    return render_error(429, _("Too many attempts in a short time. Wait a few minutes and try again."))


@bp.app_errorhandler(500)
def server_error(error):
    """Roll back what the request wrote, and answer with the friendly page, even without a database."""


    db.session.rollback()
    try:
        return render_error(500)
    except SQLAlchemyError:
        # The database cannot even load the user for the menu: show the page as to a visitor,
        # in the language of the browser.
        db.session.rollback()
        g._login_user = login_manager.anonymous_user()
        return render_error(500)
