"""Enrolment pages: enrol, cancel, the roster of an edition, my trainings, whom to phone."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from college import policy
from college.accounts.models import Organiser, User
from college.catalogue.models import Edition
from college.enrolment import offers, overview, questions, services
from college.enrolment.forms import (
    CapacityForm,
    EmptyForm,
    EnrolForm,
    EnrolOnBehalfForm,
    WaitlistModeForm,
    answers_in,
    with_questions,
)
from college.enrolment.models import Enrolment, EnrolmentStatus, NotificationStatus
from college.errors import Invalid, NotAllowed, ServiceError
from college.exports import csv_response
from college.extensions import db
from college.forms import ConfirmForm, attach_error, safe_next
from college.main.views import render_error
from college.privacy.access import context_label, referral_access_log
from college.referrals import services as referral_services
from college.respite import services as respite_services
from college.respite.forms import respite_in

bp = Blueprint("enrolment", __name__)


STATUS_LABELS = {
    EnrolmentStatus.ENROLLED.value: _l("enrolled"),
    EnrolmentStatus.WAITLISTED.value: _l("waiting list"),
    EnrolmentStatus.CANCELLED.value: _l("cancelled"),
    EnrolmentStatus.COMPLETED.value: _l("completed"),
}

#: What became of a waiting-list offer, as the roster says it.
OFFER_OUTCOME_LABELS = {
    "open": _l("open: waiting for an answer"),
    "accepted": _l("took the seat"),
    "declined": _l("declined"),
    "expired": _l("no answer in time"),
    "withdrawn": _l("left the waiting list"),
}


def login_first(view: Callable) -> Callable:
    """View decorator: anonymous visitors go to the login page and come back afterwards."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            back = request.form.get("next") or request.full_path.rstrip("?")
            return redirect(url_for("accounts.login", next=back))
        return view(*args, **kwargs)

    return wrapped


@bp.app_context_processor
def enrolment_helpers() -> dict:
    """`my_enrolment(edition_id)` for the enrol button: the user's enrolments in one query."""

    def my_enrolment(edition_id: int):
        if not current_user.is_authenticated:
            return None
        if "my_enrolments" not in g:
            g.my_enrolments = services.live_enrolments_of(current_user.id)
        return g.my_enrolments.get(edition_id)

    def asks_at_enrolment(edition) -> bool:
        """Whether enrolling opens a form: the course asks questions or offers companion seats."""
        asks = g.setdefault("asks_at_enrolment", {})
        if edition.course_id not in asks:
            asks[edition.course_id] = questions.asks_at_enrolment(edition.course_id)
        return asks[edition.course_id]

    return {"my_enrolment": my_enrolment, "asks_at_enrolment": asks_at_enrolment,
            "enrolment_closed_reason": services.enrolment_closed_reason}


def _refused(error: ServiceError):
    return render_error(error.status, error.message)


def _edition_to_enrol(edition_id: int) -> Edition:
    edition = db.session.scalar(
        select(Edition).where(Edition.id == edition_id)
        .options(selectinload(Edition.course), selectinload(Edition.sessions))
    )
    if edition is None:
        abort(404)
    return edition


def _enrol_with_respite(form, asked: list, **whom) -> Enrolment:
    """Enrol, and ask respite in the same unit of work when the form asks it: a refused
    request undoes the enrolment too (the page shows the form again)."""
    enrolment = services.enrol_learner(**whom, **answers_in(form, asked))
    wanted = respite_in(form)
    if wanted is not None:
        respite_services.request_respite(enrolment_id=enrolment.id, actor=whom["actor"], **wanted)
    return enrolment


def _enrol_page(edition: Edition, form, asked: list, status: int = 200):
    back = safe_next("catalogue.course", course_id=edition.course_id)
    return render_template("enrolment/enrol.html", edition=edition, course=edition.course,
                           form=form, asks_questions=bool(asked), back=back), status


