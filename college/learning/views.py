"""Pages for modules and quizzes: thin, every rule is in the learning services."""

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
from flask_wtf import FlaskForm

from college import policy
from college.errors import Invalid, ServiceError
from college.forms import attach_error, safe_next
from college.learning import access, attempts, images, modules, quiz_authoring
from college.learning.content import render_markdown
from college.learning.forms import (
    EXTRA_CHOICE_ROWS,
    AnswerForm,
    ModuleForm,
    ModuleImageForm,
    NewModuleForm,
    NewQuestionForm,
    QuestionForm,
    QuizSettingsForm,
    StartQuizForm,
)
from college.learning.models import (
    Attempt,
    AttemptStatus,
    Module,
    Question,
    QuestionKind,
)

bp = Blueprint("learning", __name__)
bp.add_app_template_filter(render_markdown, "markdown")


def _message(error: ServiceError, back: str | None = None):
    """A refusal on its own page, with its status and a way back."""
    return render_template("learning/message.html", message=error.message, back=back), error.status


def _course(course_id: int, *, edit: bool = False):
    try:
        course = access.get_course(course_id)
    except ServiceError:
        abort(404)
    allowed = access.can_edit(current_user, course) if edit else access.can_follow(
        current_user, course)
    if not allowed:
        abort(403)
    return course


def _direction() -> str:
    return request.form.get("direction", "")


# --- learner overview and modules -----------------------------------------------------------


@bp.get("/learning")
@login_required
def my_learning():
    """The learner's courses with their module progress."""
    courses = modules.followed_courses(current_user)
    progress = modules.progress_by_course(current_user.id, [c.id for c in courses])
    return render_template("learning/my_learning.html", courses=courses, progress=progress)


@bp.get("/courses/<int:course_id>/learning")
@login_required
def course(course_id: int):
    """A course's modules, the learner's progress and the quiz."""
    course = _course(course_id)
    shown = modules.visible_modules(current_user, course)
    quiz = access.current_quiz(course.id, with_questions=True)
    done = modules.completed_module_ids(current_user.id, course.id)
    progress = modules.progress_by_course(current_user.id, [course.id])[course.id]
    # Looking at the course grades an attempt whose time ran out, so list attempts after it.
    open_attempt = attempts.open_attempt(current_user.id, course.id) if quiz else None
    taken = attempts.attempts_of(current_user.id, course.id)
    return render_template(
        "learning/course.html", course=course, modules=shown, done=done, progress=progress,
        quiz=quiz, attempts=taken, open_attempt=open_attempt,
        best=attempts.best_attempt(current_user.id, course.id),
        attempts_left=attempts.attempts_left(current_user.id, course.id, quiz) if quiz else None,
        can_edit=access.can_edit(current_user, course),
    )


@bp.get("/courses/<int:course_id>/modules/<int:module_id>")
@login_required
def module(course_id: int, module_id: int):
    """Read one module."""
    course = _course(course_id)
    shown = modules.visible_modules(current_user, course)
    index = next((i for i, m in enumerate(shown) if m.id == module_id), None)
    if index is None:
        abort(404)
    return render_template(
        "learning/module.html", course=course, module=shown[index],
        previous=shown[index - 1] if index > 0 else None,
        next=shown[index + 1] if index + 1 < len(shown) else None,
        done=module_id in modules.completed_module_ids(current_user.id, course.id),
        can_mark=policy.can_follow_course(current_user, course.id),
    )


@bp.post("/courses/<int:course_id>/modules/<int:module_id>/done")
@login_required
def complete_module(course_id: int, module_id: int):
    """Mark a module as done."""
    try:
        modules.complete_module(current_user, course_id, module_id)
    except ServiceError as error:
        return _message(error, url_for("learning.course", course_id=course_id))
    flash(_("Well done: this module is marked as done."), "success")
    return redirect(url_for("learning.module", course_id=course_id, module_id=module_id))


# --- writing modules ------------------------------------------------------------------------


def _module_form_page(form, course, module, status: int = 200):
    """The module editor with the course's pictures and the form to add one."""
    return render_template("learning/module_form.html", form=form, course=course, module=module,
                           image_ids=images.course_image_ids(course.id),
                           image_form=ModuleImageForm(formdata=None)), status


@bp.post("/courses/<int:course_id>/images")
@login_required
def add_image(course_id: int):
    """Upload a picture for the course's modules; back to the editor it came from."""
    course = _course(course_id, edit=True)
    form = ModuleImageForm()
    if form.validate_on_submit():
        try:
            added = images.add_module_image(current_user, course.id,
                                            form.image.data.read(images.IMAGE_MAX_BYTES + 1))
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(_("The picture is added. Copy this line into the text where it should appear: "
                    "%(line)s", line=f"![{_('describe the picture')}]"
                    f"({url_for('learning.module_image', course_id=course.id, image_id=added.id)})"),
                  "success")
    else:
        for errors in form.errors.values():
            flash(errors[0], "error")
    return redirect(safe_next("learning.new_module", course_id=course.id))


