"""What changes modules and quizzes: authoring, progress, and the attempt lifecycle.

Every rule of a quiz attempt lives here, so the pages and the JSON API enforce the same ones.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from college import policy, timeutil
from college.accounts.models import User
from college.catalogue.models import Course, Edition
from college.enrolment.models import Enrolment, EnrolmentStatus
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.learning.grading import question_points, score_pct
from college.learning.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Choice,
    Module,
    ModuleCompletion,
    Question,
    QuestionKind,
    Quiz,
    ShowAnswers,
)
from college.signals import completion_rule_changed, learning_progressed

#: Answers arriving this long after the deadline still count (network, a slow phone).
GRACE = timedelta(seconds=30)
MAX_MINUTES = 24 * 60


# --- access -------------------------------------------------------------------------------


def get_course(course_id: int) -> Course:
    """The course, or NotFound."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound(_("This course does not exist."))
    return course


def can_edit(user: User, course: Course) -> bool:
    """May the user write this course's modules and quiz?"""
    return policy.can_edit_course_content(user, course.organiser_id)


def can_follow(user: User, course: Course) -> bool:
    """May the user read this course's modules and take its quiz (or preview them as staff)?"""
    return can_edit(user, course) or policy.can_follow_course(user, course.id)


def _require_editor(actor: User, course: Course) -> None:
    if not can_edit(actor, course):
        raise NotAllowed(_("Only trainers and coordinators of the organiser can change this course."))


def _editor_course(actor: User, course_id: int) -> Course:
    course = get_course(course_id)
    _require_editor(actor, course)
    return course


def _require_learner(user: User, course: Course) -> None:
    if not policy.can_follow_course(user, course.id):
        raise NotAllowed(_("You need an enrolment in this course to do this."))


def _signal_progress(course_id: int, learner_id: int) -> None:
    learning_progressed.send(current_app._get_current_object(), course_id=course_id,
                             learner_id=learner_id)


def _signal_rule_changed(course_id: int) -> None:
    completion_rule_changed.send(current_app._get_current_object(), course_id=course_id)


def _flush_rule_change(course_id: int) -> None:
    """Flush a change to what a course asks of learners and tell the completion rule."""
    db.session.flush()
    _signal_rule_changed(course_id)


def _move(items: list, item_id: int, direction: str) -> bool:
    """Swap an item with its neighbour and renumber positions; False when it cannot move."""
    if direction not in ("up", "down"):
        raise Invalid(_("Choose up or down."), field="direction")
    index = next((i for i, item in enumerate(items) if item.id == item_id), None)
    if index is None:
        raise NotFound(_("This item is not part of the list."))
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items):
        item.position = position
    return True


# --- modules ------------------------------------------------------------------------------


def _clean_module_fields(title: str, body_markdown: str, minutes: int | None) -> tuple[str, str, int]:
    title = (title or "").strip()
    if not title:
        raise Invalid(_("Give the module a title."), field="title")
    if len(title) > 200:
        raise Invalid(_("The title can be at most 200 characters."), field="title")
    if minutes is None or not 0 <= minutes <= MAX_MINUTES:
        raise Invalid(_("Estimated minutes must be between 0 and 1440."), field="minutes")
    return title, body_markdown or "", minutes


def _ordered_modules(course_id: int) -> list[Module]:
    return list(db.session.scalars(
        select(Module).where(Module.course_id == course_id).order_by(Module.position, Module.id)
    ))


def get_module(course: Course, module_id: int) -> Module:
    """A module of this course, or NotFound."""
    module = db.session.get(Module, module_id)
    if module is None or module.course_id != course.id:
        raise NotFound(_("This module does not exist."))
    return module


def create_module(
    actor: User, course_id: int, *, title: str, body_markdown: str, minutes: int,
    published: bool = True,
) -> Module:
    """Add a module at the end of the course."""
    course = _editor_course(actor, course_id)
    title, body_markdown, minutes = _clean_module_fields(title, body_markdown, minutes)
    last = db.session.scalar(select(func.max(Module.position)).where(Module.course_id == course.id))
    module = Module(course_id=course.id, title=title, body_markdown=body_markdown, minutes=minutes,
                    published=published, position=(last + 1) if last is not None else 0)
    db.session.add(module)
    _flush_rule_change(course.id)
    return module


