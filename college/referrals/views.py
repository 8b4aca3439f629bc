"""Referral pages: the hub's public referral form, the hub's outcome, the referrer's list,
and the referral figures of an organiser and a region."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from college import policy
from college.accounts.models import Organiser
from college.errors import Invalid, ServiceError
from college.exports import csv_response
from college.forms import attach_error
from college.referrals import services
from college.referrals.forms import OutcomeForm, ReferralForm
from college.referrals.models import NEEDS, OUTCOME_LABELS, SOURCE_LABELS, Referral
from college.security import limit_guesses

bp = Blueprint("referrals", __name__)


@bp.app_context_processor
def referral_helpers():
    return {
        "can_refer_caregivers": policy.can_refer_caregivers,
        "outcome_form_for": _outcome_form,
        "source_label": lambda source: str(SOURCE_LABELS[source]),
        "need_label": lambda key: str(NEEDS[key]),
    }


def _outcome_form(referral: Referral) -> OutcomeForm:
    form = OutcomeForm(formdata=None)
    form.enrolment_id.choices = [SelectChoice("", "–")] + [
        SelectChoice(str(enrolment.id), f"{name}: {title}")
        for enrolment, name, title in services.enrolments_to_link(referral)]
    return form


def _organiser_by_slug(slug: str) -> Organiser:
    return Organiser.by_slug(slug) or abort(404)


@bp.route("/organisers/<slug>/refer", methods=["GET", "POST"])
@limit_guesses("refer")
def refer(slug: str):
    """Refer a caregiver to the hub: public (the hub links to it), or as a logged-in professional."""
    organiser = _organiser_by_slug(slug)
    form = ReferralForm()
    as_referrer = policy.can_refer_caregivers(current_user)
    if form.validate_on_submit():
        try:
            form.create_once(Referral, lambda: services.refer_caregiver(
                organiser_id=organiser.id, referrer=current_user if as_referrer else None,
                caregiver_name=form.caregiver_name.data, phone=form.phone.data,
                email=form.email.data, needs=form.needs.data or [], source=form.source.data,
                consent=bool(form.consent.data),
                referrer_email=None if as_referrer else form.referrer_email.data))
        except ServiceError as error:
            attach_error(form, error)
            return render_template("referrals/refer.html", form=form, organiser=organiser,
                                   as_referrer=as_referrer), error.status
        return redirect(url_for("referrals.thanks", slug=organiser.slug), 303)
    return render_template("referrals/refer.html", form=form, organiser=organiser,
                           as_referrer=as_referrer), (422 if form.is_submitted() else 200)


@bp.get("/organisers/<slug>/refer/thanks")
def thanks(slug: str):
    """The referral arrived."""
    return render_template("referrals/thanks.html", organiser=_organiser_by_slug(slug))


@bp.post("/referrals/<int:referral_id>/outcome")
@login_required
def outcome(referral_id: int):
    """The hub records what happened with a referral (from its "To phone" page)."""
    form = OutcomeForm()
    if not form.validate_on_submit():
        abort(400)
    # A refusal (ServiceError) is the app's error page with its message and status.
    chosen = form.enrolment_id.data or ""
    if chosen and not chosen.isdigit():
        raise Invalid(_("Choose the enrolment the caregiver got."), field="enrolment_id")
    referral = services.record_outcome(
        referral_id=referral_id, actor=current_user, outcome=form.outcome.data,
        enrolment_id=int(chosen) if chosen else None)
    flash(_("Saved: %(outcome)s.", outcome=OUTCOME_LABELS[referral.outcome]), "success")
    return redirect(url_for("enrolment.to_phone", organiser_id=referral.organiser_id))


@bp.get("/referrals/mine")
@login_required
def mine():
    """The referrals I made, and whether the hub took each up."""
    return render_template("referrals/mine.html", referrals=services.referrals_made_by(current_user),
                           hubs=services.hubs())


def _figures_page(load, owner_id: int, csv_endpoint: str, **ids):
    try:
        figures = load(current_user, owner_id, request.args.get("start"), request.args.get("end"))
    except Invalid as error:
        return render_template("referrals/figures.html", f=None, error=error,
                               start=request.args.get("start", ""),
                               end=request.args.get("end", "")), error.status
    start, end = figures.period.start.isoformat(), figures.period.end.isoformat()
    return render_template("referrals/figures.html", f=figures, error=None, start=start, end=end,
                           csv_url=url_for(csv_endpoint, start=start, end=end, **ids))


def _figures_csv(load, owner_id: int):
    try:
        figures = load(current_user, owner_id, request.args.get("start"), request.args.get("end"))
    except Invalid as error:
        return make_response(error.message, error.status)
    return figures_csv(figures)


def figures_csv(figures: services.ReferralFigures):
    """The referral figures as a CSV download (the page's and the API's)."""
    header, rows = services.figures_table(figures)
    table = _("referrals")
    return csv_response(f"{figures.slug}-{table}-{figures.period.start}_{figures.period.end}.csv",
                        header, rows)


@bp.get("/organisers/<int:organiser_id>/referrals")
@login_required
def organiser_figures(organiser_id: int):
    """An organiser's referrals per source, from referred to attended."""
    return _figures_page(services.organiser_referral_figures, organiser_id,
                         "referrals.organiser_figures_csv", organiser_id=organiser_id)


@bp.get("/organisers/<int:organiser_id>/referrals.csv")
@login_required
def organiser_figures_csv(organiser_id: int):
    """An organiser's referral figures as CSV."""
    return _figures_csv(services.organiser_referral_figures, organiser_id)


@bp.get("/regions/<int:region_id>/referrals")
@login_required
def region_figures(region_id: int):
    """A region's referrals per member and source, from referred to attended."""
    return _figures_page(services.region_referral_figures, region_id,
                         "referrals.region_figures_csv", region_id=region_id)


@bp.get("/regions/<int:region_id>/referrals.csv")
@login_required
def region_figures_csv(region_id: int):
    """A region's referral figures as CSV."""
    return _figures_csv(services.region_referral_figures, region_id)