@bp.post("/courses/<int:course_id>/images/<int:image_id>/delete")
@login_required
def delete_image(course_id: int, image_id: int):
    """Remove a picture that no module shows; back to the editor it came from."""
    course = _course(course_id, edit=True)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        images.delete_module_image(current_user, course.id, image_id)
    except ServiceError as error:
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
    else:
        flash(_("The picture is deleted."), "success")
    return redirect(safe_next("learning.new_module", course_id=course.id))


@bp.get("/courses/<int:course_id>/images/<int:image_id>")
@login_required
def module_image(course_id: int, image_id: int):
    """A picture of the course's modules, for whoever may read them."""
    course = _course(course_id)
    try:
        found = images.module_image(course.id, image_id)
    except ServiceError:
        abort(404)
    response = make_response(found.content)
    response.headers["Content-Type"] = found.mimetype
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/courses/<int:course_id>/modules/new", methods=["GET", "POST"])
@login_required
def new_module(course_id: int):
    """Write a new module."""
    course = _course(course_id, edit=True)
    form = NewModuleForm()
    if form.validate_on_submit():
        try:
            module = form.create_once(Module, lambda: modules.create_module(
                current_user, course.id, title=form.title.data, minutes=form.minutes.data,
                body_markdown=form.body_markdown.data,
            ))
        except ServiceError as error:
            attach_error(form, error)
            return _module_form_page(form, course, None, error.status)
        flash(_("Module saved."), "success")
        return redirect(url_for("learning.module", course_id=course.id, module_id=module.id))
    status = 422 if form.is_submitted() else 200
    return _module_form_page(form, course, None, status)


@bp.route("/courses/<int:course_id>/modules/<int:module_id>/edit", methods=["GET", "POST"])
@login_required
def edit_module(course_id: int, module_id: int):
    """Change a module."""
    course = _course(course_id, edit=True)
    try:
        module = modules.get_module(course, module_id)
    except ServiceError:
        abort(404)
    form = ModuleForm(obj=module)
    if form.validate_on_submit():
        try:
            modules.update_module(current_user, course.id, module.id, title=form.title.data,
                                   minutes=form.minutes.data, body_markdown=form.body_markdown.data)
        except ServiceError as error:
            attach_error(form, error)
            return _module_form_page(form, course, module, error.status)
        flash(_("Module saved."), "success")
        return redirect(url_for("learning.module", course_id=course.id, module_id=module.id))
    status = 422 if form.is_submitted() else 200
    return _module_form_page(form, course, module, status)


@bp.post("/courses/<int:course_id>/modules/<int:module_id>/move")
@login_required
def move_module(course_id: int, module_id: int):
    """Move a module up or down."""
    try:
        modules.move_module(current_user, course_id, module_id, _direction())
    except ServiceError as error:
        return _message(error, url_for("learning.course", course_id=course_id))
    return redirect(url_for("learning.course", course_id=course_id))


@bp.post("/courses/<int:course_id>/modules/<int:module_id>/publish")
@login_required
def publish_module(course_id: int, module_id: int):
    """Publish or unpublish a module."""
    published = request.form.get("published") == "1"
    try:
        modules.set_module_published(current_user, course_id, module_id, published)
    except ServiceError as error:
        return _message(error, url_for("learning.course", course_id=course_id))
    flash(_("The module is published.") if published
          else _("The module is hidden from learners."), "success")
    return redirect(url_for("learning.course", course_id=course_id))


@bp.post("/courses/<int:course_id>/modules/<int:module_id>/delete")
@login_required
def delete_module(course_id: int, module_id: int):
    """Remove a module."""
    try:
        modules.delete_module(current_user, course_id, module_id)
    except ServiceError as error:
        return _message(error, url_for("learning.course", course_id=course_id))
    flash(_("The module has been removed."), "success")
    return redirect(url_for("learning.course", course_id=course_id))


# --- building the quiz ----------------------------------------------------------------------