def update_module(
    actor: User, course_id: int, module_id: int, *, title: str, body_markdown: str, minutes: int
) -> Module:
    """Change a module's title, text and estimated minutes."""
    course = _editor_course(actor, course_id)
    module = get_module(course, module_id)
    module.title, module.body_markdown, module.minutes = _clean_module_fields(
        title, body_markdown, minutes
    )
    module.updated_at = timeutil.now()
    db.session.flush()
    return module


def move_module(actor: User, course_id: int, module_id: int, direction: str) -> None:
    """Move a module one place up or down."""
    course = _editor_course(actor, course_id)
    get_module(course, module_id)
    _move(_ordered_modules(course.id), module_id, direction)
    db.session.flush()


def set_module_published(actor: User, course_id: int, module_id: int, published: bool) -> Module:
    """Publish or unpublish a module; learners never see unpublished ones."""
    course = _editor_course(actor, course_id)
    module = get_module(course, module_id)
    if module.published != published:
        module.published = published
        module.updated_at = timeutil.now()
        db.session.flush()
        _signal_rule_changed(course.id)
    return module


def delete_module(actor: User, course_id: int, module_id: int) -> None:
    """Remove a module and learners' completions of it."""
    course = _editor_course(actor, course_id)
    module = get_module(course, module_id)
    db.session.execute(delete(ModuleCompletion).where(ModuleCompletion.module_id == module.id))
    db.session.delete(module)
    _flush_rule_change(course.id)


def visible_modules(user: User, course: Course) -> list[Module]:
    """The course's modules in order: all for its editors, published ones for learners."""
    query = select(Module).where(Module.course_id == course.id)
    if not can_edit(user, course):
        query = query.where(Module.published.is_(True))
    return list(db.session.scalars(query.order_by(Module.position, Module.id)))


def complete_module(learner: User, course_id: int, module_id: int) -> ModuleCompletion:
    """Mark a published module as done for the learner (doing it twice changes nothing)."""
    course = get_course(course_id)
    _require_learner(learner, course)
    module = get_module(course, module_id)
    if not module.published:
        raise NotFound(_("This module does not exist."))
    completion = db.session.get(ModuleCompletion, (module.id, learner.id))
    if completion is not None:
        return completion
    completion = ModuleCompletion(module_id=module.id, learner_id=learner.id)
    try:
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:  # marked done in another tab at the same moment
        return db.session.get(ModuleCompletion, (module.id, learner.id))
    _signal_progress(course.id, learner.id)
    return completion


def completed_module_ids(learner_id: int, course_id: int) -> set[int]:
    """Ids of the course's modules the learner marked done."""
    return set(db.session.scalars(
        select(ModuleCompletion.module_id)
        .join(Module, Module.id == ModuleCompletion.module_id)
        .where(ModuleCompletion.learner_id == learner_id, Module.course_id == course_id)
    ))


@dataclass(frozen=True)
class Progress:
    """How many of a course's published modules a learner has done."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(self.done / self.total * 100) if self.total else 0


def progress_by_course(learner_id: int, course_ids: Collection[int]) -> dict[int, Progress]:
    """Module progress per course for one learner, in one query."""
    if not course_ids:
        return {}
    done = func.count(ModuleCompletion.module_id)
    rows = db.session.execute(
        select(Module.course_id, func.count(Module.id), done)
        .outerjoin(ModuleCompletion, (ModuleCompletion.module_id == Module.id)
                   & (ModuleCompletion.learner_id == learner_id))
        .where(Module.course_id.in_(course_ids), Module.published.is_(True))
        .group_by(Module.course_id)
    )
    result = {course_id: Progress(0, 0) for course_id in course_ids}
    for course_id, total, completed in rows:
        result[course_id] = Progress(completed, total)
    return result


def followed_courses(learner: User) -> list[Course]:
    """Courses in which the learner holds a live enrolment, by title."""

    return list(db.session.scalars(
        select(Course).where(Course.id.in_(
            select(Edition.course_id).join(Enrolment, Enrolment.edition_id == Edition.id).where(
                Enrolment.learner_id == learner.id,
                Enrolment.status.in_((EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)),
            )
        )).order_by(Course.title)
    ))


# --- quiz authoring -----------------------------------------------------------------------


@dataclass
class ChoiceInput:
    """A choice as an author wrote it; `id` names an existing choice being edited."""

    text: str
    correct: bool = False
    feedback: str = ""
    id: int | None = None


def current_quiz(course_id: int, *, with_questions: bool = False) -> Quiz | None:
    """The course's current quiz version, optionally with questions and choices loaded."""
    query = select(Quiz).where(Quiz.course_id == course_id, Quiz.is_current.is_(True))
    if with_questions:
        # populate_existing: a quiz already in the session (just edited) gets its questions
        # as the database now holds them.
        query = query.options(
            selectinload(Quiz.questions).selectinload(Question.choices)
        ).execution_options(populate_existing=True)
    return db.session.scalar(query)


