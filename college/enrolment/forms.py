"""Enrolment forms."""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from college.catalogue.models import Edition
from college.enrolment.models import EnrolmentQuestion, QuestionKind
from college.enrolment.questions import field_name
from college.forms import CreateOnceForm
from college.respite.forms import respite_fields


class CapacityForm(FlaskForm):
    """A coordinator changes an edition's number of seats."""

    # A text field: the service gives one clear message for any bad number.
    capacity = StringField(
        _l("Number of seats"),
        description=_l("More seats move people up from the waiting list automatically."),
        render_kw={"inputmode": "numeric"},
    )


class EnrolForm(CreateOnceForm, FlaskForm):
    """The enrol button: clicked twice, it enrols once (templates add `once_token_input()`)."""

    #: The course's questions, added by `with_questions`: `question_<question id>`.
    id_keyed_inputs = ("question_",)


class EnrolOnBehalfForm(CreateOnceForm, FlaskForm):
    """A coordinator or trainer enrols someone who phoned or came to the Caregivers Cafe."""

    managed_learner = SelectField(
        _l("A person without email (managed account)"),
        choices=[],
        validators=[Optional()],
        validate_choice=False,  # the service checks the person and the organiser
    )
    email = EmailField(
        _l("Or the email address of an existing learner"),
        validators=[Optional()],
    )

    #: The course's questions, added by `with_questions`: `question_<question id>`.
    id_keyed_inputs = ("question_",)


class EmptyForm(FlaskForm):
    """A form with only its CSRF token: for buttons that POST."""


class ImportUploadForm(FlaskForm):
    """A coordinator uploads a participant list to see what importing it will do."""

    file = FileField(
        _l("Participant list"),
        validators=[FileRequired(_l("Choose a CSV or Excel file."))],
        description=_l("A CSV or Excel file (.xlsx) of at most 500 people. The first row names "
                       "the columns: naam, e-mail, telefoon, soort (mantelzorger or "
                       "zorgprofessional)."),
        render_kw={"accept": ".csv,.xlsx,text/csv,"
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )


class ImportConfirmForm(FlaskForm):
    """The rows of a previewed list, signed by the College, sent back to enrol them."""

    rows = HiddenField(validators=[DataRequired()])


class WaitlistModeForm(FlaskForm):
    """A coordinator chooses how an edition's freed seats reach its waiting list."""

    waitlist_mode = RadioField(
        _l("When a seat becomes free"),
        choices=[
            SelectChoice("automatic", _l("Move the first person on the waiting list up "
                                         "automatically")),
            SelectChoice("offer", _l("Offer the seat to the first person, who says yes or no")),
        ],
        validate_choice=False,  # the service gives one clear message for any bad value
    )
    # A text field: the service gives one clear message for any bad number.
    offer_hold_hours = StringField(
        _l("Hold an offered seat for (hours)"),
        description=_l("Default 48. Close to the start the hold is shorter: it ends halfway "
                       "between the offer and the moment the waiting list closes."),
        render_kw={"inputmode": "numeric"},
    )


def with_questions(form_class: type[FlaskForm], asked: Sequence[EnrolmentQuestion],
                   allow_companion: bool, *, for_self: bool = True,
                   edition: Edition | None = None) -> type[FlaskForm]:
    """The form with a field per question the course asks (its "why" as the hint), where the
    course allows it the companion box, and where it offers respite (`edition` given, its
    sessions loaded) the respite fields. The services check the answers."""
    fields = {}
    for question in asked:
        label = question.text if question.required else _("%(question)s (optional)",
                                                           question=question.text)
        hint = _("Why we ask this: %(why)s", why=question.why)
        if question.kind == QuestionKind.CHOICE:
            fields[field_name(question.id)] = RadioField(
                label, choices=[SelectChoice(choice, choice) for choice in question.choices],
                validate_choice=False, validators=[Optional()], description=hint)
        else:
            fields[field_name(question.id)] = TextAreaField(
                label, validators=[Optional()], description=hint, render_kw={"rows": 2})
    if allow_companion:
        fields["companion"] = BooleanField(
            _("I bring the person I care for (a second seat)") if for_self
            else _("Brings the person they care for (a second seat)"),
            description=_("For caregivers: the person you care for gets a seat next to you. "
                          "It takes two seats of this edition."))
    if edition is not None and edition.course.offers_respite:
        fields.update(respite_fields(edition, allow_companion=allow_companion, for_self=for_self))
    return type(form_class.__name__, (form_class,), fields)


def answers_in(form: FlaskForm, asked: Sequence[EnrolmentQuestion]) -> dict:
    """What the form answers, for `enrol_learner`: answers by question id and the companion.

    A `question_<id>` the course does not ask, or a companion it does not offer (a changed
    form), goes to the service too, which refuses it as it refuses the API's."""
    asked_fields = {field_name(question.id) for question in asked}
    answers: dict = {key.removeprefix("question_"): value for key, value in request.form.items()
                     if key.startswith("question_") and key not in asked_fields}
    answers.update({question.id: form[field_name(question.id)].data or "" for question in asked})
    companion = getattr(form, "companion", None)
    return {"answers": answers, "companion": bool(
        companion.data if companion is not None else request.form.get("companion"))}
