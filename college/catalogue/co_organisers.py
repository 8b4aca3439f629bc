"""Courses organised together: the lead organiser's coordinators choose the co-organisers,
whose coordinators then manage the course too and whose figures count it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from college import policy
from college.accounts.models import Organiser, User
from college.catalogue.models import CoOrganiser, Course
from college.errors import Invalid, NotAllowed, NotFound
from college.extensions import db


def co_organisers_of(course_id: int) -> list[Organiser]:
    """The course's co-organisers, by name."""
    return list(db.session.scalars(
        select(Organiser).join(CoOrganiser, CoOrganiser.organiser_id == Organiser.id)
        .where(CoOrganiser.course_id == course_id).order_by(Organiser.name, Organiser.id)))


def organisers_to_choose(course: Course) -> list[Organiser]:
    """Every organiser of the installation but the course's lead organiser, by name."""
    return list(db.session.scalars(
        select(Organiser).where(Organiser.id != course.organiser_id)
        .order_by(Organiser.name, Organiser.id)))


def co_organisers_for(viewer: User, course_id: int) -> list[Organiser]:
    """The course's co-organisers, for the coordinators of the organisers that organise it."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound(_("This course does not exist."))
    if not policy.can_manage_course(viewer, course):
        raise NotAllowed(_("Only coordinators of this organiser can manage its courses."))
    return co_organisers_of(course.id)


def course_to_share(actor: User, course_id: int) -> Course:
    """The course whose co-organisers the actor may choose: its lead organiser's coordinators."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound(_("This course does not exist."))
    if not policy.can_choose_co_organisers(actor, course):
        raise NotAllowed(_("Only the coordinators of the organiser that leads this course can "
                           "choose who organises it with them."))
    return course


def set_co_organisers(actor: User, course_id: int, organiser_ids: list[int]) -> list[Organiser]:
    """The course's co-organisers become these organisers (the whole list)."""
    course = course_to_share(actor, course_id)
    wanted = set(organiser_ids)
    if course.organiser_id in wanted:
        raise Invalid(_("The organiser that leads the course organises it already."),
                      field="organiser_ids")
    found = set(db.session.scalars(select(Organiser.id).where(Organiser.id.in_(wanted))))
    if wanted - found:
        raise Invalid(_("Choose the organisers from the list."), field="organiser_ids")
    current = set(db.session.scalars(
        select(CoOrganiser.organiser_id).where(CoOrganiser.course_id == course.id)))
    if current - wanted:
        db.session.execute(delete(CoOrganiser).where(
            CoOrganiser.course_id == course.id, CoOrganiser.organiser_id.in_(current - wanted)))
    db.session.add_all(CoOrganiser(course_id=course.id, organiser_id=organiser_id)
                       for organiser_id in sorted(wanted - current))
    db.session.flush()
    return co_organisers_of(course.id)