def _quiz_has_attempts(quiz_id: int) -> bool:
    return db.session.scalar(
        select(func.count(Attempt.id)).where(Attempt.quiz_id == quiz_id)
    ) > 0


@dataclass
class QuizSettings:
    """A quiz's settings as an author gives them; the pass mark is the course's."""

    pass_pct: int
    title: str = ""
    max_attempts: int | None = None
    time_limit_minutes: int | None = None
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    show_answers: ShowAnswers | str = ShowAnswers.AFTER_ATTEMPT


def _checked_settings(settings: QuizSettings) -> QuizSettings:
    """The settings with their values checked (Invalid per field otherwise)."""
    if settings.pass_pct is None or not 0 <= settings.pass_pct <= 100:
        raise Invalid(_("The pass mark must be a percentage between 0 and 100."), field="pass_pct")
    if settings.max_attempts is not None and settings.max_attempts < 1:
        raise Invalid(_("Allow at least 1 attempt, or leave empty for unlimited."),
                      field="max_attempts")
    if settings.time_limit_minutes is not None and not 1 <= settings.time_limit_minutes <= MAX_MINUTES:
        raise Invalid(_("The time limit must be between 1 and 1440 minutes, or empty for none."),
                      field="time_limit_minutes")
    try:
        show_answers = ShowAnswers(settings.show_answers)
    except ValueError as error:
        raise Invalid(_("Choose when learners may see the correct answers."),
                      field="show_answers") from error
    title = (settings.title or "").strip()
    if len(title) > 200:
        raise Invalid(_("The title can be at most 200 characters."), field="title")
    return QuizSettings(
        pass_pct=settings.pass_pct, title=title, max_attempts=settings.max_attempts,
        time_limit_minutes=settings.time_limit_minutes,
        shuffle_questions=bool(settings.shuffle_questions),
        shuffle_choices=bool(settings.shuffle_choices), show_answers=show_answers,
    )


def _apply_settings(course: Course, quiz: Quiz, settings: QuizSettings) -> None:
    quiz.title = settings.title
    quiz.max_attempts = settings.max_attempts
    quiz.time_limit_minutes = settings.time_limit_minutes
    quiz.shuffle_questions = settings.shuffle_questions
    quiz.shuffle_choices = settings.shuffle_choices
    quiz.show_answers = settings.show_answers
    course.quiz_pass_pct = settings.pass_pct


def save_quiz_settings(
    actor: User,
    course_id: int,
    *,
    title: str = "",
    pass_pct: int,
    max_attempts: int | None = None,
    time_limit_minutes: int | None = None,
    shuffle_questions: bool = False,
    shuffle_choices: bool = False,
    show_answers: ShowAnswers | str = ShowAnswers.AFTER_ATTEMPT,
) -> Quiz:
    """Create the course's quiz or change its settings (the pass mark is the course's)."""
    course = _editor_course(actor, course_id)
    checked = _checked_settings(QuizSettings(
        pass_pct=pass_pct, title=title, max_attempts=max_attempts,
        time_limit_minutes=time_limit_minutes, shuffle_questions=shuffle_questions,
        shuffle_choices=shuffle_choices, show_answers=show_answers,
    ))
    quiz = current_quiz(course.id)
    if quiz is None:
        quiz = Quiz(course_id=course.id, version=1, is_current=True)
        db.session.add(quiz)
    _apply_settings(course, quiz, checked)
    _flush_rule_change(course.id)
    return quiz


@dataclass
class _EditableQuiz:
    quiz: Quiz
    #: Old question and choice ids mapped to the objects of the version being edited.
    questions: dict[int, Question] = field(default_factory=dict)
    choices: dict[int, Choice] = field(default_factory=dict)


