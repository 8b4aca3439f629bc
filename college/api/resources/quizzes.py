"""A course's quiz: built by its staff, taken by its learners in attempts graded once."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from college.accounts.models import User
from college.api import auth
from college.api.core import MAX_ID, Blueprint, Boolean, id_field
from college.api.resources.courses import visible_course
from college.catalogue.models import Course
from college.errors import Invalid, NotAllowed, NotFound
from college.learning import access, attempts, quiz_authoring
from college.learning.content import render_markdown
from college.learning.models import Attempt, AttemptStatus, QuestionKind, Quiz, ShowAnswers

blp = Blueprint("api_quizzes", __name__, url_prefix="/api/v1",
                description="The quiz of a course, and learners' attempts at it.")

MAX_QUESTIONS = 200
MAX_CHOICES = 20


class ChoiceSchema(ma.Schema):
    """A choice; `correct` and `feedback` only for the course's trainers and coordinators."""

    id = ma.fields.Integer(required=True)
    text = ma.fields.String(required=True)
    correct = Boolean()
    feedback = ma.fields.String()


class QuestionSchema(ma.Schema):
    """A question with its choices; `html` is its Markdown text rendered and sanitised."""

    id = ma.fields.Integer(required=True)
    text = ma.fields.String(metadata={"description": (
        "The Markdown source, unsanitised: only for the quiz's authors (the organiser's "
        "trainers and coordinators). Learners get `html` alone.")})
    html = ma.fields.String(required=True)
    kind = ma.fields.Enum(QuestionKind, by_value=True, required=True)
    choices = ma.fields.List(ma.fields.Nested(ChoiceSchema), required=True)


class QuizSchema(ma.Schema):
    """The quiz's settings. Its staff also get the questions; a learner gets their standing."""

    course_id = ma.fields.Integer(required=True)
    version = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    pass_pct = ma.fields.Integer(required=True)
    max_attempts = ma.fields.Integer(required=True, allow_none=True)
    time_limit_minutes = ma.fields.Integer(required=True, allow_none=True)
    shuffle_questions = Boolean(required=True)
    shuffle_choices = Boolean(required=True)
    show_answers = ma.fields.Enum(ShowAnswers, by_value=True, required=True)
    question_count = ma.fields.Integer(required=True)
    questions = ma.fields.List(ma.fields.Nested(QuestionSchema),
                               metadata={"description": "For the course's trainers and coordinators."})
    attempts_left = ma.fields.Integer(allow_none=True,
                                      metadata={"description": "For a learner; null: unlimited."})
    best_score_pct = ma.fields.Float(allow_none=True, metadata={"description": "For a learner."})
    passed = Boolean(metadata={"description": "For a learner: passed in any attempt."})
    open_attempt_id = ma.fields.Integer(allow_none=True,
                                        metadata={"description": "For a learner: the attempt to continue."})


class ChoiceInSchema(ma.Schema):
    """A choice of a question being written."""

    text = ma.fields.String(required=True, validate=ma.validate.Length(max=2000))
    correct = Boolean(load_default=False)
    feedback = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))


class QuestionInSchema(ma.Schema):
    """A question being written, with its choices."""

    text = ma.fields.String(required=True, validate=ma.validate.Length(max=5000))
    kind = ma.fields.Enum(QuestionKind, by_value=True, required=True)
    choices = ma.fields.List(ma.fields.Nested(ChoiceInSchema), required=True,
                             validate=ma.validate.Length(max=MAX_CHOICES))


class QuizInSchema(ma.Schema):
    """The whole quiz: settings and questions; it replaces the current one."""

    # Ranges and the shape of each question are the learning service's rules (422 per field).
    pass_pct = ma.fields.Integer(strict=True, required=True,
                                 metadata={"description": "The course's pass mark, 0 to 100."})
    max_attempts = ma.fields.Integer(strict=True, load_default=None, allow_none=True,
                                     metadata={"description": "Null or left out: unlimited."})
    time_limit_minutes = ma.fields.Integer(strict=True, load_default=None, allow_none=True,
                                           metadata={"description": "Null or left out: no limit."})
    title = ma.fields.String(load_default="")
    shuffle_questions = Boolean(load_default=False)
    shuffle_choices = Boolean(load_default=False)
    show_answers = ma.fields.Enum(ShowAnswers, by_value=True, load_default=ShowAnswers.PASSED_OR_LAST)
    questions = ma.fields.List(ma.fields.Nested(QuestionInSchema), required=True,
                               validate=ma.validate.Length(max=MAX_QUESTIONS))


class AttemptSchema(ma.Schema):
    """An attempt: its questions in the order shown to you, and your saved answers."""

    id = ma.fields.Integer(required=True)
    course_id = ma.fields.Integer(required=True)
    number = ma.fields.Integer(required=True)
    status = ma.fields.Enum(AttemptStatus, by_value=True, required=True)
    started_at = ma.fields.AwareDateTime(required=True)
    deadline = ma.fields.AwareDateTime(
        required=True, allow_none=True,
        metadata={"description": "Answers are accepted until then (plus 30 seconds); null: no limit."})
    questions = ma.fields.List(ma.fields.Nested(QuestionSchema), required=True)
    answers = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.Integer()),
                             required=True, metadata={"description": "Choice ids per question id."})
    score_pct = ma.fields.Float(required=True, allow_none=True)
    passed = Boolean(required=True, allow_none=True)
    submitted_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class AnswersSchema(ma.Schema):
    """Answers to save: per question id, the ids of the choices picked (replacing earlier ones)."""

    answers = ma.fields.Dict(
        keys=ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID)),
        values=ma.fields.List(id_field(), validate=ma.validate.Length(max=MAX_CHOICES)),
        required=True, validate=ma.validate.Length(max=MAX_QUESTIONS),
        metadata={"example": {"12": [40]}},
    )


