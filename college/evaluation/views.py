"""Evaluation pages: answering, the questionnaires of an organiser and a course, the reports."""

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from college import policy, timeutil
from college.accounts.models import Organiser
from college.catalogue.models import Course, Edition
from college.dashboards import charts
from college.dashboards.disclosure import MIN_GROUP_SIZE
from college.errors import Invalid, NotFound, ServiceError
from college.evaluation import burden, questionnaires, reports, services
from college.evaluation.forms import (
    BurdenInstrumentForm,
    BurdenSettingForm,
    EvaluationAnswerForm,
    QuestionnaireForm,
)
from college.evaluation.models import (
    BurdenInstrument,
    BurdenMoment,
    CourseBurdenMeasure,
    Questionnaire,
)
from college.exports import csv_response
from college.extensions import db
from college.forms import attach_error
from college.pdf import render_pdf

bp = Blueprint("evaluation", __name__)


@bp.app_context_processor
def evaluation_helpers() -> dict:
    """`pending_evaluations()` for the block on "My trainings"."""

    def pending_evaluations():
        if not current_user.is_authenticated:
            return []
        return services.pending_evaluations(current_user.id)

    def open_burden_measures():
        if not current_user.is_authenticated:
            return []
        return burden.open_measures(current_user.id)

    return {"pending_evaluations": pending_evaluations, "open_burden_measures": open_burden_measures}


@bp.route("/my/evaluations/<int:enrolment_id>", methods=["GET", "POST"])
@login_required
def answer(enrolment_id: int):
    """The evaluation of a training, one question per screen on a phone; anonymous."""
    evaluation = services.evaluation_for(current_user, enrolment_id)
    form = EvaluationAnswerForm()
    error = None
    values = {question_id: request.form.get(question_id, "")
              for question_id, _question in evaluation.questions}
    if form.validate_on_submit():
        try:
            services.submit_evaluation(current_user, enrolment_id, values)
        except Invalid as refusal:
            error = refusal
        else:
            flash(_("Thank you! Your answers help us make the trainings better."), "success")
            return redirect(url_for("enrolment.my_trainings"))
    elif request.method == "POST":
        abort(400)
    return render_template("evaluation/answer.html", evaluation=evaluation, form=form,
                           values=values, error=error), 422 if error else 200


def _organiser_for_staff(organiser_id: int) -> Organiser:
    organiser = db.session.get(Organiser, organiser_id) or abort(404)
    policy.require(policy.can_manage_organiser(current_user, organiser.id))
    return organiser


def _course_for_staff(course_id: int) -> Course:
    course = db.session.get(Course, course_id) or abort(404)
    policy.require(policy.can_manage_course(current_user, course))
    return course


@bp.get("/organisers/<int:organiser_id>/evaluations/questionnaires")
@login_required
def questionnaire_list(organiser_id: int):
    """The organiser's standard evaluations and the courses' extra questions."""
    organiser = _organiser_for_staff(organiser_id)
    rows = questionnaires.questionnaires_of(current_user, organiser.id)
    courses = db.session.execute(
        db.select(Course.id, Course.title).where(Course.organiser_id == organiser.id)
        .order_by(Course.title)).all()
    return render_template("evaluation/questionnaires.html", organiser=organiser, rows=rows,
                           courses=courses)


def _edit(form: QuestionnaireForm, save, back: str, title: str, organiser: Organiser, questions):
    if request.method == "GET":
        form.fill(questions)
    elif form.validate_on_submit():
        try:
            version = save(form.raw_questions())
        except Invalid as refusal:
            form.form_errors.append(refusal.message)  # each message names its question
        else:
            flash(_("Saved. The questions are now version %(number)s.", number=version.number),
                  "success")
            return redirect(back)
    status = 422 if form.form_errors else 200
    return render_template("evaluation/questionnaire_form.html", form=form, title=title,
                           organiser=organiser, back=back), status


@bp.route("/questionnaires/<int:questionnaire_id>/edit", methods=["GET", "POST"])
@login_required
def edit_questionnaire(questionnaire_id: int):
    """Change a standard evaluation; answered questions stay as they were asked (a new version)."""
    questionnaire: Questionnaire = questionnaires.questionnaire_for_staff(current_user,
                                                                          questionnaire_id)
    organiser = db.session.get(Organiser, questionnaire.organiser_id)
    version = questionnaires.current_version(questionnaire.id)
    title = (_("Standard evaluation, professionals") if questionnaire.track and
             questionnaire.track.value == "professionals" else _("Standard evaluation, caregivers"))
    if questionnaire.course_id is not None:
        return redirect(url_for(".course_questions", course_id=questionnaire.course_id))
    return _edit(QuestionnaireForm(),
                 lambda raw: questionnaires.save_questions(current_user, questionnaire, raw),
                 url_for(".questionnaire_list", organiser_id=organiser.id), title, organiser,
                 version.questions if version else [])