def _editable_quiz(course: Course) -> _EditableQuiz:
    """The current quiz, ready to edit; a new version first when attempts were made on it.

    Attempts point at the version they answered, so they keep their questions as answered.
    """
    quiz = current_quiz(course.id, with_questions=True)
    if quiz is None:
        raise NotFound(_("This course has no quiz yet. Save the quiz settings first."))
    if not _quiz_has_attempts(quiz.id):
        editable = _EditableQuiz(quiz)
        for question in quiz.questions:
            editable.questions[question.id] = question
            for choice in question.choices:
                editable.choices[choice.id] = choice
        return editable
    quiz.is_current = False
    db.session.flush()  # the one-current-version index must see the old one retired first
    copy = Quiz(
        course_id=quiz.course_id, version=quiz.version + 1, is_current=True, title=quiz.title,
        max_attempts=quiz.max_attempts, time_limit_minutes=quiz.time_limit_minutes,
        shuffle_questions=quiz.shuffle_questions, shuffle_choices=quiz.shuffle_choices,
        show_answers=quiz.show_answers, questions=[],
    )
    editable = _EditableQuiz(copy)
    for question in quiz.questions:
        new_question = Question(position=question.position, kind=question.kind,
                                text=question.text, choices=[])
        for choice in question.choices:
            new_choice = Choice(position=choice.position, text=choice.text,
                                correct=choice.correct, feedback=choice.feedback)
            new_question.choices.append(new_choice)
            editable.choices[choice.id] = new_choice
        copy.questions.append(new_question)
        editable.questions[question.id] = new_question
    db.session.add(copy)
    db.session.flush()
    return editable


def _validate_question(text: str, kind: QuestionKind | str, choices: list[ChoiceInput]):
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Write the question."), field="text")
    try:
        kind = QuestionKind(kind)
    except ValueError as error:
        raise Invalid(_("Choose the type of question."), field="kind") from error
    choices = [c for c in choices if (c.text or "").strip()]
    if len(choices) < 2:
        raise Invalid(_("A question needs at least two choices."), field="choices")
    if kind == QuestionKind.TRUE_FALSE and len(choices) != 2:
        raise Invalid(_("A true/false question has exactly two choices."), field="choices")
    correct = sum(1 for c in choices if c.correct)
    if correct == 0:
        raise Invalid(_("Mark at least one choice as correct."), field="choices")
    if kind != QuestionKind.MULTIPLE and correct != 1:
        raise Invalid(_("A single-choice or true/false question has exactly one correct choice."),
                      field="choices")
    return text, kind, choices


def save_question(
    actor: User,
    course_id: int,
    *,
    text: str,
    kind: QuestionKind | str,
    choices: list[ChoiceInput],
    question_id: int | None = None,
) -> Question:
    """Add a question to the quiz, or change one with its choices (empty choices are removed)."""
    course = _editor_course(actor, course_id)
    text, kind, choices = _validate_question(text, kind, choices)
    quiz = current_quiz(course.id, with_questions=True)
    if quiz is None:
        raise NotFound(_("This course has no quiz yet. Save the quiz settings first."))
    if question_id is not None:
        existing = next((q for q in quiz.questions if q.id == question_id), None)
        if existing is None:
            raise NotFound(_("This question is not part of the current quiz."))
        known = {choice.id for choice in existing.choices}
        for choice in choices:
            if choice.id is not None and choice.id not in known:
                raise Invalid(_("A choice does not belong to this question."), field="choices")
    editable = _editable_quiz(course)
    if question_id is None:
        question = Question(kind=kind, text=text, position=len(editable.quiz.questions), choices=[])
        editable.quiz.questions.append(question)
    else:
        question = editable.questions[question_id]
        question.kind, question.text = kind, text
    keep = []
    for position, given in enumerate(choices):
        choice = editable.choices.get(given.id) if given.id is not None else None
        if choice is None:
            choice = Choice(text="")
        choice.text = given.text.strip()
        choice.correct = bool(given.correct)
        choice.feedback = (given.feedback or "").strip()
        choice.position = position
        keep.append(choice)
    question.choices[:] = keep
    _flush_rule_change(course.id)
    return question


@dataclass
class QuestionInput:
    """A question as an author wrote it, with its choices."""

    text: str
    kind: QuestionKind | str
    choices: list[ChoiceInput]


