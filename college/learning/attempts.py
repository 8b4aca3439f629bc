"""Quiz attempts: starting one, answering, handing in, grading once, and reading the results.

Every rule of an attempt lives here, so the pages and the JSON API enforce the same ones. A use
case loads its attempt once, with the quiz, questions, choices and answers, and passes it down.
One that changes an attempt loads it under the attempt's row lock, so what it read (still open,
these answers) stays true until its unit of work ends.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

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
from college.privacy.access import record_access

#: Answers arriving this long after the deadline still count (network, a slow phone).
GRACE = timedelta(seconds=30)


class TimeUp(Conflict):
    """An answer came after the attempt's time (and its grace) ran out; nothing was saved."""


def _course_quiz_ids(course_id: int):
    return select(Quiz.id).where(Quiz.course_id == course_id)


# --- loading ------------------------------------------------------------------------------


def _load_attempt(attempt_id: int, *, for_update: bool = False,
                  with_learner: bool = False) -> Attempt:
    """The attempt with its quiz, questions, choices, course and answers, in a fixed few queries.

    `for_update` takes the attempt's row lock first: a concurrent answer, hand-in or grading of
    the same attempt waits until this unit of work ends, and the answers read are the saved ones.
    """
    query = select(Attempt).where(Attempt.id == attempt_id).options(
        selectinload(Attempt.quiz).selectinload(Quiz.questions).selectinload(Question.choices),
        selectinload(Attempt.quiz).selectinload(Quiz.course),
        selectinload(Attempt.answers),
    )
    if with_learner:
        query = query.options(selectinload(Attempt.learner))
    if for_update:
        query = query.with_for_update()
    # The attempt as the database holds it now, also when it is already in the session.
    attempt = db.session.scalar(query.execution_options(populate_existing=True))
    if attempt is None:
        raise NotFound(_("This quiz attempt does not exist."))
    return attempt


def _require_own(learner: User, attempt: Attempt) -> None:
    if attempt.learner_id != learner.id:
        raise NotAllowed(_("This is not your quiz attempt."))


def _require_open(attempt: Attempt) -> None:
    if attempt.status != AttemptStatus.OPEN:
        raise Conflict(_("This attempt has already been submitted and cannot be changed."))


def _past_grace(attempt: Attempt) -> bool:
    return attempt.deadline is not None and timeutil.now() > attempt.deadline + GRACE


# --- starting -----------------------------------------------------------------------------


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
    if attempt is not None and _past_grace(attempt):
        grade_if_expired(attempt.id)  # graded now, or by someone else a moment ago
        return None
    return attempt


def start_attempt(learner: User, course_id: int) -> Attempt:
    """Start an attempt at the course's current quiz, within its maximum and one at a time.

    The attempt comes with its quiz, questions and (no) answers, ready to show.
    """
    course = learner_course(learner, course_id)
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
        quiz=quiz, learner_id=learner.id, number=number, status=AttemptStatus.OPEN,
        started_at=started,
        deadline=started + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes else None,
        order_json=_shuffled_order(quiz), answers=[],
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


# --- answering and handing in -------------------------------------------------------------


def _writable_attempt(learner: User, attempt_id: int) -> Attempt:
    """The learner's open attempt, loaded under its row lock; refuses foreign and graded ones."""
    attempt = _load_attempt(attempt_id, for_update=True)
    _require_own(learner, attempt)
    if (attempt.status != AttemptStatus.OPEN and attempt.deadline is not None
            and timeutil.now() > attempt.deadline):
        # Graded because its time ran out (by the worker, or on another page): say that.
        raise TimeUp(_("The time for this quiz is up. The answers you saved in time are graded."))
    _require_open(attempt)
    return attempt


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


def _write_answers(attempt: Attempt, answers: Mapping[int, Collection[int]]) -> None:
    """Replace the picks of the given questions, in time; the attempt's answers stay current."""
    checked = _checked_answers(attempt, answers)
    if _past_grace(attempt):
        raise TimeUp(_("The time for this quiz is up. The answers you saved in time are graded."))
    for answer in list(attempt.answers):
        if answer.question_id in checked and answer.choice_id not in checked[answer.question_id]:
            attempt.answers.remove(answer)
    kept = {(answer.question_id, answer.choice_id) for answer in attempt.answers}
    attempt.answers.extend(
        Answer(question_id=question_id, choice_id=choice_id)
        for question_id, picked in checked.items() for choice_id in sorted(picked)
        if (question_id, choice_id) not in kept
    )
    db.session.flush()


def save_answers(learner: User, attempt_id: int, answers: Mapping[int, Collection[int]]) -> Attempt:
    """Replace the learner's answers to the given questions while the attempt is open and in time."""
    attempt = _writable_attempt(learner, attempt_id)
    _write_answers(attempt, answers)
    return attempt


def submit_attempt(
    learner: User, attempt_id: int, answers: Mapping[int, Collection[int]] | None = None
) -> Attempt:
    """Save the last answers and grade the attempt, once: a replayed submit is refused (409)."""
    attempt = _writable_attempt(learner, attempt_id)
    _write_answers(attempt, answers or {})
    _grade(attempt)
    return attempt