@bp.route("/courses/<int:course_id>/evaluation-questions", methods=["GET", "POST"])
@login_required
def course_questions(course_id: int):
    """A course's extra questions, asked after the standard evaluation."""
    course = _course_for_staff(course_id)
    organiser = db.session.get(Organiser, course.organiser_id)
    extra = questionnaires.course_questionnaire(course.id)
    version = questionnaires.current_version(extra.id) if extra else None
    return _edit(QuestionnaireForm(),
                 lambda raw: questionnaires.save_course_questions(current_user, course.id, raw),
                 url_for(".questionnaire_list", organiser_id=organiser.id),
                 _("Extra questions of %(course)s", course=course.title), organiser,
                 version.questions if version else [])


def _number(name: str) -> int | None:
    value = request.args.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise NotFound(_("This training does not exist."))
    return int(value)


def _burden_report(organiser_id: int) -> burden.BurdenReport:
    return burden.burden_report(current_user, organiser_id, request.args.get("start"),
                                request.args.get("end"), _number("course"), _number("edition"))


def _report(organiser_id: int) -> reports.EvaluationReport:
    return reports.evaluation_report(current_user, organiser_id, request.args.get("start"),
                                     request.args.get("end"), _number("course"), _number("edition"))


@bp.get("/organisers/<int:organiser_id>/evaluations")
@login_required
def report(organiser_id: int):
    """What learners said of the trainings of a period: never a figure about fewer than five."""
    try:
        result = _report(organiser_id)
    except Invalid as error:
        organiser = _organiser_for_staff(organiser_id)
        return render_template("evaluation/report.html", organiser=organiser, r=None,
                               error=error, args=request.args, courses=[],
                               minimum_group=MIN_GROUP_SIZE), 400
    courses = db.session.execute(
        db.select(Course.id, Course.title).where(Course.organiser_id == result.organiser.id)
        .order_by(Course.title)).all()
    edition = db.session.get(Edition, result.edition_id) if result.edition_id else None
    return render_template("evaluation/report.html", organiser=result.organiser, r=result,
                           error=None, args=request.args, courses=courses, edition=edition,
                           burden=_burden_report(organiser_id), minimum_group=MIN_GROUP_SIZE,
                           bar_chart=charts.bar_chart, version_name=reports.version_name,
                           change_label=reports.change_label)


@bp.get("/organisers/<int:organiser_id>/evaluations.csv")
@login_required
def report_csv(organiser_id: int):
    """The evaluation report as CSV, with the same withheld figures as the page."""
    try:
        result = _report(organiser_id)
    except ServiceError as error:
        if isinstance(error, Invalid):
            return error.message, 400
        raise
    header, rows = reports.report_rows(result, _burden_report(organiser_id))
    period = f"{result.period.start.isoformat()}_{result.period.end.isoformat()}"
    return csv_response(_("%(organiser)s-evaluations-%(period)s.csv",
                          organiser=result.organiser.slug, period=period), header, rows)


@bp.get("/organisers/<int:organiser_id>/evaluations.pdf")
@login_required
def report_pdf(organiser_id: int):
    """The evaluation report as a PDF, charts and tables, with the same withheld figures."""
    try:
        result = _report(organiser_id)
    except Invalid as error:
        return make_response(error.message, 400)
    edition = db.session.get(Edition, result.edition_id) if result.edition_id else None
    course = db.session.get(Course, result.course_id) if result.course_id else None
    pdf = render_pdf(
        "evaluation/report_pdf.html",
        title=_("Evaluation report of %(organiser)s", organiser=result.organiser.name),
        author=result.organiser.name, language=str(get_locale() or "nl"),
        organiser=result.organiser, r=result, burden=_burden_report(organiser_id),
        course=course, edition=edition, minimum_group=MIN_GROUP_SIZE, generated_at=timeutil.now(),
        bar_chart=charts.bar_chart, version_name=reports.version_name,
        change_label=reports.change_label)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'attachment; filename="{}"'.format(
        _("%(organiser)s-evaluations-%(period)s.pdf", organiser=result.organiser.slug,
          period=f"{result.period.start.isoformat()}_{result.period.end.isoformat()}"))
    return response


# ------------------------------------------------------------------------ burden measure

_MOMENTS = {"before": BurdenMoment.BEFORE, "after": BurdenMoment.AFTER,
            "follow_up": BurdenMoment.FOLLOW_UP}


@bp.route("/courses/<int:course_id>/burden-measure", methods=["GET", "POST"])
@login_required
def burden_setting(course_id: int):
    """Switch a course's burden measure on or off, with its instrument and timing."""
    course = _course_for_staff(course_id)
    organiser = db.session.get(Organiser, course.organiser_id)
    setting = db.session.get(CourseBurdenMeasure, course.id)
    form = BurdenSettingForm()
    form.instrument_id.choices = [(i.id, i.name) for i in burden.instruments_for(organiser.id)]
    if request.method == "GET":
        form.on.data = "yes" if setting else "no"
        if setting:
            form.instrument_id.data = setting.instrument_id
            form.follow_up_weeks.data = setting.follow_up_weeks
            form.retention_months.data = setting.retention_months
    elif form.validate_on_submit():
        try:
            burden.set_course_measure(
                current_user, course.id, on=form.on.data == "yes",
                instrument_id=form.instrument_id.data, follow_up_weeks=form.follow_up_weeks.data or 8,
                retention_months=form.retention_months.data or 24)
        except Invalid as refusal:
            form.form_errors.append(refusal.message)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".questionnaire_list", organiser_id=organiser.id))
    return render_template("evaluation/burden_setting.html", form=form, course=course,
                           organiser=organiser), 422 if form.form_errors else 200


