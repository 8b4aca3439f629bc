"""Coordinators' pages: courses, editions and sessions of their organiser."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from college import timeutil
from college.accounts.models import Organiser
from college.catalogue import co_organisers, queries, repeat, services
from college.catalogue.forms import (
    CoOrganisersForm,
    CopyEditionForm,
    CourseForm,
    EditionForm,
    EnrolmentQuestionForm,
    NewCourseForm,
    NewEditionForm,
    NewEnrolmentQuestionForm,
    NewSessionForm,
    PreviewSaveForm,
    SeriesForm,
    SessionForm,
)
from college.catalogue.models import Course, Edition, TrainingSession
from college.enrolment import question_authoring
from college.enrolment.models import EnrolmentQuestion
from college.enrolment.questions import course_questions
from college.errors import ServiceError
from college.extensions import db
from college.forms import attach_error
from college.main.views import render_error
from college.policy import (
    can_choose_co_organisers,
    can_manage_course,
    can_manage_organiser,
    require,
)

bp = Blueprint("catalogue_manage", __name__)


def _checked(found, may_manage: Callable[[object], bool]):
    """The object, after a 404 when it does not exist and a 403 unless the user coordinates it."""
    if found is None:
        abort(404)
    require(may_manage(found))
    return found


def _organiser(organiser_id: int) -> Organiser:
    return _checked(db.session.get(Organiser, organiser_id),
                    lambda organiser: can_manage_organiser(current_user, organiser.id))


def _course(course_id: int) -> Course:
    return _checked(queries.managed_course(course_id),
                    lambda course: can_manage_course(current_user, course))


def _edition(edition_id: int) -> Edition:
    return _checked(queries.edition_with_course(edition_id),
                    lambda edition: can_manage_course(current_user, edition.course))


def _session(session_id: int) -> tuple[TrainingSession, Edition]:
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        abort(404)
    return session, _edition(session.edition_id)


def _form_page(form: FlaskForm, template: str, save: Callable, done: Callable, **context):
    """Render the form; on a valid submit call the service, then redirect or show its refusal."""
    if form.validate_on_submit():
        try:
            result = save()
        except ServiceError as error:
            attach_error(form, error)
            return render_template(template, form=form, **context), error.status
        return done(result)
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


def _preview_page(form: PreviewSaveForm, template: str, plan: Callable, create: Callable,
                  done: Callable, **context):
    """A form that shows what it will create (nothing saved), then creates it on "save"."""
    if form.is_submitted() and form.wants_preview():
        def shown(planned):
            return render_template(template, form=form, plan=planned, **context)
        return _form_page(form, template, plan, shown, plan=None, **context)
    return _form_page(form, template, create, done, plan=None, **context)


def _trainer_choices(form: EditionForm, course_id: int) -> None:
    form.trainer_ids.choices = [
        (trainer.id, trainer.name) for trainer in services.trainers_of(course_id)
    ]


def _saved(message: str, endpoint: str, **values):
    def done(_result):
        flash(message, "success")
        return redirect(url_for(endpoint, **values))

    return done


@bp.get("/organisers/<int:organiser_id>/courses")
@login_required
def manage_courses(organiser_id: int):
    """The organiser's courses, published or not, for its coordinators."""
    organiser = _organiser(organiser_id)
    return render_template(
        "catalogue/manage_courses.html",
        organiser=organiser,
        courses=queries.organiser_courses(organiser.id),
    )


@bp.route("/organisers/<int:organiser_id>/courses/new", methods=["GET", "POST"])
@login_required
def new_course(organiser_id: int):
    """Create a course."""
    organiser = _organiser(organiser_id)
    form = NewCourseForm()

    def done(course):
        flash(_("The course has been created. Now add an edition."), "success")
        return redirect(url_for("catalogue_manage.manage_course", course_id=course.id))

    return _form_page(
        form, "catalogue/course_form.html",
        lambda: form.create_once(Course, lambda: services.create_course(
            current_user, organiser, **form.service_fields())),
        done, organiser=organiser, course=None,
    )


@bp.get("/manage/courses/<int:course_id>")
@login_required
def manage_course(course_id: int):
    """A course's editions and sessions, with links to change them."""
    course = _course(course_id)
    return render_template(
        "catalogue/manage_course.html", course=course, organiser=course.organiser,
        delete_form=FlaskForm(), questions=course_questions(course.id),
        co_organisers=[partner.organiser for partner in course.co_organisers],
        may_choose_co_organisers=can_choose_co_organisers(current_user, course),
    )


