"""A region's pages for its regional coordinators: their regions, the figures, CSV and PDF."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from college import policy, security
from college.accounts.forms import MultiCheckboxField
from college.addresses import public_url
from college.dashboards.services import organiser_to_report
from college.errors import Invalid, ServiceError
from college.exports import csv_response
from college.forms import attach_error
from college.regions import exports, publishing, residence, services
from college.regions.models import Region

bp = Blueprint("regions", __name__)


@bp.app_context_processor
def region_helpers():
    # The menu's "My regions": the roles come with the signed-in user, no query of their own.
    return {"is_regional_coordinator": policy.is_regional_coordinator}


@bp.context_processor
def figure_helpers():
    return exports.figure_helpers()


@bp.get("/regions")
@login_required
def index():
    """The regions the regional coordinator reads the figures of."""
    policy.require(policy.is_regional_coordinator(current_user))
    return render_template("regions/index.html", regions=services.regions_of(current_user))


def _report(region_id: int):
    return services.region_report(current_user, region_id, request.args.get("start"),
                                  request.args.get("end"))


@bp.get("/regions/<int:region_id>/figures")
@login_required
def figures(region_id: int):
    """The members' figures side by side and the region's total, for a period."""
    try:
        report = _report(region_id)
    except Invalid as error:
        return render_template(
            "regions/figures.html", region=services.region_to_report(current_user, region_id),
            r=None, error=error, start=request.args.get("start", ""),
            end=request.args.get("end", ""),
        ), error.status
    start, end = report.period.start.isoformat(), report.period.end.isoformat()
    return render_template(
        "regions/figures.html", region=report.region, r=report, error=None, start=start, end=end,
        csv=lambda name: url_for("regions.figures_csv", region_id=region_id, name=name,
                                 start=start, end=end),
    )


@bp.get("/regions/<int:region_id>/figures/<name>.csv")
@login_required
def figures_csv(region_id: int, name: str):
    """One table of the region's figures as CSV for the policy report."""
    if name not in services.TABLES:
        abort(404)
    try:
        report = _report(region_id)
    except Invalid as error:
        return make_response(error.message, error.status)
    return exports.figures_csv(report, name)


@bp.get("/regions/<int:region_id>/figures/report.pdf")
@login_required
def figures_pdf(region_id: int):
    """The region's figures as a PDF report."""
    try:
        report = _report(region_id)
    except Invalid as error:
        return make_response(error.message, error.status)
    return exports.figures_pdf(report)


class ResidenceForm(FlaskForm):
    """The municipality a learner lives in, chosen from the list, or none."""

    municipality_id = SelectField(_l("Municipality where you live"), validate_choice=False, description=_l(
        "Optional. It helps your municipality see whom its hub reaches; nobody sees it "
        "next to your name in the figures."))


@bp.route("/account/municipality", methods=["GET", "POST"])
@login_required
def my_municipality():
    """The learner gives, changes or removes the municipality they live in."""
    form = ResidenceForm()
    form.municipality_id.choices = [SelectChoice("", _("I'd rather not say"))] + [
        SelectChoice(str(m.id), m.label) for m in residence.municipalities()]
    if form.validate_on_submit():
        chosen = form.municipality_id.data or ""
        try:
            if chosen and not chosen.isdigit():
                raise Invalid(_("Choose your municipality from the list."), field="municipality_id")
            residence.set_residence(current_user, int(chosen) if chosen else None)
        except ServiceError as error:
            attach_error(form, error)
            return render_template("regions/my_municipality.html", form=form), error.status
        flash(_("Saved."), "success")
        return redirect(url_for("regions.my_municipality"))
    if not form.is_submitted():
        current = residence.residence_of(current_user)
        form.municipality_id.data = str(current.id) if current else ""
    return render_template("regions/my_municipality.html", form=form), (
        422 if form.is_submitted() else 200)


def _organiser_reach(organiser_id: int):
    return residence.organiser_reach(current_user, organiser_id, request.args.get("start"),
                                     request.args.get("end"))


def _region_reach(region_id: int):
    return residence.region_reach(current_user, region_id, request.args.get("start"),
                                  request.args.get("end"))


def _reach_page(load, owner_id: int, csv_endpoint: str, **ids):
    try:
        owner, period, rows = load(owner_id)
    except Invalid as error:
        return render_template("regions/reach.html", owner=None, rows=None, error=error,
                               start=request.args.get("start", ""),
                               end=request.args.get("end", "")), error.status
    start, end = period.start.isoformat(), period.end.isoformat()
    return render_template("regions/reach.html", owner=owner, rows=rows, error=None,
                           start=start, end=end,
                           csv_url=url_for(csv_endpoint, start=start, end=end, **ids))


def _reach_csv(load, owner_id: int):
    try:
        owner, period, rows = load(owner_id)
    except Invalid as error:
        return make_response(error.message, error.status)
    header, cells = residence.reach_table(rows)
    table = _("reach-per-municipality")
    return csv_response(f"{owner.slug}-{table}-{period.start}_{period.end}.csv", header, cells)


@bp.get("/organisers/<int:organiser_id>/reach-by-municipality")
@login_required
def organiser_reach(organiser_id: int):
    """An organiser's caregivers and professionals reached per municipality of residence."""
    return _reach_page(_organiser_reach, organiser_id, "regions.organiser_reach_csv",
                       organiser_id=organiser_id)