def replace_quiz(actor: User, course_id: int, settings: QuizSettings,
                 questions: list[QuestionInput]) -> Quiz:
    """Set the quiz's settings and replace all its questions at once, all or nothing.

    When the quiz has attempts this makes a new version, so earlier attempts keep theirs.
    """
    course = _editor_course(actor, course_id)
    checked = _checked_settings(settings)
    valid = []
    for number, question in enumerate(questions, start=1):
        try:
            valid.append(_validate_question(question.text, question.kind, question.choices))
        except Invalid as error:
            raise Invalid(_("Question %(number)s: %(problem)s", number=number, problem=error.message),
                          field="questions") from error
    if current_quiz(course.id) is None:
        db.session.add(Quiz(course_id=course.id, version=1, is_current=True, questions=[]))
        db.session.flush()
    editable = _editable_quiz(course)
    _apply_settings(course, editable.quiz, checked)
    editable.quiz.questions[:] = [
        Question(kind=kind, text=text, position=position, choices=[
            Choice(text=choice.text.strip(), correct=bool(choice.correct),
                   feedback=(choice.feedback or "").strip(), position=place)
            for place, choice in enumerate(choices)
        ])
        for position, (text, kind, choices) in enumerate(valid)
    ]
    _flush_rule_change(course.id)
    return current_quiz(course.id, with_questions=True)


def move_question(actor: User, course_id: int, question_id: int, direction: str) -> None:
    """Move a question one place up or down."""
    course = _editor_course(actor, course_id)
    _question_of_current(course, question_id)
    editable = _editable_quiz(course)
    new_id = editable.questions[question_id].id
    if _move(list(editable.quiz.questions), new_id, direction):
        db.session.flush()
        _signal_rule_changed(course.id)


def remove_question(actor: User, course_id: int, question_id: int) -> None:
    """Remove a question from the quiz."""
    course = _editor_course(actor, course_id)
    _question_of_current(course, question_id)
    editable = _editable_quiz(course)
    editable.quiz.questions.remove(editable.questions[question_id])
    for position, question in enumerate(editable.quiz.questions):
        question.position = position
    _flush_rule_change(course.id)


def move_choice(actor: User, course_id: int, question_id: int, choice_id: int,
                direction: str) -> None:
    """Move a choice one place up or down within its question."""
    course = _editor_course(actor, course_id)
    question = _question_of_current(course, question_id)
    if choice_id not in {choice.id for choice in question.choices}:
        raise NotFound(_("This choice is not part of the question."))
    editable = _editable_quiz(course)
    new_question = editable.questions[question_id]
    _move(list(new_question.choices), editable.choices[choice_id].id, direction)
    db.session.flush()


def _question_of_current(course: Course, question_id: int) -> Question:
    quiz = current_quiz(course.id, with_questions=True)
    question = next((q for q in quiz.questions if q.id == question_id), None) if quiz else None
    if question is None:
        raise NotFound(_("This question is not part of the current quiz."))
    return question


def get_question(course: Course, question_id: int) -> Question:
    """A question of the course's current quiz with its choices, or NotFound."""
    return _question_of_current(course, question_id)


# --- attempts -----------------------------------------------------------------------------


def _course_quiz_ids(course_id: int):
    return select(Quiz.id).where(Quiz.course_id == course_id)


def attempts_of(learner_id: int, course_id: int) -> list[Attempt]:
    """The learner's attempts at any version of the course's quiz, newest first."""
    return list(db.session.scalars(
        select(Attempt)
        .where(Attempt.learner_id == learner_id, Attempt.quiz_id.in_(_course_quiz_ids(course_id)))
        .order_by(Attempt.number.desc())
    ))


def best_attempt(learner_id: int, course_id: int) -> Attempt | None:
    """The course's record for the learner: the graded attempt with the highest score."""
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.learner_id == learner_id, Attempt.quiz_id.in_(_course_quiz_ids(course_id)),
               Attempt.status == AttemptStatus.SUBMITTED)
        .order_by(Attempt.score_pct.desc(), Attempt.submitted_at)
        .limit(1)
    )


def attempts_left(learner_id: int, course_id: int, quiz: Quiz) -> int | None:
    """Attempts the learner may still start (None: unlimited); counted over all versions."""
    if quiz.max_attempts is None:
        return None
    used = db.session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.learner_id == learner_id, Attempt.quiz_id.in_(_course_quiz_ids(course_id))
        )
    )
    return max(quiz.max_attempts - used, 0)


