"""Who may read or edit a course's learning content, and the small loaders every use case shares."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from college import policy
from college.accounts.models import User
from college.catalogue.models import Course
from college.errors import NotAllowed, NotFound
from college.extensions import db
from college.learning.models import Question, Quiz


def get_course(course_id: int) -> Course:
    """The course, or NotFound."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound(_("This course does not exist."))
    return course


def can_edit(user: User, course: Course) -> bool:
    """May the user write this course's modules and quiz?"""
    return policy.can_edit_course_content(user, course)


def can_follow(user: User, course: Course) -> bool:
    """May the user read this course's modules and take its quiz (or preview them as staff)?"""
    return can_edit(user, course) or policy.can_follow_course(user, course.id)


def editor_course(actor: User, course_id: int) -> Course:
    """The course, when the actor may edit its learning content; NotFound or NotAllowed otherwise."""
    course = get_course(course_id)
    if not can_edit(actor, course):
        raise NotAllowed(_("Only trainers and coordinators of the organiser can change this course."))
    return course


def learner_course(learner: User, course_id: int) -> Course:
    """The course, when the learner holds a seat in it; NotFound or NotAllowed otherwise."""
    course = get_course(course_id)
    if not policy.can_follow_course(learner, course.id):
        raise NotAllowed(_("You need an enrolment in this course to do this."))
    return course


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