@bp.route("/manage/courses/<int:course_id>/co-organisers", methods=["GET", "POST"])
@login_required
def course_co_organisers(course_id: int):
    """The lead organiser's coordinators tick the organisers that organise the course with them."""
    try:
        course = co_organisers.course_to_share(current_user, course_id)
    except ServiceError as error:
        abort(error.status)
    form = CoOrganisersForm()
    form.organiser_ids.choices = [
        (organiser.id, organiser.name) for organiser in co_organisers.organisers_to_choose(course)]

    def done(_result):
        flash(_("Saved."), "success")
        return redirect(url_for("catalogue_manage.manage_course", course_id=course.id))

    if not form.is_submitted():
        form.organiser_ids.data = [o.id for o in co_organisers.co_organisers_of(course.id)]
    return _form_page(
        form, "catalogue/co_organisers.html",
        lambda: co_organisers.set_co_organisers(current_user, course.id,
                                                form.organiser_ids.data or []),
        done, course=course, organiser=db.session.get(Organiser, course.organiser_id),
    )


@bp.route("/manage/courses/<int:course_id>/edit", methods=["GET", "POST"])
@login_required
def edit_course(course_id: int):
    """Change a course and its completion rule."""
    course = _course(course_id)
    form = CourseForm(obj=course)
    if not form.is_submitted():
        form.tracks.data = [track.value for track in course.tracks]
    return _form_page(
        form, "catalogue/course_form.html",
        lambda: services.update_course(current_user, course, **form.service_fields()),
        _saved(_("The course has been saved."), "catalogue_manage.manage_course", course_id=course.id),
        organiser=course.organiser, course=course,
    )


@bp.route("/manage/courses/<int:course_id>/editions/new", methods=["GET", "POST"])
@login_required
def new_edition(course_id: int):
    """Add an edition (a run at a place and dates) to a course."""
    course = _course(course_id)
    form = NewEditionForm()
    _trainer_choices(form, course.id)
    return _form_page(
        form, "catalogue/edition_form.html",
        lambda: form.create_once(Edition, lambda: services.create_edition(
            current_user, course, capacity=form.capacity.data, **form.service_fields()
        )),
        _saved(_("The edition has been created. Now add its sessions."),
               "catalogue_manage.manage_course", course_id=course.id),
        course=course, edition=None,
    )


@bp.route("/manage/editions/<int:edition_id>/edit", methods=["GET", "POST"])
@login_required
def edit_edition(edition_id: int):
    """Change an edition's place, dates and trainers."""
    edition = _edition(edition_id)
    form = EditionForm(obj=edition)
    _trainer_choices(form, edition.course_id)
    if not form.is_submitted():
        form.trainer_ids.data = [trainer.id for trainer in edition.trainers]
        for name in ("enrolment_opens_at", "enrolment_closes_at"):
            moment = getattr(edition, name)
            getattr(form, name).data = timeutil.local(moment).replace(tzinfo=None) if moment else None
    return _form_page(
        form, "catalogue/edition_form.html",
        lambda: services.update_edition(current_user, edition, **form.service_fields()),
        _saved(_("The edition has been saved."), "catalogue_manage.manage_course",
               course_id=edition.course_id),
        course=edition.course, edition=edition,
    )


@bp.route("/manage/editions/<int:edition_id>/copy", methods=["GET", "POST"])
@login_required
def copy_edition(edition_id: int):
    """Copy an edition (place, seats, trainers, sessions) to a new first day, dates shown first."""
    edition = _edition(edition_id)
    form = CopyEditionForm()
    return _preview_page(
        form, "catalogue/copy_edition.html",
        lambda: repeat.plan_copy(edition, form.starts_on.data),
        lambda: form.create_once(Edition, lambda: repeat.copy_edition(
            current_user, edition, form.starts_on.data)),
        _saved(_("The copy has been created. Nobody is enrolled in it yet."),
               "catalogue_manage.manage_course", course_id=edition.course_id),
        edition=edition, course=edition.course,
    )