def open_attempt(learner_id: int, course_id: int) -> Attempt | None:
    """The learner's open attempt at the course's quiz, after grading one whose time ran out."""
    attempt = db.session.scalar(
        select(Attempt).where(
            Attempt.learner_id == learner_id, Attempt.quiz_id.in_(_course_quiz_ids(course_id)),
            Attempt.status == AttemptStatus.OPEN,
        )
    )
    if attempt is not None and grade_if_expired(attempt.id):
        return None
    return attempt


def start_attempt(learner: User, course_id: int) -> Attempt:
    """Start an attempt at the course's current quiz, within its maximum and one at a time."""
    course = get_course(course_id)
    _require_learner(learner, course)
    # First grade an attempt whose time ran out: that commits, so load the quiz afterwards.
    if open_attempt(learner.id, course.id) is not None:
        raise Conflict(_("You already have an attempt in progress. Continue that one first."))
    quiz = current_quiz(course.id, with_questions=True)
    if quiz is None or not quiz.questions:
        raise NotFound(_("This course has no quiz yet."))
    left = attempts_left(learner.id, course.id, quiz)
    if left == 0:
        raise Conflict(_("You have used all your attempts for this quiz."))
    number = 1 + (db.session.scalar(
        select(func.max(Attempt.number)).where(
            Attempt.learner_id == learner.id, Attempt.quiz_id.in_(_course_quiz_ids(course.id))
        )
    ) or 0)
    started = timeutil.now()
    attempt = Attempt(
        quiz_id=quiz.id, learner_id=learner.id, number=number, status=AttemptStatus.OPEN,
        started_at=started,
        deadline=started + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes else None,
        order_json=_shuffled_order(quiz),
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError as error:  # a second start at the same moment (double click)
        raise Conflict(
            _("You already have an attempt in progress. Continue that one first.")
        ) from error
    return attempt


def _shuffled_order(quiz: Quiz) -> str | None:
    if not (quiz.shuffle_questions or quiz.shuffle_choices):
        return None
    shuffler = random.SystemRandom()
    questions = [q.id for q in quiz.questions]
    if quiz.shuffle_questions:
        shuffler.shuffle(questions)
    choices = {}
    for question in quiz.questions:
        ids = [c.id for c in question.choices]
        if quiz.shuffle_choices and question.kind != QuestionKind.TRUE_FALSE:
            shuffler.shuffle(ids)
        choices[str(question.id)] = ids
    return json.dumps({"questions": questions, "choices": choices})


class TimeUp(Conflict):
    """An answer came after the attempt's time (and its grace) ran out; nothing was saved."""


def _load_attempt(attempt_id: int) -> Attempt:
    attempt = db.session.scalar(
        select(Attempt).where(Attempt.id == attempt_id).options(
            selectinload(Attempt.quiz).selectinload(Quiz.questions).selectinload(Question.choices),
            selectinload(Attempt.quiz).selectinload(Quiz.course),
            selectinload(Attempt.answers),
            selectinload(Attempt.learner),
        )
        # The attempt as the database holds it now, also when this unit of work graded it.
        .execution_options(populate_existing=True)
    )
    if attempt is None:
        raise NotFound(_("This quiz attempt does not exist."))
    return attempt


def get_attempt(user: User, attempt_id: int) -> Attempt:
    """An attempt its learner or the course's editors may look at; graded first when time ran out."""
    attempt = _load_attempt(attempt_id)
    course = attempt.quiz.course
    if attempt.learner_id != user.id and not can_edit(user, course):
        raise NotAllowed(_("This is not your quiz attempt."))
    if grade_if_expired(attempt.id):
        attempt = _load_attempt(attempt_id)
    return attempt


def _own_open_attempt(learner: User, attempt_id: int) -> Attempt:
    attempt = _load_attempt(attempt_id)
    if attempt.learner_id != learner.id:
        raise NotAllowed(_("This is not your quiz attempt."))
    if attempt.status != AttemptStatus.OPEN:
        raise Conflict(_("This attempt has already been submitted and cannot be changed."))
    return attempt


def seconds_left(attempt: Attempt) -> int | None:
    """Whole seconds until the attempt's deadline (0 once passed), None without a time limit."""
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - timeutil.now()).total_seconds()))