@bp.route("/courses/<int:course_id>/quiz/edit", methods=["GET", "POST"])
@login_required
def edit_quiz(course_id: int):
    """Quiz settings and the list of questions."""
    course = _course(course_id, edit=True)
    quiz = access.current_quiz(course.id, with_questions=True)
    form = QuizSettingsForm(obj=quiz)
    if request.method == "GET":
        form.pass_pct.data = course.quiz_pass_pct
        if quiz:
            form.show_answers.data = quiz.show_answers.value
    if form.validate_on_submit():
        try:
            quiz_authoring.save_quiz_settings(
                current_user, course.id, title=form.title.data, pass_pct=form.pass_pct.data,
                max_attempts=form.max_attempts.data,
                time_limit_minutes=form.time_limit_minutes.data,
                shuffle_questions=form.shuffle_questions.data,
                shuffle_choices=form.shuffle_choices.data, show_answers=form.show_answers.data,
            )
        except ServiceError as error:
            attach_error(form, error)
            return render_template("learning/quiz_edit.html", form=form, course=course,
                                   quiz=quiz), error.status
        flash(_("Quiz settings saved."), "success")
        return redirect(url_for("learning.edit_quiz", course_id=course.id))
    status = 422 if form.is_submitted() else 200
    return render_template("learning/quiz_edit.html", form=form, course=course, quiz=quiz), status


def _choice_inputs(form: QuestionForm) -> list[quiz_authoring.ChoiceInput]:
    inputs = []
    for row in form.choices:
        if row.remove.data or not (row.text.data or "").strip():
            continue
        try:
            choice_id = int(row.choice_id.data) if row.choice_id.data else None
        except ValueError as error:
            raise Invalid(_("A choice does not belong to this question."), field="choices") from error
        inputs.append(quiz_authoring.ChoiceInput(text=row.text.data, correct=row.correct.data,
                                           feedback=row.feedback.data or "", id=choice_id))
    return inputs


def _question_page(form, course, question, status=200):
    return render_template("learning/question_form.html", form=form, course=course,
                           question=question), status


@bp.route("/courses/<int:course_id>/quiz/questions/new", methods=["GET", "POST"])
@bp.route("/courses/<int:course_id>/quiz/questions/<int:question_id>/edit",
          methods=["GET", "POST"])
@login_required
def edit_question(course_id: int, question_id: int | None = None):
    """Write a question with its choices, or change one."""
    course = _course(course_id, edit=True)
    question = None
    if question_id is not None:
        try:
            question = quiz_authoring.get_question(course, question_id)
        except ServiceError:
            abort(404)
    form = QuestionForm() if question is not None else NewQuestionForm()
    if request.method == "GET" and question is not None:
        form = QuestionForm(data={
            "text": question.text, "kind": question.kind.value,
            "choices": [{"choice_id": str(c.id), "text": c.text, "correct": c.correct,
                         "feedback": c.feedback} for c in question.choices]
            + [{}] * EXTRA_CHOICE_ROWS,
        })
    if form.validate_on_submit():
        try:
            def save():
                return quiz_authoring.save_question(
                    current_user, course.id, text=form.text.data, kind=form.kind.data,
                    choices=_choice_inputs(form), question_id=question_id)

            if question is None:
                form.create_once(Question, save)
            else:
                save()
        except ServiceError as error:
            attach_error(form, error)
            return _question_page(form, course, question, error.status)
        flash(_("Question saved."), "success")
        return redirect(url_for("learning.edit_quiz", course_id=course.id))
    return _question_page(form, course, question, 422 if form.is_submitted() else 200)


@bp.post("/courses/<int:course_id>/quiz/questions/<int:question_id>/move")
@login_required
def move_question(course_id: int, question_id: int):
    """Move a question up or down."""
    try:
        quiz_authoring.move_question(current_user, course_id, question_id, _direction())
    except ServiceError as error:
        return _message(error, url_for("learning.edit_quiz", course_id=course_id))
    return redirect(url_for("learning.edit_quiz", course_id=course_id))


@bp.post("/courses/<int:course_id>/quiz/questions/<int:question_id>/remove")
@login_required
def remove_question(course_id: int, question_id: int):
    """Remove a question."""
    try:
        quiz_authoring.remove_question(current_user, course_id, question_id)
    except ServiceError as error:
        return _message(error, url_for("learning.edit_quiz", course_id=course_id))
    flash(_("Question removed."), "success")
    return redirect(url_for("learning.edit_quiz", course_id=course_id))


@bp.post("/courses/<int:course_id>/quiz/questions/<int:question_id>/choices/<int:choice_id>/move")
@login_required
def move_choice(course_id: int, question_id: int, choice_id: int):
    """Move a choice up or down."""
    try:
        quiz_authoring.move_choice(current_user, course_id, question_id, choice_id, _direction())
    except ServiceError as error:
        return _message(error, url_for("learning.edit_quiz", course_id=course_id))
    return redirect(url_for("learning.edit_quiz", course_id=course_id))


@bp.get("/courses/<int:course_id>/quiz/results")
@login_required
def quiz_results(course_id: int):
    """Every learner's attempts, for trainers and coordinators."""
    course = _course(course_id, edit=True)
    return render_template("learning/quiz_results.html", course=course,
                           attempts=attempts.course_attempts(current_user, course.id))