@bp.route("/manage/editions/<int:edition_id>/sessions/series", methods=["GET", "POST"])
@login_required
def new_series(edition_id: int):
    """Add sessions that repeat weekly or monthly, dates shown first."""
    edition = _edition(edition_id)
    form = SeriesForm()
    if not form.is_submitted():
        form.first_day.data = max(edition.starts_on, timeutil.today())
    # A series is remembered by its first session: sent twice, it is added once.
    return _preview_page(
        form, "catalogue/series_form.html",
        lambda: repeat.plan_series(edition, **form.service_fields()),
        lambda: form.create_once(TrainingSession, lambda: repeat.create_series(
            current_user, edition, **form.service_fields())[0]),
        _saved(_("The sessions have been added."), "catalogue_manage.manage_course",
               course_id=edition.course_id),
        edition=edition, course=edition.course,
    )


@bp.route("/manage/editions/<int:edition_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(edition_id: int):
    """Add a session to an edition."""
    edition = _edition(edition_id)
    form = NewSessionForm()
    if not form.is_submitted():
        form.day.data = edition.starts_on
    return _form_page(
        form, "catalogue/session_form.html",
        lambda: form.create_once(TrainingSession, lambda: services.create_session(
            current_user, edition, **form.service_fields())),
        _saved(_("The session has been added."), "catalogue_manage.manage_course",
               course_id=edition.course_id),
        edition=edition, course=edition.course, session=None,
    )


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    """Change a session's day, times or room."""
    session, edition = _session(session_id)
    form = SessionForm(obj=session)
    if not form.is_submitted():
        starts, ends = timeutil.local(session.starts_at), timeutil.local(session.ends_at)
        form.day.data, form.starts.data, form.ends.data = starts.date(), starts.time(), ends.time()
    return _form_page(
        form, "catalogue/session_form.html",
        lambda: services.update_session(current_user, session, **form.service_fields()),
        _saved(_("The session has been saved."), "catalogue_manage.manage_course",
               course_id=edition.course_id),
        edition=edition, course=edition.course, session=session,
    )


@bp.post("/manage/sessions/<int:session_id>/delete")
@login_required
def delete_session(session_id: int):
    """Delete a session that has no attendance yet."""
    session, edition = _session(session_id)
    try:
        services.delete_session(current_user, session)
    except ServiceError as error:
        return render_error(error.status, error.message)
    flash(_("The session has been deleted."), "success")
    return redirect(url_for("catalogue_manage.manage_course", course_id=edition.course_id))


def _question(question_id: int) -> tuple[EnrolmentQuestion, Course]:
    question = db.session.get(EnrolmentQuestion, question_id)
    if question is None:
        abort(404)
    return question, _course(question.course_id)


@bp.route("/manage/courses/<int:course_id>/questions/new", methods=["GET", "POST"])
@login_required
def new_question(course_id: int):
    """Add a question the course asks at enrolment, with why it asks it."""
    course = _course(course_id)
    form = NewEnrolmentQuestionForm()
    return _form_page(
        form, "catalogue/question_form.html",
        lambda: form.create_once(EnrolmentQuestion, lambda: question_authoring.add_question(
            current_user, course, **form.service_fields())),
        _saved(_("The question has been added."), "catalogue_manage.manage_course",
               course_id=course.id),
        course=course, question=None,
    )


@bp.route("/manage/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(question_id: int):
    """Change a question; answers already given stay readable."""
    question, course = _question(question_id)
    form = EnrolmentQuestionForm(obj=question)
    if not form.is_submitted():
        form.kind.data = question.kind.value
        form.choices.data = question.choices_text
    return _form_page(
        form, "catalogue/question_form.html",
        lambda: question_authoring.update_question(current_user, question,
                                                   **form.service_fields()),
        _saved(_("The question has been saved."), "catalogue_manage.manage_course",
               course_id=course.id),
        course=course, question=question,
    )


@bp.post("/manage/questions/<int:question_id>/remove")
@login_required
def remove_question(question_id: int):
    """Stop asking a question: deleted when unanswered, else kept (archived) with its answers."""
    question, course = _question(question_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    deleted = question_authoring.remove_question(current_user, question)
    flash(_("The question has been deleted.") if deleted else
          _("The question is no longer asked; the answers already given stay on the roster."),
          "success")
    return redirect(url_for("catalogue_manage.manage_course", course_id=course.id))