def _past_grace(attempt: Attempt) -> bool:
    return attempt.deadline is not None and timeutil.now() > attempt.deadline + GRACE


def _checked_answers(attempt: Attempt, answers: Mapping[int, Collection[int]]):
    questions = {question.id: question for question in attempt.quiz.questions}
    checked: dict[int, set[int]] = {}
    for question_id, choice_ids in answers.items():
        question = questions.get(question_id)
        if question is None:
            raise Invalid(_("This question is not part of your quiz."), field="question")
        picked = set(choice_ids)
        if not picked <= {choice.id for choice in question.choices}:
            raise Invalid(_("That answer does not belong to this question."), field="choice")
        if question.kind != QuestionKind.MULTIPLE and len(picked) > 1:
            raise Invalid(_("Choose only one answer for this question."), field="choice")
        checked[question_id] = picked
    return checked


def _lock_open(attempt_id: int) -> bool:
    """Take the attempt's row lock while it is still open (a no-op UPDATE); False when not open."""
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt_id, Attempt.status == AttemptStatus.OPEN)
        .values(status=AttemptStatus.OPEN).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _write_answers(attempt: Attempt, checked: dict[int, set[int]]) -> None:
    if not checked:
        return
    db.session.execute(
        delete(Answer).where(Answer.attempt_id == attempt.id, Answer.question_id.in_(checked))
    )
    db.session.add_all(
        Answer(attempt_id=attempt.id, question_id=question_id, choice_id=choice_id)
        for question_id, picked in checked.items() for choice_id in sorted(picked)
    )


def _writable_attempt(
    learner: User, attempt_id: int, answers: Mapping[int, Collection[int]]
) -> tuple[Attempt, dict[int, set[int]]]:
    """The learner's open attempt, locked, with the answers checked; refuses late or foreign ones."""
    attempt = _own_open_attempt(learner, attempt_id)
    checked = _checked_answers(attempt, answers)
    if _past_grace(attempt):
        raise TimeUp(_("The time for this quiz is up. The answers you saved in time are graded."))
    if not _lock_open(attempt.id):
        raise Conflict(_("This attempt has already been submitted and cannot be changed."))
    return attempt, checked


def save_answers(learner: User, attempt_id: int, answers: Mapping[int, Collection[int]]) -> Attempt:
    """Replace the learner's answers to the given questions while the attempt is open and in time."""
    attempt, checked = _writable_attempt(learner, attempt_id, answers)
    _write_answers(attempt, checked)
    db.session.flush()
    return attempt


def submit_attempt(
    learner: User, attempt_id: int, answers: Mapping[int, Collection[int]] | None = None
) -> Attempt:
    """Save the last answers and grade the attempt, once: a replayed submit is refused (409)."""
    attempt, checked = _writable_attempt(learner, attempt_id, answers or {})
    _write_answers(attempt, checked)
    db.session.flush()
    _grade(attempt)
    return _load_attempt(attempt_id)


def hand_in(learner: User, attempt_id: int) -> Attempt:
    """Submit the learner's attempt; handing in a graded one again answers with the same grade.

    For clients that retry a request whose answer they lost; the attempt is still graded once.
    """
    attempt = _load_attempt(attempt_id)
    if attempt.learner_id != learner.id:
        raise NotAllowed(_("This is not your quiz attempt."))
    if attempt.status == AttemptStatus.OPEN and _past_grace(attempt):
        # Handed in after the time ran out: the answers saved in time are graded.
        grade_if_expired(attempt.id)
        return _load_attempt(attempt_id)
    if attempt.status == AttemptStatus.OPEN:
        try:
            return submit_attempt(learner, attempt_id)
        except Conflict:
            # Graded in the meantime: by a concurrent hand-in, or because the time ran out.
            db.session.expire_all()
            attempt = _load_attempt(attempt_id)
            if attempt.status == AttemptStatus.OPEN:
                raise
    return attempt


def grade_if_expired(attempt_id: int) -> bool:
    """Grade an open attempt whose time (plus grace) ran out, on its saved answers."""
    attempt = _load_attempt(attempt_id)
    if attempt.status != AttemptStatus.OPEN or not _past_grace(attempt):
        return False
    if not _lock_open(attempt.id):
        return False
    return _grade(attempt)