# --- taking the quiz ------------------------------------------------------------------------


@bp.post("/courses/<int:course_id>/quiz/start")
@login_required
def start_attempt(course_id: int):
    """Start an attempt and show its first question."""
    form = StartQuizForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        attempt = form.create_once(Attempt, lambda: attempts.start_attempt(current_user, course_id))
    except ServiceError as error:
        return _message(error, url_for("learning.course", course_id=course_id))
    return redirect(url_for("learning.attempt_question", attempt_id=attempt.id, number=1))


def _picked_from_form() -> dict[int, list[int]]:
    form = AnswerForm()
    if not form.validate():
        raise Invalid(_("That answer does not belong to this question."), field="choice")
    return {form.question_id.data: form.choice.data or []}


@bp.route("/quiz/attempts/<int:attempt_id>/questions/<int:number>", methods=["GET", "POST"])
@login_required
def attempt_question(attempt_id: int, number: int):
    """One question per screen; each step saves the answer."""
    try:
        if request.method == "POST":
            # Saving first lets the service refuse late or foreign answers with its own message.
            try:
                attempt = attempts.save_answers(current_user, attempt_id, _picked_from_form())
            except attempts.TimeUp as error:
                attempts.hand_in(current_user, attempt_id)
                flash(error.message, "info")
                return redirect(url_for("learning.attempt_result", attempt_id=attempt_id))
        else:
            attempt = attempts.own_attempt(current_user, attempt_id)
        if attempt.status != AttemptStatus.OPEN:
            return redirect(url_for("learning.attempt_result", attempt_id=attempt.id))
        questions = attempts.ordered_questions(attempt)
        if not 1 <= number <= len(questions):
            abort(404)
        if request.method == "POST":
            step = request.form.get("go")
            if step == "previous" and number > 1:
                target = url_for("learning.attempt_question", attempt_id=attempt.id,
                                 number=number - 1)
            elif step == "next" and number < len(questions):
                target = url_for("learning.attempt_question", attempt_id=attempt.id,
                                 number=number + 1)
            else:
                target = url_for("learning.attempt_review", attempt_id=attempt.id)
            return redirect(target)
    except ServiceError as error:
        return _message(error, url_for("learning.attempt_result", attempt_id=attempt_id))
    question, choices = questions[number - 1]
    return render_template(
        "learning/attempt_question.html", attempt=attempt, question=question, choices=choices,
        number=number, count=len(questions),
        picked=attempts.picked_choices(attempt).get(question.id, set()),
        multiple=question.kind == QuestionKind.MULTIPLE,
        seconds_left=attempts.seconds_left(attempt),
    )


@bp.get("/quiz/attempts/<int:attempt_id>/review")
@login_required
def attempt_review(attempt_id: int):
    """Which questions are answered, and the button to hand in."""
    try:
        attempt = attempts.own_attempt(current_user, attempt_id)
    except ServiceError as error:
        return _message(error)
    if attempt.status != AttemptStatus.OPEN:
        return redirect(url_for("learning.attempt_result", attempt_id=attempt.id))
    return render_template("learning/attempt_review.html", attempt=attempt,
                           questions=attempts.ordered_questions(attempt),
                           picked=attempts.picked_choices(attempt),
                           seconds_left=attempts.seconds_left(attempt))


@bp.post("/quiz/attempts/<int:attempt_id>/submit")
@login_required
def submit_attempt(attempt_id: int):
    """Hand in the attempt; it is graded once, and a double click just shows the result."""
    try:
        attempts.hand_in(current_user, attempt_id)
    except ServiceError as error:
        return _message(error, url_for("learning.attempt_result", attempt_id=attempt_id))
    return redirect(url_for("learning.attempt_result", attempt_id=attempt_id))


@bp.get("/quiz/attempts/<int:attempt_id>")
@login_required
def attempt_result(attempt_id: int):
    """The result of an attempt, in plain words, with answers when review is allowed."""
    try:
        attempt = attempts.get_attempt(current_user, attempt_id)
    except ServiceError as error:
        return _message(error)
    if attempt.status == AttemptStatus.OPEN and attempt.learner_id == current_user.id:
        return redirect(url_for("learning.attempt_review", attempt_id=attempt.id))
    course = attempt.quiz.course
    review = attempts.may_review(current_user, attempt)
    results = attempts.question_results(attempt)
    return render_template(
        "learning/attempt_result.html", attempt=attempt, course=course, review=review,
        results=results if review else None,
        correct=sum(result.correct for result in results), total=len(results),
        attempts_left=attempts.attempts_left(attempt.learner_id, course.id, attempt.quiz),
        staff=access.can_edit(current_user, course),
    )
