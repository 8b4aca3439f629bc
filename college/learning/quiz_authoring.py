"""Quiz authoring: a course's quiz settings, questions and choices, in versions.

A quiz that learners made attempts on is never changed in place: editing it makes a new
version, so every attempt keeps the questions it answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from college.accounts.models import User
from college.catalogue.models import Course
from college.errors import Invalid, NotFound
from college.extensions import db
from college.learning import events
from college.learning.access import current_quiz, editor_course
from college.learning.models import Attempt, Choice, Question, QuestionKind, Quiz, ShowAnswers
from college.learning.ordering import move

#: The longest time limit a quiz may have (a day).
MAX_TIME_LIMIT_MINUTES = 24 * 60


@dataclass
class ChoiceInput:
    """A choice as an author wrote it; `id` names an existing choice being edited."""

    text: str
    correct: bool = False
    feedback: str = ""
    id: int | None = None


@dataclass
class QuestionInput:
    """A question as an author wrote it, with its choices."""

    text: str
    kind: QuestionKind | str
    choices: list[ChoiceInput]


def _quiz_has_attempts(quiz_id: int) -> bool:
    return db.session.scalar(
        select(func.count(Attempt.id)).where(Attempt.quiz_id == quiz_id)
    ) > 0


def get_question(course: Course, question_id: int) -> Question:
    """A question of the course's current quiz with its choices, or NotFound."""
    quiz = current_quiz(course.id, with_questions=True)
    question = next((q for q in quiz.questions if q.id == question_id), None) if quiz else None
    if question is None:
        raise NotFound(_("This question is not part of the current quiz."))
    return question


@dataclass
class QuizSettings:
    """A quiz's settings as an author gives them; the pass mark is the course's."""

    pass_pct: int
    title: str = ""
    max_attempts: int | None = None
    time_limit_minutes: int | None = None
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    show_answers: ShowAnswers | str = ShowAnswers.PASSED_OR_LAST


def _checked_settings(settings: QuizSettings) -> QuizSettings:
    """The settings with their values checked (Invalid per field otherwise)."""
    if settings.pass_pct is None or not 0 <= settings.pass_pct <= 100:
        raise Invalid(_("The pass mark must be a percentage between 0 and 100."), field="pass_pct")
    if settings.max_attempts is not None and settings.max_attempts < 1:
        raise Invalid(_("Allow at least 1 attempt, or leave empty for unlimited."),
                      field="max_attempts")
    if settings.time_limit_minutes is not None and not 1 <= settings.time_limit_minutes <= MAX_TIME_LIMIT_MINUTES:
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
    show_answers: ShowAnswers | str = ShowAnswers.PASSED_OR_LAST,
) -> Quiz:
    """Create the course's quiz or change its settings (the pass mark is the course's)."""
    course = editor_course(actor, course_id)
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
    events.rule_changed(course.id)
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
    course = editor_course(actor, course_id)
    text, kind, choices = _validate_question(text, kind, choices)
    quiz = current_quiz(course.id, with_questions=True)
    if quiz is None:
        raise NotFound(_("This course has no quiz yet. Save the quiz settings first."))
    known: set[int] = set()  # a new question has no choices yet: any id names someone else's
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
    events.rule_changed(course.id)
    return question


def replace_quiz(actor: User, course_id: int, settings: QuizSettings,
                 questions: list[QuestionInput]) -> Quiz:
    """Set the quiz's settings and replace all its questions at once, all or nothing.

    When the quiz has attempts this makes a new version, so earlier attempts keep theirs.
    """
    course = editor_course(actor, course_id)
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
    events.rule_changed(course.id)
    return current_quiz(course.id, with_questions=True)


def move_question(actor: User, course_id: int, question_id: int, direction: str) -> None:
    """Move a question one place up or down."""
    course = editor_course(actor, course_id)
    get_question(course, question_id)
    editable = _editable_quiz(course)
    new_id = editable.questions[question_id].id
    if move(list(editable.quiz.questions), new_id, direction):
        events.rule_changed(course.id)


def remove_question(actor: User, course_id: int, question_id: int) -> None:
    """Remove a question from the quiz."""
    course = editor_course(actor, course_id)
    get_question(course, question_id)
    editable = _editable_quiz(course)
    editable.quiz.questions.remove(editable.questions[question_id])
    for position, question in enumerate(editable.quiz.questions):
        question.position = position
    events.rule_changed(course.id)


def move_choice(actor: User, course_id: int, question_id: int, choice_id: int,
                direction: str) -> None:
    """Move a choice one place up or down within its question."""
    course = editor_course(actor, course_id)
    question = get_question(course, question_id)
    if choice_id not in {choice.id for choice in question.choices}:
        raise NotFound(_("This choice is not part of the question."))
    editable = _editable_quiz(course)
    new_question = editable.questions[question_id]
    move(list(new_question.choices), editable.choices[choice_id].id, direction)
    db.session.flush()