def expired_attempt_ids(course_id: int | None = None) -> list[int]:
    """Open attempts whose time (plus grace) ran out (of one course, when given)."""
    query = select(Attempt.id).where(Attempt.status == AttemptStatus.OPEN,
                                     Attempt.deadline.is_not(None),
                                     Attempt.deadline < timeutil.now() - GRACE)
    if course_id is not None:
        query = query.where(Attempt.quiz_id.in_(_course_quiz_ids(course_id)))
    return list(db.session.scalars(query))


def _picked_by_question(attempt_id: int) -> dict[int, set[int]]:
    picked: dict[int, set[int]] = {}
    for question_id, choice_id in db.session.execute(
        select(Answer.question_id, Answer.choice_id).where(Answer.attempt_id == attempt_id)
    ):
        picked.setdefault(question_id, set()).add(choice_id)
    return picked


def _grade(attempt: Attempt) -> bool:
    """Grade an attempt whose row lock the caller holds; commits. False when already graded."""
    picked = _picked_by_question(attempt.id)
    questions = attempt.quiz.questions
    points = [
        question_points(question.kind, {c.id for c in question.choices if c.correct},
                        picked.get(question.id, set()))
        for question in questions
    ]
    score = score_pct(points, len(questions))
    course = attempt.quiz.course
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN)
        .values(status=AttemptStatus.SUBMITTED, submitted_at=timeutil.now(), score_pct=score,
                passed=score >= course.quiz_pass_pct)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # graded meanwhile: what this request wrote must not stay
        raise Conflict(_("This attempt has already been submitted and cannot be changed."))
    _signal_progress(course.id, attempt.learner_id)
    return True


# --- reading attempts ---------------------------------------------------------------------


def ordered_questions(attempt: Attempt) -> list[tuple[Question, list[Choice]]]:
    """The attempt's questions with their choices, in the order this learner sees them."""
    questions = list(attempt.quiz.questions)
    if not attempt.order_json:
        return [(question, list(question.choices)) for question in questions]
    order = json.loads(attempt.order_json)
    by_id = {question.id: question for question in questions}
    result = []
    for question_id in order.get("questions", []):
        question = by_id.get(question_id)
        if question is None:
            continue
        choices = {choice.id: choice for choice in question.choices}
        ordered = [choices[i] for i in order.get("choices", {}).get(str(question_id), [])
                   if i in choices]
        result.append((question, ordered or list(question.choices)))
    return result


def picked_choices(attempt: Attempt) -> dict[int, set[int]]:
    """The learner's saved picks of an attempt, per question id."""
    picked: dict[int, set[int]] = {}
    for answer in attempt.answers:
        picked.setdefault(answer.question_id, set()).add(answer.choice_id)
    return picked


def may_review(viewer: User, attempt: Attempt) -> bool:
    """May the viewer see which choices were correct in this attempt (per show_answers)?"""
    course = attempt.quiz.course
    if can_edit(viewer, course):
        return True
    if attempt.status != AttemptStatus.SUBMITTED:
        return False
    rule = attempt.quiz.show_answers
    if rule == ShowAnswers.AFTER_ATTEMPT:
        return True
    if rule == ShowAnswers.AFTER_PASSING:
        best = best_attempt(attempt.learner_id, course.id)
        return bool(best and best.passed)
    return False


@dataclass
class QuestionResult:
    """How one question of a graded attempt went."""

    question: Question
    choices: list[Choice]
    picked: set[int]
    points: float


def question_results(attempt: Attempt) -> list[QuestionResult]:
    """Per question: the choices, what was picked and the points scored."""
    picked = picked_choices(attempt)
    results = []
    for question, choices in ordered_questions(attempt):
        mine = picked.get(question.id, set())
        correct = {c.id for c in question.choices if c.correct}
        results.append(QuestionResult(question, choices, mine,
                                      question_points(question.kind, correct, mine)))
    return results


def course_attempts(actor: User, course_id: int) -> list[Attempt]:
    """Every learner's attempts at the course's quiz, for its trainers and coordinators."""
    course = _editor_course(actor, course_id)
    for attempt_id in expired_attempt_ids(course.id):
        grade_if_expired(attempt_id)
    return list(db.session.scalars(
        select(Attempt).join(User, User.id == Attempt.learner_id)
        .where(Attempt.quiz_id.in_(_course_quiz_ids(course.id)))
        .options(selectinload(Attempt.learner), selectinload(Attempt.quiz))
        .order_by(User.name, Attempt.number)
    ))