@bp.route("/editions/<int:edition_id>/enrol", methods=["GET", "POST"])
@login_first
def enrol(edition_id: int):
    """Enrol the logged-in learner, or put them on the waiting list; a course that asks
    questions (or offers companion seats) shows them here first, each with why it asks."""
    edition = _edition_to_enrol(edition_id)
    asked = questions.asked_questions(edition.course_id)
    with_form = bool(asked) or edition.course.allow_companion or edition.course.offers_respite
    form = with_questions(EnrolForm, asked, edition.course.allow_companion, edition=edition)()
    if request.method == "GET":
        if not policy.can_see_edition(current_user, edition):
            abort(404)
        return _enrol_page(edition, form, asked)
    if not form.validate_on_submit():
        abort(400)
    try:
        enrolment = form.create_once(Enrolment, lambda: _enrol_with_respite(
            form, asked, edition_id=edition_id, learner_id=current_user.id, actor=current_user))
    except ServiceError as error:
        if not with_form:
            return _refused(error)
        attach_error(form, error)
        return _enrol_page(_edition_to_enrol(edition_id), form, asked, error.status)
    if enrolment.status == EnrolmentStatus.ENROLLED:
        flash(_("You are enrolled. You will receive a confirmation."), "success")
    else:
        flash(_("This edition is full. You are number %(position)s on the waiting list.",
                position=enrolment.waitlist_position), "success")
    return redirect(safe_next("enrolment.my_trainings"))


@bp.route("/enrolments/<int:enrolment_id>/cancel", methods=["GET", "POST"])
@login_first
def cancel(enrolment_id: int):
    """Say what cancelling means; cancel (one's own, or as coordinator) when confirmed there."""
    form = ConfirmForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    try:
        if form.is_confirmed():
            services.cancel_enrolment(enrolment_id=enrolment_id, actor=current_user)
            flash(_("The enrolment is cancelled."), "success")
            return redirect(safe_next("enrolment.my_trainings"))
        enrolment = services.enrolment_to_cancel(enrolment_id=enrolment_id, actor=current_user)
    except ServiceError as error:
        return _refused(error)
    return render_template(
        "enrolment/cancel.html", enrolment=enrolment, edition=enrolment.edition,
        course=enrolment.edition.course, own=enrolment.learner_id == current_user.id,
        form=ConfirmForm(formdata=None), back=safe_next("enrolment.my_trainings"),
    )


def _edition_for_staff(edition_id: int) -> Edition:
    edition = db.session.scalar(
        select(Edition)
        .where(Edition.id == edition_id)
        .options(selectinload(Edition.course), selectinload(Edition.sessions))
    )
    if edition is None:
        abort(404)
    policy.require(
        policy.can_teach_edition(current_user, edition.id, edition.course)
    )
    return edition


def _behalf_form(edition: Edition, submitted: bool = True):
    """The roster's "Enrol someone" form, with the course's questions and companion box."""
    asked = questions.asked_questions(edition.course_id)
    form_class = with_questions(EnrolOnBehalfForm, asked, edition.course.allow_companion,
                                for_self=False, edition=edition)
    return (form_class() if submitted else form_class(formdata=None)), asked


def _render_roster(edition: Edition, capacity_form=None, behalf_form=None, status: int = 200,
                   mode_form=None):
    organiser_id = edition.course.organiser_id
    capacity_form = capacity_form or CapacityForm(formdata=None, capacity=edition.capacity)
    mode_form = mode_form or WaitlistModeForm(formdata=None,
                                              waitlist_mode=edition.waitlist_mode.value,
                                              offer_hold_hours=edition.offer_hold_hours)
    behalf_form = behalf_form or _behalf_form(edition, submitted=False)[0]
    behalf_form.managed_learner.choices = [("", _("Choose a person"))] + [
        (str(user.id), user.name) for user in services.enrollable_accounts(organiser_id)
    ]
    roster = services.roster_of(edition.id, current_user)
    page = render_template(
        "enrolment/roster.html",
        edition=edition,
        course=edition.course,
        roster=roster,
        answers=questions.answers_of(enrolment.id for enrolment in roster),
        capacity_form=capacity_form,
        behalf_form=behalf_form,
        mode_form=mode_form,
        offers=offers.offers_of_edition(edition.id),
        answer_form=EmptyForm(formdata=None),
        may_manage=policy.can_manage_course(current_user, edition.course),
        status_labels=STATUS_LABELS,
        offer_outcomes=OFFER_OUTCOME_LABELS,
    )
    return page, status


@bp.get("/editions/<int:edition_id>/enrolments")
@login_first
def roster(edition_id: int):
    """An edition's enrolments and waiting list, with capacity and enrolment on behalf."""
    return _render_roster(_edition_for_staff(edition_id))


