"""Waiting-list offer pages: the mailed links, answering while logged in, the edition's mode."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from college.enrolment import offers
from college.enrolment.forms import EmptyForm, WaitlistModeForm
from college.enrolment.views import _edition_for_staff, _refused, _render_roster, login_first
from college.errors import NotAllowed, ServiceError
from college.forms import attach_error, safe_next

bp = Blueprint("offers", __name__)

ANSWERS = {"accept": True, "decline": False}


def _answered_message(accepted: bool, on_behalf: bool, name: str) -> str:
    if on_behalf:
        return (_("%(name)s took the seat and is enrolled.", name=name) if accepted
                else _("%(name)s let the seat go; it is offered to the next person.", name=name))
    return (_("You took the seat: you are enrolled. You will receive a confirmation.") if accepted
            else _("You let the seat go. It goes to the next person on the waiting list."))


@bp.route("/offers/<token>/<any(accept, decline):answer>", methods=["GET", "POST"])
def answer_by_link(token: str, answer: str):
    """A mailed offer link: show what answering means; answer when the button is pressed."""
    form = EmptyForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    try:
        offer = offers.offer_for_token(token)
        offers.check_answerable(offer)  # a used or late link says so before any button
        if request.method == "POST":
            offers.answer_offer(offer, accept=ANSWERS[answer], actor=None)
            return render_template("enrolment/offer_answered.html", offer=offer,
                                   edition=offer.enrolment.edition,
                                   message=_answered_message(ANSWERS[answer], False, ""))
    except ServiceError as error:
        return _refused(error)
    return render_template("enrolment/offer.html", offer=offer, edition=offer.enrolment.edition,
                           accept=ANSWERS[answer], form=EmptyForm(formdata=None),
                           action=url_for("offers.answer_by_link", token=token, answer=answer))


@bp.post("/waiting-list/offers/<int:offer_id>/<any(accept, decline):answer>")
@login_first
def answer(offer_id: int, answer: str):
    """Answer an offer logged in: the learner their own, a coordinator for someone who phoned."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        offer = offers.offer_to_answer(offer_id=offer_id, actor=current_user)
        offers.answer_offer(offer, accept=ANSWERS[answer], actor=current_user)
    except ServiceError as error:
        return _refused(error)
    learner = offer.enrolment.learner
    flash(_answered_message(ANSWERS[answer], learner.id != current_user.id, learner.name),
          "success")
    return redirect(safe_next("enrolment.my_trainings"))


@bp.post("/editions/<int:edition_id>/waitlist-mode")
@login_first
def waitlist_mode(edition_id: int):
    """Choose automatic moving up or offers for an edition, and the hold time of an offer."""
    edition = _edition_for_staff(edition_id)
    form = WaitlistModeForm()
    if not form.validate_on_submit():
        return _render_roster(edition, mode_form=form, status=400)
    try:
        offers.change_waitlist_mode(edition_id=edition.id, actor=current_user,
                                    mode=form.waitlist_mode.data or None,
                                    hold_hours=form.offer_hold_hours.data)
    except NotAllowed:
        abort(403)  # a trainer sees the roster, but a refusal shows nothing of it
    except ServiceError as error:
        attach_error(form, error)
        return _render_roster(_edition_for_staff(edition_id), mode_form=form, status=error.status)
    flash(_("The waiting list is saved."), "success")
    return redirect(url_for("enrolment.roster", edition_id=edition.id))
