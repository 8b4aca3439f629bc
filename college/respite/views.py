"""Respite pages: the organiser's partners, the respite board per edition and per week, asking a
partner, recording what was arranged, and the partner's page (no account, by its link)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from college import policy, timeutil
from college.accounts.models import Organiser
from college.errors import ServiceError
from college.extensions import db
from college.forms import attach_error
from college.regions.residence import municipalities
from college.respite import services
from college.respite.forms import (
    AskPartnerForm,
    PartnerAnswerForm,
    PartnerForm,
    SessionStateForm,
)
from college.respite.models import KIND_LABELS, STATE_LABELS, RespitePartner

bp = Blueprint("respite", __name__)


@bp.app_context_processor
def respite_helpers() -> dict:
    return {
        "respite_kind_label": services.kind_label,
        "respite_state_label": services.state_label,
    }


def _organiser(organiser_id: int) -> Organiser:
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None or not policy.is_staff(current_user, organiser_id):
        abort(404)
    policy.require(policy.can_manage_organiser(current_user, organiser_id))
    return organiser


def _partner_form(organiser_id: int, partner: RespitePartner | None = None,
                  submitted: bool = True) -> PartnerForm:
    if submitted:
        form = PartnerForm()
    elif partner is not None:
        form = PartnerForm(formdata=None, name=partner.name, email=partner.email,
                           phone=partner.phone, kinds=partner.kinds.split(),
                           municipality_ids=[str(m.municipality_id) for m in partner.municipalities])
    else:
        form = PartnerForm(formdata=None)
    form.municipality_ids.choices = [SelectChoice(str(m.id), m.name) for m in municipalities()]
    return form


def _ids(values) -> list[int]:
    # Text that is no number names no municipality, and is refused like an unknown one.
    return [int(value) if str(value).isdecimal() else 0 for value in values or []]


def _partners_page(organiser: Organiser, form: PartnerForm, status: int = 200):
    partners = services.partners_of(organiser.id, current_user)
    names = {m.id: m.name for m in municipalities()}
    return render_template("respite/partners.html", organiser=organiser, partners=partners,
                           form=form, municipality_names=names, kind_labels=KIND_LABELS,
                           delete_form=AskPartnerForm(formdata=None)), status


@bp.route("/organisers/<int:organiser_id>/respite-partners", methods=["GET", "POST"])
@login_required
def partners(organiser_id: int):
    """The organiser's respite partners, and a form to add one."""
    organiser = _organiser(organiser_id)
    form = _partner_form(organiser.id, submitted=request.method == "POST")
    if request.method == "POST":
        if not form.validate_on_submit():
            return _partners_page(organiser, form, 400)
        try:
            partner = form.create_once(RespitePartner, lambda: services.save_partner(
                organiser_id=organiser.id, actor=current_user, name=form.name.data,
                email=form.email.data, phone=form.phone.data, kinds=form.kinds.data or [],
                municipality_ids=_ids(form.municipality_ids.data)))
        except ServiceError as error:
            attach_error(form, error)
            return _partners_page(organiser, form, error.status)
        flash(_("Saved: %(name)s.", name=partner.name), "success")
        return redirect(url_for("respite.partners", organiser_id=organiser.id), 303)
    return _partners_page(organiser, form)


@bp.route("/respite-partners/<int:partner_id>", methods=["GET", "POST"])
@login_required
def edit_partner(partner_id: int):
    """Change a respite partner."""
    partner = services.partner_to_manage(partner_id, current_user)
    form = _partner_form(partner.organiser_id, partner, submitted=request.method == "POST")
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.save_partner(
                organiser_id=partner.organiser_id, actor=current_user, partner_id=partner.id,
                name=form.name.data, email=form.email.data, phone=form.phone.data,
                kinds=form.kinds.data or [], municipality_ids=_ids(form.municipality_ids.data))
        except ServiceError as error:
            attach_error(form, error)
            status = error.status
        else:
            flash(_("Saved: %(name)s.", name=form.name.data), "success")
            return redirect(url_for("respite.partners", organiser_id=partner.organiser_id), 303)
    return render_template("respite/partner_form.html", partner=partner, form=form), status


@bp.post("/respite-partners/<int:partner_id>/delete")
@login_required
def delete_partner(partner_id: int):
    """Remove a respite partner (what it arranged keeps its state)."""
    if not AskPartnerForm().validate_on_submit():
        abort(400)
    organiser_id = services.delete_partner(partner_id=partner_id, actor=current_user)
    flash(_("The partner is removed."), "success")
    return redirect(url_for("respite.partners", organiser_id=organiser_id), 303)


