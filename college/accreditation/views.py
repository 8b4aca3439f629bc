"""Accreditation pages: schemes, a course's accreditations, registration numbers, the learning
record and the attendance list per edition and scheme."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from college import timeutil
from college.accounts.models import Kind
from college.accreditation import services
from college.accreditation.forms import (
    RULE_LABELS,
    UNIT_LABELS,
    AccreditationForm,
    SchemeForm,
    registration_numbers_form,
)
from college.accreditation.models import (
    NumberCheck,
    PartialRule,
    RegistrationNumber,
    Scheme,
    Unit,
)
from college.catalogue import queries
from college.catalogue.models import Course, Edition
from college.certificates.expiry import validity_text
from college.errors import ServiceError
from college.exports import csv_response
from college.forms import attach_error
from college.pdf import render_pdf
from college.policy import can_manage_course, is_coordinator, require

bp = Blueprint("accreditation", __name__)


def _course(course_id: int) -> Course:
    course = queries.managed_course(course_id)
    if course is None:
        abort(404)
    require(can_manage_course(current_user, course))
    return course


def _edition(edition_id: int) -> Edition:
    edition = queries.edition_with_course(edition_id)
    if edition is None:
        abort(404)
    require(can_manage_course(current_user, edition.course))
    return edition


@bp.route("/accreditation/schemes", methods=["GET", "POST"])
@login_required
def schemes():
    """The installation's accreditation schemes; coordinators add one."""
    require(is_coordinator(current_user))
    form = SchemeForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.add_scheme(current_user, form.code.data, form.name.data, form.body.data,
                                Unit(form.unit.data), PartialRule(form.partial_rule.data),
                                NumberCheck(form.number_check.data))
        except ServiceError as error:
            attach_error(form, error)
            status = error.status
        else:
            flash(_("The scheme has been added."), "success")
            return redirect(url_for("accreditation.schemes"))
    elif form.is_submitted():
        status = 422
    return render_template("accreditation/schemes.html", form=form, schemes=Scheme.all(),
                           unit_labels=UNIT_LABELS, rule_labels=RULE_LABELS), status


@bp.route("/manage/courses/<int:course_id>/accreditations", methods=["GET", "POST"])
@login_required
def course_accreditations(course_id: int):
    """A course's accreditations; its coordinators add one."""
    course = _course(course_id)
    form = AccreditationForm()
    form.set_schemes(Scheme.all())
    status = 200
    if form.validate_on_submit():
        try:
            services.add_accreditation(current_user, course, form.scheme_id.data, form.points.data,
                                       form.number.data, form.rubric.data)
        except ServiceError as error:
            attach_error(form, error)
            status = error.status
        else:
            flash(_("The accreditation has been added."), "success")
            return redirect(url_for("accreditation.course_accreditations", course_id=course.id))
    elif form.is_submitted():
        status = 422
    return render_template(
        "accreditation/course.html", course=course, form=form, remove_form=FlaskForm(),
        accreditations=services.course_accreditations(course.id), unit_labels=UNIT_LABELS,
        rule_labels=RULE_LABELS,
    ), status


@bp.post("/manage/accreditations/<int:accreditation_id>/remove")
@login_required
def remove_accreditation(accreditation_id: int):
    """Remove an accreditation from its course."""
    found = services.accreditation(accreditation_id)
    course = _course(found.course_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.remove_accreditation(current_user, found)
    flash(_("The accreditation has been removed."), "success")
    return redirect(url_for("accreditation.course_accreditations", course_id=course.id))


@bp.route("/account/registration-numbers", methods=["GET", "POST"])
@login_required
def registration_numbers():
    """My registration numbers, one per scheme (professionals)."""
    schemes = Scheme.all()
    professional = current_user.kind == Kind.PROFESSIONAL
    form = registration_numbers_form(schemes, RegistrationNumber.of(current_user.id))
    status = 200
    if form.validate_on_submit():
        if not professional:
            abort(403)
        failed = None
        for scheme in schemes:
            field = form[f"scheme_{scheme.id}"]
            try:
                services.set_registration_number(current_user, scheme.id, field.data)
            except ServiceError as error:
                field.errors = [*field.errors, error.message]
                failed = error
        if failed is None:
            flash(_("Your registration numbers have been saved."), "success")
            return redirect(url_for("accreditation.registration_numbers"))
        status = failed.status
    elif form.is_submitted():
        status = 422
    return render_template("accreditation/registration_numbers.html", form=form,
                           schemes=schemes, professional=professional), status


def _record():
    return services.learning_record(current_user)


@bp.get("/account/learning-record")
@login_required
def learning_record():
    """My learning record: hours and points per scheme and per year."""
    return render_template("accreditation/learning_record.html", record=_record(),
                           unit_labels=UNIT_LABELS, validity_text=validity_text)


@bp.get("/account/learning-record.csv")
@login_required
def learning_record_csv():
    """My learning record as a spreadsheet."""
    header, rows = services.learning_record_rows(_record())
    return csv_response(_("learning-record.csv"), header, rows)


@bp.get("/account/learning-record.pdf")
@login_required
def learning_record_pdf():
    """My learning record as a PDF."""
    pdf = render_pdf(
        "accreditation/learning_record_pdf.html",
        title=_("Learning record of %(name)s", name=current_user.name),
        author=_("Caregivers College"), language=str(get_locale() or "nl"),
        record=_record(), learner=current_user, unit_labels=UNIT_LABELS,
        validity_text=validity_text, generated_at=timeutil.now(),
    )
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    filename = _("learning-record.pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/manage/editions/<int:edition_id>/accreditation")
@login_required
def edition_accreditation(edition_id: int):
    """Per scheme of the course: who lacks a registration number, and the list to download."""
    edition = _edition(edition_id)
    exports = [services.edition_export(current_user, edition, item.scheme_id)
               for item in services.course_accreditations(edition.course_id)]
    return render_template("accreditation/edition.html", edition=edition, exports=exports,
                           unit_labels=UNIT_LABELS)


@bp.get("/manage/editions/<int:edition_id>/accreditation/<int:scheme_id>.csv")
@login_required
def edition_export_csv(edition_id: int, scheme_id: int):
    """The attendance list a scheme's body asks for, as CSV."""
    edition = _edition(edition_id)
    export = services.edition_export(current_user, edition, scheme_id)
    header, rows = services.export_table(export)
    return csv_response(f"{export.accreditation.scheme.code}-edition-{edition.id}.csv", header, rows)