@bp.get("/organisers/<int:organiser_id>/burden-instruments")
@login_required
def instrument_list(organiser_id: int):
    """The burden instruments the organiser may switch on: the College's and its own."""
    organiser = _organiser_for_staff(organiser_id)
    return render_template("evaluation/instruments.html", organiser=organiser,
                           instruments=burden.instruments_for(organiser.id),
                           format_number=burden.format_number)


@bp.route("/organisers/<int:organiser_id>/burden-instruments/new", methods=["GET", "POST"])
@login_required
def new_instrument(organiser_id: int):
    """Enter an instrument as data: items, answer scale, reversed items, score and bands."""
    organiser = _organiser_for_staff(organiser_id)
    form = BurdenInstrumentForm()
    if form.validate_on_submit():
        try:
            instrument = form.create_once(BurdenInstrument, lambda: burden.define_instrument(
                current_user, organiser.id, form.instrument_data()))
        except Invalid as refusal:
            attach_error(form, refusal)
        else:
            flash(_("Saved. %(name)s can now be switched on for a training.", name=instrument.name),
                  "success")
            return redirect(url_for(".instrument_list", organiser_id=organiser.id))
    failed = bool(form.errors or form.form_errors)
    return render_template("evaluation/instrument_form.html", form=form,
                           organiser=organiser), 422 if failed else 200


@bp.route("/my/burden/<int:enrolment_id>/<moment>", methods=["GET", "POST"])
@login_required
def burden_answer(enrolment_id: int, moment: str):
    """How heavy caring feels: asked with consent, never required."""
    which = _MOMENTS.get(moment) or abort(404)
    _item, instrument = burden.measure_to_answer(current_user, enrolment_id, which)
    form = EvaluationAnswerForm()
    error = None
    if form.validate_on_submit():
        values = {item["key"]: request.form.get(item["key"]) for item in instrument.items}
        try:
            burden.record_burden(current_user, enrolment_id, which, values,
                                 consent=request.form.get("consent") == "yes")
        except Invalid as refusal:
            error = refusal
        else:
            flash(_("Thank you! Your answer is kept apart, with your consent."), "success")
            return redirect(url_for("enrolment.my_trainings"))
    elif request.method == "POST":
        abort(400)
    return render_template("evaluation/burden_answer.html", instrument=instrument, form=form,
                           error=error, values=request.form, enrolment_id=enrolment_id,
                           moment=moment), 422 if error else 200


@bp.post("/my/burden/<int:enrolment_id>/no-thanks")
@login_required
def burden_decline(enrolment_id: int):
    """"No thanks": the burden question is not asked again for this training."""
    if not EvaluationAnswerForm().validate_on_submit():
        abort(400)
    burden.decline_burden(current_user, enrolment_id)
    flash(_("Understood: we will not ask again. Your training stays the same."), "success")
    return redirect(url_for("enrolment.my_trainings"))


# ------------------------------------------------------------------------ paper forms


def _paper_questions(versions) -> list[tuple[str, dict]]:
    return [(f"{version.id}-{question['key']}", question)
            for version in versions for question in version.questions]


@bp.get("/editions/<int:edition_id>/evaluation-form.pdf")
@login_required
def paper_form(edition_id: int):
    """The evaluation as a paper form to print, for learners who prefer paper."""
    edition, versions = services.paper_edition(current_user, edition_id)
    title = _("How was %(course)s?", course=edition.course.title)
    pdf = render_pdf("evaluation/paper_form.html", title=title, author=edition.course.title,
                     language=str(get_locale() or "nl"), edition=edition,
                     questions=_paper_questions(versions))
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'attachment; filename="{}"'.format(
        _("evaluation-%(edition)s.pdf", edition=edition.id))
    return response


@bp.route("/editions/<int:edition_id>/paper-evaluations", methods=["GET", "POST"])
@login_required
def paper_answers(edition_id: int):
    """Type in the answers of one paper form; anonymous like those given online."""
    edition, versions = services.paper_edition(current_user, edition_id)
    questions = _paper_questions(versions)
    form = EvaluationAnswerForm()
    error = None
    values = {question_id: request.form.get(question_id, "") for question_id, _q in questions}
    if form.validate_on_submit():
        try:
            services.submit_paper_answers(current_user, edition.id, values)
        except Invalid as refusal:
            error = refusal
        else:
            flash(_("Saved. You can type in the next paper form."), "success")
            return redirect(url_for(".paper_answers", edition_id=edition.id))
    elif request.method == "POST":
        abort(400)
    return render_template("evaluation/paper_answers.html", edition=edition, questions=questions,
                           form=form, values=values if error else {}, error=error), 422 if error else 200