def _board_page(title: str, rows, organiser_id: int, **extra):
    partner_list = services.partners_of(organiser_id, current_user)
    return render_template(
        "respite/board.html", title=title, rows=rows, organiser_id=organiser_id,
        partners=partner_list, fitting={row.request.id: services.partners_for(
            row.request, organiser_id) for row in rows},
        ask_form=AskPartnerForm(formdata=None), state_form=SessionStateForm(formdata=None),
        state_labels=STATE_LABELS, hub_states=services.HUB_STATES,
        municipality_names={m.id: m.name for m in municipalities()}, now=timeutil.now(),
        **extra)


@bp.get("/editions/<int:edition_id>/respite")
@login_required
def edition_board(edition_id: int):
    """The respite board of an edition: each request, its sessions and what is still needed."""
    edition = services.edition_to_board(edition_id, current_user)
    rows = services.board_of_edition(edition.id, current_user)
    return _board_page(_("Respite: %(course)s", course=edition.course.title), rows,
                       edition.course.organiser_id, edition=edition)


@bp.get("/organisers/<int:organiser_id>/respite")
@login_required
def week_board(organiser_id: int):
    """The respite board of a week (this one unless ?week=YYYY-MM-DD), most urgent first."""
    organiser = _organiser(organiser_id)
    try:
        day = date.fromisoformat(request.args.get("week", "")) if request.args.get("week") else None
    except ValueError:
        day = None
    day = day or timeutil.today()
    monday = day - timedelta(days=day.weekday())
    rows = services.board_of_week(organiser.id, current_user, monday)
    return _board_page(_("Respite in the week of %(day)s", day=monday.strftime("%d/%m/%Y")), rows,
                       organiser.id, organiser=organiser, monday=monday,
                       previous_week=(monday - timedelta(days=7)).isoformat(),
                       next_week=(monday + timedelta(days=7)).isoformat())


def _back(request_id: int) -> str:
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("enrolment.my_trainings")


@bp.post("/respite-requests/<int:request_id>/ask")
@login_required
def ask(request_id: int):
    """Ask a partner: it gets a mail with a signed link to confirm or decline."""
    form = AskPartnerForm()
    if not form.validate_on_submit():
        abort(400)
    chosen = form.partner_id.data or ""
    services.ask_partner(request_id=request_id, actor=current_user,
                         partner_id=int(chosen) if chosen.isdecimal() else None)
    flash(_("The partner is asked. You see its answer here."), "success")
    return redirect(_back(request_id), 303)


@bp.post("/respite-requests/<int:request_id>/sessions")
@login_required
def change_session(request_id: int):
    """Record for one session what was arranged (or that it is not possible)."""
    form = SessionStateForm()
    if not form.validate_on_submit():
        abort(400)
    session_id, partner = form.session_id.data or "", form.partner_id.data or ""
    services.change_sessions(request_id=request_id, actor=current_user, changes=[{
        "session_id": int(session_id) if session_id.isdecimal() else None,
        "state": form.state.data,
        "partner_id": int(partner) if partner.isdecimal() else None,
        "helper_first_name": form.helper_first_name.data}])
    flash(_("Saved. The caregiver is told."), "success")
    return redirect(_back(request_id), 303)


@bp.route("/respite/answer/<token>", methods=["GET", "POST"])
def partner_answer(token: str):
    """The partner's page (no account): what the caregiver consented to share, confirm or decline."""
    form = PartnerAnswerForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        confirm = request.form.get("answer") == "confirm"
        try:
            view = services.answer_as_partner(token, confirm=confirm,
                                              helper_first_name=form.helper_first_name.data)
        except ServiceError as error:
            if error.field:
                view = services.partner_view(token)
                attach_error(form, error)
                return _partner_page(view, form), error.status
            raise
        return render_template("respite/partner_answered.html", confirmed=confirm,
                               course=view.course)
    return _partner_page(services.partner_view(token), form)


def _partner_page(view: services.PartnerView, form: PartnerAnswerForm):
    municipality = {m.id: m.name for m in municipalities()}.get(view.request.municipality_id)
    return render_template("respite/partner_answer.html", view=view, form=form,
                           municipality=municipality)