class ResultSchema(ma.Schema):
    """A graded attempt."""

    id = ma.fields.Integer(required=True)
    score_pct = ma.fields.Float(required=True)
    passed = Boolean(required=True)
    submitted_at = ma.fields.AwareDateTime(required=True)


def _question(question, choices, *, for_staff: bool) -> dict:
    shown = []
    for choice in choices:
        item = {"id": choice.id, "text": choice.text}
        if for_staff:
            item |= {"correct": choice.correct, "feedback": choice.feedback}
        shown.append(item)
    # The Markdown source is unsanitised: like a module's, it goes to the quiz's authors only.
    source = {"text": question.text} if for_staff else {}
    return {"id": question.id, **source, "html": str(render_markdown(question.text)),
            "kind": question.kind, "choices": shown}


def _quiz(quiz: Quiz, course: Course, user: User) -> dict:
    shown = {
        "course_id": course.id, "version": quiz.version, "title": quiz.title,
        "pass_pct": course.quiz_pass_pct, "max_attempts": quiz.max_attempts,
        "time_limit_minutes": quiz.time_limit_minutes, "shuffle_questions": quiz.shuffle_questions,
        "shuffle_choices": quiz.shuffle_choices, "show_answers": quiz.show_answers,
        "question_count": len(quiz.questions),
    }
    if access.can_edit(user, course):
        shown["questions"] = [_question(q, q.choices, for_staff=True) for q in quiz.questions]
    else:
        # As on the course page: the questions show only in an attempt, where the time runs.
        open_attempt = attempts.open_attempt(user.id, course.id)
        best = attempts.best_attempt(user.id, course.id)
        shown |= {
            "attempts_left": attempts.attempts_left(user.id, course.id, quiz),
            "best_score_pct": best.score_pct if best else None,
            "passed": bool(best and best.passed),
            "open_attempt_id": open_attempt.id if open_attempt else None,
        }
    return shown


def _attempt(attempt: Attempt) -> dict:
    picked = attempts.picked_choices(attempt)
    return {
        "id": attempt.id, "course_id": attempt.quiz.course_id, "number": attempt.number,
        "status": attempt.status, "started_at": attempt.started_at, "deadline": attempt.deadline,
        "questions": [_question(q, choices, for_staff=False)
                      for q, choices in attempts.ordered_questions(attempt)],
        "answers": {str(question_id): sorted(ids) for question_id, ids in picked.items()},
        "score_pct": attempt.score_pct, "passed": attempt.passed, "submitted_at": attempt.submitted_at,
    }


def _current_quiz(course_id: int) -> Quiz:
    quiz = access.current_quiz(course_id, with_questions=True)
    if quiz is None:
        raise NotFound(_("This course has no quiz yet."))
    return quiz


@blp.put("/courses/<id:course_id>/quiz")
@blp.login_required
@blp.staff_only()
@blp.arguments(QuizInSchema)
@blp.response(200, QuizSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def put_quiz(data: dict, course_id: int):
    """Set the quiz with all its questions (the organiser's trainers and coordinators).

    It replaces the current questions; when learners already made attempts, this is a new
    version of the quiz and their attempts keep the questions they answered.
    """
    course = visible_course(course_id)
    user = auth.current_user()
    questions = [
        quiz_authoring.QuestionInput(text=q["text"], kind=q["kind"], choices=[
            quiz_authoring.ChoiceInput(text=c["text"], correct=c["correct"], feedback=c["feedback"])
            for c in q["choices"]
        ])
        for q in data.pop("questions")
    ]
    quiz = quiz_authoring.replace_quiz(user, course.id, quiz_authoring.QuizSettings(**data), questions)
    return _quiz(quiz, course, user)


@blp.get("/courses/<id:course_id>/quiz")
@blp.login_required
@blp.response(200, QuizSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_quiz(course_id: int):
    """The quiz: with its questions and answers for the staff, without them for learners."""
    course = visible_course(course_id)
    user = auth.current_user()
    if not access.can_follow(user, course):
        raise NotAllowed(_("You need an enrolment in this course to do this."))
    return _quiz(_current_quiz(course.id), course, user)


@blp.post("/courses/<id:course_id>/quiz/attempts")
@blp.login_required
@blp.response(201, AttemptSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.idempotent(Attempt, lambda attempt: _attempt(attempts.get_attempt(auth.current_user(), attempt.id)))
def start_attempt(course_id: int):
    """Start an attempt (enrolled learners): one at a time, within the maximum number."""
    course = visible_course(course_id)
    user = auth.current_user()
    return _attempt(attempts.start_attempt(user, course.id))


@blp.put("/attempts/<id:attempt_id>/answers")
@blp.login_required
@blp.arguments(AnswersSchema)
@blp.response(200, AttemptSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def save_answers(data: dict, attempt_id: int):
    """Save answers to some questions of your open attempt, before its deadline."""
    user = auth.current_user()
    try:
        attempt = attempts.save_answers(user, attempt_id, data["answers"])
    except Invalid as error:
        error.field = "answers"  # the service names the form's fields; here they are all answers
        raise
    return _attempt(attempt)


@blp.post("/attempts/<id:attempt_id>/submit")
@blp.login_required
@blp.response(200, ResultSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def submit_attempt(attempt_id: int):
    """Hand in your attempt and get its grade; handing it in again answers the same grade."""
    attempt = attempts.hand_in(auth.current_user(), attempt_id)
    return {"id": attempt.id, "score_pct": attempt.score_pct, "passed": attempt.passed,
            "submitted_at": attempt.submitted_at}
