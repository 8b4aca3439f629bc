"""The catalogue per track, a course's page, and the calendar feeds."""

from __future__ import annotations

from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from college.addresses import public_url
from college.catalogue import calendar, queries
from college.catalogue.models import Track
from college.main.views import render_error
from college.pagecache import cached_for_visitors
from college.policy import can_manage_course

bp = Blueprint("catalogue", __name__)


@bp.app_template_filter("catalogue_number")
def catalogue_number(value: float | None) -> str:
    """Hours and points the way the reader writes numbers: "2,5" in Dutch, "2.5" in English."""
    return "" if value is None else format_decimal(value, "#,##0.#")


def _int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


def _month_arg() -> date | None:
    try:
        return datetime.strptime(request.args.get("month", ""), "%Y-%m").date()
    except ValueError:
        return None


def _track_arg() -> Track:
    try:
        return Track(request.args.get("track", ""))
    except ValueError:
        return queries.track_for(current_user)


@bp.get("/courses")
@bp.get("/opleidingen")
@cached_for_visitors("track", "organiser", "municipality", "place", "month", "q", "page")
def index():
    """The catalogue of one track, with filters and a search that ignores case and accents."""
    # Filters a visitor mistyped are ignored rather than refused: it is a search page.
    filters = queries.CatalogueFilter(
        track=_track_arg(),
        organiser_id=_int_arg("organiser"),
        municipality=request.args.get("municipality", "").strip(),
        place=request.args.get("place", "").strip(),
        month=_month_arg(),
        words=request.args.get("q", "").strip()[:200],
    )
    organisers = queries.catalogue_organisers(filters.track)
    found = queries.catalogue(filters, page=_int_arg("page") or 1)
    return render_template(
        "catalogue/index.html",
        filters=filters,
        found=found,
        courses=found.courses,
        organisers=organisers,
        municipalities=sorted({o.municipality for o in organisers if o.municipality}),
        places=queries.catalogue_places(filters.track),
        months=queries.coming_months(),
        Track=Track,
    )


@bp.get("/courses/<int:course_id>")
@cached_for_visitors()
def course(course_id: int):
    """A course with its upcoming editions and their sessions."""
    found = queries.course_page(course_id, current_user)
    return render_template(
        "catalogue/course.html",
        course=found,
        can_manage=can_manage_course(current_user, found),
        co_organisers=[partner.organiser for partner in found.co_organisers],
        Track=Track,
        contact_organiser=found.organiser,
    )


def _ics(filename: str, name: str, uid: str, sessions, with_online_links: bool = False) -> Response:
    body = calendar.render_calendar(name, uid, sessions, with_online_links)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/editions/<int:edition_id>.ics")
def edition_ics(edition_id: int):
    """The sessions of one edition, to add to a calendar."""
    edition = queries.visible_edition(edition_id, current_user)
    course = edition.course
    return _ics(
        f"edition-{edition.id}.ics",
        _("%(course)s, %(place)s", course=course.title, place=edition.place),
        calendar.stable_uid("edition", edition.id),
        calendar.edition_sessions(edition.id),
    )


@bp.get("/organisers/<slug>/sessions.ics")
def organiser_ics(slug: str):
    """Every upcoming session of an organiser's published courses, for its website's calendar."""
    organiser = calendar.organiser_by_slug(slug)
    if organiser is None:
        abort(404)
    return _ics(
        f"{organiser.slug}.ics",
        _("Trainings of %(organiser)s", organiser=organiser.name),
        calendar.stable_uid("organiser", organiser.slug),
        calendar.organiser_sessions(organiser.id),
    )


@bp.get("/calendar/<token>.ics")
def learner_ics(token: str):
    """A learner's private feed of the sessions they hold a seat in."""
    learner = calendar.learner_by_calendar_token(token)
    if learner is None:
        return render_error(
            404,
            _("This calendar address does not work (any more). Make a new one on your "
              "account's calendar page."),
        )
    response = _ics(
        "my-trainings.ics",
        _("My trainings (Caregivers College)"),
        calendar.stable_uid("learner", learner.id),
        calendar.learner_sessions(learner.id),
        with_online_links=True,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _feed_url(token: str | None) -> str | None:
    if not token:
        return None
    return public_url("catalogue.learner_ics", token=token)


@bp.get("/account/calendar")
@login_required
def account_calendar():
    """The learner's private calendar address, to subscribe, renew or switch off."""
    feed_url = _feed_url(current_user.calendar_token)
    webcal_url = "webcal://" + feed_url.split("://", 1)[1] if feed_url else None
    return render_template(
        "catalogue/account_calendar.html", feed_url=feed_url, webcal_url=webcal_url,
        form=FlaskForm(),
    )


@bp.post("/account/calendar/renew")
@login_required
def renew_calendar():
    """Make a new private calendar address; the old one stops working."""
    calendar.renew_calendar_token(current_user)
    flash(_("Your calendar address is ready. An older address no longer works."), "success")
    return redirect(url_for("catalogue.account_calendar"))


@bp.post("/account/calendar/revoke")
@login_required
def revoke_calendar():
    """Switch the private calendar address off."""
    calendar.revoke_calendar_token(current_user)
    flash(_("Your calendar address is switched off."), "success")
    return redirect(url_for("catalogue.account_calendar"))