@bp.get("/organisers/<int:organiser_id>/reach-by-municipality.csv")
@login_required
def organiser_reach_csv(organiser_id: int):
    """The organiser's reach per municipality of residence as CSV."""
    return _reach_csv(_organiser_reach, organiser_id)


@bp.get("/regions/<int:region_id>/reach-by-municipality")
@login_required
def region_reach(region_id: int):
    """A region's caregivers and professionals reached per municipality of residence."""
    return _reach_page(_region_reach, region_id, "regions.region_reach_csv", region_id=region_id)


@bp.get("/regions/<int:region_id>/reach-by-municipality.csv")
@login_required
def region_reach_csv(region_id: int):
    """The region's reach per municipality of residence as CSV."""
    return _reach_csv(_region_reach, region_id)


class ServedForm(FlaskForm):
    """The municipalities an organiser serves, ticked from the list."""

    municipality_ids = MultiCheckboxField(_l("Municipalities you serve"), coerce=int,
                                          validate_choice=False)


@bp.route("/organisers/<int:organiser_id>/municipalities", methods=["GET", "POST"])
@login_required
def served_municipalities(organiser_id: int):
    """The organiser's coordinators tick the municipalities it serves."""
    organiser = organiser_to_report(current_user, organiser_id)
    form = ServedForm()
    form.municipality_ids.choices = [SelectChoice(m.id, m.label) for m in residence.municipalities()]
    if form.validate_on_submit():
        try:
            residence.set_served_municipalities(current_user, organiser.id,
                                                form.municipality_ids.data or [])
        except ServiceError as error:
            attach_error(form, error)
            return render_template("regions/served.html", form=form, organiser=organiser), error.status
        flash(_("Saved."), "success")
        return redirect(url_for("regions.served_municipalities", organiser_id=organiser.id))
    if not form.is_submitted():
        form.municipality_ids.data = [m.id for m in residence.served_by(organiser.id)]
    return render_template("regions/served.html", form=form, organiser=organiser), (
        422 if form.is_submitted() else 200)


def _listing(slug: str):
    return publishing.region_listing(Region.by_slug(slug), request.args.get("track"),
                                     request.args.get("place"), request.args.get("month"))


@bp.get("/regions/<slug>/trainings")
def trainings(slug: str):
    """A region's upcoming trainings, by municipality, track and month (public)."""
    try:
        listing = _listing(slug)
    except Invalid as error:
        return render_template("regions/trainings.html", listing=None, error=error,
                               region=Region.by_slug(slug) or abort(404)), 400
    return render_template("regions/trainings.html", listing=listing, error=None,
                           region=listing.region)


@bp.get("/regions/<slug>/trainings/embed")
def trainings_embed(slug: str):
    """The same list without scripts or menus, for a municipality's website to frame; the only
    page any site may frame."""
    try:
        listing = _listing(slug)
    except Invalid as error:
        return make_response(error.message, 400)
    response = make_response(render_template("regions/embed.html", listing=listing))
    csp = security.content_security_policy(current_app, request.path)
    response.headers["Content-Security-Policy"] = csp.replace("frame-ancestors 'none'",
                                                              "frame-ancestors *")
    security.allow_framing(response)
    return response


@bp.get("/regions/<slug>/trainings.json")
def trainings_feed(slug: str):
    """The region's upcoming trainings as JSON, for a website that lists them itself."""
    try:
        listing = _listing(slug)
    except Invalid as error:
        return {"error": error.message}, 400
    return publishing.feed(listing, course_link)


def course_link(course_id: int) -> str:
    """The public address of a course page, as the feeds give it."""
    return public_url("catalogue.course", course_id=course_id)


class RegionMunicipalitiesForm(FlaskForm):
    """The municipalities a region serves, ticked from the list; each with a population
    (inputs "population-<municipality id>", read with the ticks)."""

    municipality_ids = MultiCheckboxField(_l("Municipalities the region serves"), coerce=int,
                                          validate_choice=False)
    #: Inputs named after a municipality's id: its population (`population-12`).
    id_keyed_inputs = ("population-",)

    def typed_populations(self) -> dict[int, str]:
        """What was typed as the population of every municipality of the list, by id."""
        return {choice.value: request.form.get(f"population-{choice.value}", "")
                for choice in self.municipality_ids.choices}


@bp.route("/regions/<int:region_id>/municipalities", methods=["GET", "POST"])
@login_required
def region_municipalities(region_id: int):
    """The regional coordinators tick the municipalities the region serves, with populations."""
    region = services.region_to_report(current_user, region_id)
    form = RegionMunicipalitiesForm()
    places = residence.municipalities()
    form.municipality_ids.choices = [SelectChoice(m.id, m.label) for m in places]
    kept = {served.municipality_id: served.population
            for served in residence.region_municipalities(region.id)}
    populations = (form.typed_populations() if form.is_submitted() else
                   {m.id: "" if kept.get(m.id) is None else str(kept[m.id]) for m in places})

    def page(status: int):
        return render_template("regions/region_municipalities.html", form=form, region=region,
                               places=places, populations=populations), status

    if form.validate_on_submit():
        try:
            residence.set_region_municipalities(
                current_user, region.id,
                {mid: populations.get(mid, "") for mid in form.municipality_ids.data or []})
        except ServiceError as error:
            attach_error(form, error)
            return page(error.status)
        flash(_("Saved."), "success")
        return redirect(url_for("regions.region_municipalities", region_id=region.id))
    if not form.is_submitted():
        form.municipality_ids.data = list(kept)
    return page(422 if form.is_submitted() else 200)
