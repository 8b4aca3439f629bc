"""Quiz attempts: starting one, answering, handing in, grading once, and reading the results.

Every rule of an attempt lives here, so the pages and the JSON API enforce the same ones.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from college import timeutil
from college.accounts.models import User
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.learning import events
from college.learning.access import can_edit, current_quiz, editor_course, learner_course
from college.learning.grading import question_points, score_pct
from college.learning.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Choice,
    Question,
    QuestionKind,
    Quiz,
    ShowAnswers,
)

#: Answers arriving this long after the deadline still count (network, a slow phone).
GRACE = timedelta(seconds=30)



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
    course = learner_course(learner, course_id)
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
    events.progressed(course.id, attempt.learner_id)
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
    course = editor_course(actor, course_id)
    for attempt_id in expired_attempt_ids(course.id):
        grade_if_expired(attempt_id)
    return list(db.session.scalars(
        select(Attempt).join(User, User.id == Attempt.learner_id)
        .where(Attempt.quiz_id.in_(_course_quiz_ids(course.id)))
        .options(selectinload(Attempt.learner), selectinload(Attempt.quiz))
        .order_by(User.name, Attempt.number)
    ))