@bp.post("/editions/<int:edition_id>/capacity")
@login_first
def change_capacity(edition_id: int):
    """Change the number of seats of an edition."""
    edition = _edition_for_staff(edition_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        return _render_roster(edition, capacity_form=form, status=400)
    try:
        edition = services.change_capacity(
            edition_id=edition.id, capacity=form.capacity.data, actor=current_user
        )
    except NotAllowed:
        abort(403)  # a trainer sees the roster, but a refusal shows nothing of it
    except ServiceError as error:
        attach_error(form, error)
        return _render_roster(_edition_for_staff(edition_id), capacity_form=form,
                              status=error.status)
    flash(_("The edition now has %(capacity)s seats.", capacity=edition.capacity), "success")
    return redirect(url_for("enrolment.roster", edition_id=edition.id))


def _whom(form: EnrolOnBehalfForm) -> dict:
    """The person the form names: a managed account from the list, else an email address."""
    if form.managed_learner.data:
        chosen = form.managed_learner.data
        # Text that is no number names nobody, and is refused exactly as an unknown id is.
        return {"learner_id": int(chosen) if chosen.isdecimal() else 0}
    if form.email.data:
        return {"email": form.email.data}
    raise Invalid(_("Choose a person, or enter the email address of a learner."),
                  field="managed_learner")


@bp.post("/editions/<int:edition_id>/enrol-on-behalf")
@login_first
def enrol_on_behalf(edition_id: int):
    """A coordinator or trainer enrols someone else in the edition."""
    edition = _edition_for_staff(edition_id)
    form, asked = _behalf_form(edition)
    if not form.validate_on_submit():
        return _render_roster(edition, behalf_form=form, status=400)
    try:
        enrolment = form.create_once(Enrolment, lambda: _enrol_with_respite(
            form, asked, edition_id=edition.id, actor=current_user, **_whom(form)))
    except ServiceError as error:
        attach_error(form, error)
        return _render_roster(_edition_for_staff(edition_id), behalf_form=form,
                              status=error.status)
    learner = db.session.get(User, enrolment.learner_id)
    if enrolment.status == EnrolmentStatus.ENROLLED:
        flash(_("%(name)s is enrolled.", name=learner.name), "success")
    else:
        flash(_("%(name)s is number %(position)s on the waiting list.", name=learner.name,
                position=enrolment.waitlist_position), "success")
    return redirect(url_for("enrolment.roster", edition_id=edition.id))


@bp.get("/editions/<int:edition_id>/enrolments.csv")
@login_first
def roster_csv(edition_id: int):
    """The roster as a spreadsheet: status, companion seat and a column per question."""
    edition = _edition_for_staff(edition_id)
    roster = services.roster_of(edition.id, current_user, "enrolments-export")
    answers = questions.answers_of(enrolment.id for enrolment in roster)
    asked = questions.course_questions(edition.course_id)
    header = [_("Learner"), _("Email address"), _("Phone"), _("Status"),
              _("Waiting-list position"), _("Companion seat")] + [q.text for q in asked]
    rows = []
    for enrolment in roster:
        given = {question.id: value for question, value in answers.get(enrolment.id, [])}
        rows.append([
            enrolment.learner.name, enrolment.learner.email or "", enrolment.learner.phone or "",
            STATUS_LABELS[enrolment.status.value], enrolment.waitlist_position or "",
            _("yes") if enrolment.companion else _("no"),
        ] + [given.get(question.id, "") for question in asked])
    return csv_response(_("enrolments-edition-%(id)s.csv", id=edition.id), header, rows)


@bp.get("/my/trainings")
@login_first
def my_trainings():
    """The learner's next sessions, a page of their enrolments and waiting-list places, and
    their past trainings."""
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    return render_template(
        "enrolment/my_trainings.html",
        mine=overview.my_trainings(current_user.id, page),
        open_offers=offers.open_offers_of(current_user.id),
        answer_form=EmptyForm(formdata=None),
        respite=respite_services.requests_of_learner(current_user.id),
    )


@bp.get("/organisers/<int:organiser_id>/to-phone")
@login_first
def to_phone(organiser_id: int):
    """Messages for learners without email, for the coordinator to pass on by phone."""
    organiser = db.session.get(Organiser, organiser_id) or abort(404)
    policy.require(policy.can_manage_organiser(current_user, organiser.id))
    rows = services.to_phone_list(organiser.id, current_user)
    referrals = referral_services.open_referrals(organiser.id, current_user)
    return render_template("enrolment/to_phone.html", organiser=organiser, rows=rows,
                           done_form=EmptyForm(), held=NotificationStatus.HELD,
                           referrals=referrals,
                           referral_log=referral_access_log(r.id for r in referrals),
                           access_context_label=context_label)


@bp.post("/notifications/<int:notification_id>/phoned")
@login_first
def phoned(notification_id: int):
    """Mark a message as passed on by phone."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        organiser_id = services.mark_phoned(notification_id=notification_id, actor=current_user)
    except ServiceError as error:
        return _refused(error)
    flash(_("Marked as passed on by phone."), "success")
    return redirect(url_for("enrolment.to_phone", organiser_id=organiser_id))