def hand_in(learner: User, attempt_id: int) -> Attempt:
    """Submit the learner's attempt; handing in a graded one again answers with the same grade.

    For clients that retry a request whose answer they lost; the attempt is still graded once.
    Handed in after the time ran out, the answers saved in time are graded.
    """
    attempt = _load_attempt(attempt_id, for_update=True)
    _require_own(learner, attempt)
    if attempt.status == AttemptStatus.OPEN:
        _grade(attempt)
    return attempt


# --- grading ------------------------------------------------------------------------------


def _grade(attempt: Attempt) -> None:
    """Grade an open attempt on its saved answers; the caller holds its row lock."""
    picked = picked_choices(attempt)
    questions = attempt.quiz.questions
    points = [
        question_points(question.kind, {c.id for c in question.choices if c.correct},
                        picked.get(question.id, set()))
        for question in questions
    ]
    score = score_pct(points, len(questions))
    course = attempt.quiz.course
    graded = {"status": AttemptStatus.SUBMITTED, "submitted_at": timeutil.now(),
              "score_pct": score, "passed": score >= course.quiz_pass_pct}
    # Conditional, so an attempt is graded once also where there are no row locks (SQLite).
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN)
        .values(**graded)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # graded meanwhile: what this request wrote must not stay
        raise Conflict(_("This attempt has already been submitted and cannot be changed."))
    for name, value in graded.items():
        set_committed_value(attempt, name, value)
    events.progressed(course.id, attempt.learner_id)


def _lock_open(attempt_id: int) -> bool:
    """Take the attempt's row lock while it is still open (a no-op UPDATE); False when not open."""
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt_id, Attempt.status == AttemptStatus.OPEN)
        .values(status=AttemptStatus.OPEN).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _grade_if_expired(attempt: Attempt) -> bool:
    """Grade an attempt read without its lock when its time (plus grace) ran out."""
    if attempt.status != AttemptStatus.OPEN or not _past_grace(attempt):
        return False
    if not _lock_open(attempt.id):  # graded meanwhile: by the periodic job, or in another tab
        db.session.refresh(attempt, ["status", "submitted_at", "score_pct", "passed"])
        return False
    # Under the lock now: the answers as they were saved in time.
    db.session.refresh(attempt, ["answers"])
    _grade(attempt)
    return True


def grade_if_expired(attempt_id: int) -> bool:
    """Grade an open attempt whose time (plus grace) ran out, on its saved answers."""
    return _grade_if_expired(_load_attempt(attempt_id))


def expired_attempt_ids(course_id: int | None = None) -> list[int]:
    """Open attempts whose time (plus grace) ran out (of one course, when given)."""
    query = select(Attempt.id).where(Attempt.status == AttemptStatus.OPEN,
                                     Attempt.deadline.is_not(None),
                                     Attempt.deadline < timeutil.now() - GRACE)
    if course_id is not None:
        query = query.where(Attempt.quiz_id.in_(_course_quiz_ids(course_id)))
    return list(db.session.scalars(query))


# --- reading attempts ---------------------------------------------------------------------


def own_attempt(learner: User, attempt_id: int) -> Attempt:
    """The learner's own attempt, to answer or review; graded first when its time ran out."""
    attempt = _load_attempt(attempt_id)
    _require_own(learner, attempt)
    _grade_if_expired(attempt)
    return attempt


def get_attempt(viewer: User, attempt_id: int) -> Attempt:
    """An attempt its learner or the course's editors may look at; graded first when time ran out.

    Staff looking at a learner's attempt leave a line in the learner's access log.
    """
    attempt = _load_attempt(attempt_id, with_learner=True)
    if attempt.learner_id != viewer.id and not can_edit(viewer, attempt.quiz.course):
        raise NotAllowed(_("This is not your quiz attempt."))
    _grade_if_expired(attempt)
    record_access(viewer, [attempt.learner_id], "progress")
    return attempt


def course_attempts(viewer: User, course_id: int) -> list[Attempt]:
    """Every learner's attempts at the course's quiz, for its trainers and coordinators (logged)."""
    course = editor_course(viewer, course_id)
    for attempt_id in expired_attempt_ids(course.id):
        grade_if_expired(attempt_id)
    attempts = list(db.session.scalars(
        select(Attempt).join(User, User.id == Attempt.learner_id)
        .where(Attempt.quiz_id.in_(_course_quiz_ids(course.id)))
        .options(selectinload(Attempt.learner), selectinload(Attempt.quiz))
        .order_by(User.name, Attempt.number)
    ))
    record_access(viewer, [attempt.learner_id for attempt in attempts], "progress")
    return attempts


def seconds_left(attempt: Attempt) -> int | None:
    """Whole seconds until the attempt's deadline (0 once passed), None without a time limit."""
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - timeutil.now()).total_seconds()))


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
    if rule in (ShowAnswers.AFTER_PASSING, ShowAnswers.PASSED_OR_LAST):
        best = best_attempt(attempt.learner_id, course.id)
        if best and best.passed:
            return True
    if rule == ShowAnswers.PASSED_OR_LAST:
        return attempts_left(attempt.learner_id, course.id, attempt.quiz) == 0
    return False


@dataclass
class QuestionResult:
    """How one question of a graded attempt went."""

    question: Question
    choices: list[Choice]
    picked: set[int]
    points: float

    @property
    def correct(self) -> bool:
        """Fully right (a multiple-choice question can also be partly right)."""
        return self.points >= 1 - 1e-9

    @property
    def points_pct(self) -> int:
        """The points as a whole percentage, as people say it (67%, not 0.67)."""
        return round(self.points * 100)


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
