"""Modules: written by a course's staff, read by its learners, and marked done."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from college import timeutil
from college.accounts.models import User
from college.catalogue.models import Course, Edition
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.errors import Invalid, NotFound
from college.extensions import db
from college.learning import events
from college.learning.access import can_edit, editor_course, learner_course
from college.learning.models import Module, ModuleCompletion
from college.learning.ordering import move

#: The longest a module may say it takes (a day).
MAX_MINUTES = 24 * 60


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


# --- writing ------------------------------------------------------------------------------


def create_module(
    actor: User, course_id: int, *, title: str, body_markdown: str, minutes: int,
    published: bool = True,
) -> Module:
    """Add a module at the end of the course."""
    course = editor_course(actor, course_id)
    title, body_markdown, minutes = _clean_module_fields(title, body_markdown, minutes)
    last = db.session.scalar(select(func.max(Module.position)).where(Module.course_id == course.id))
    module = Module(course_id=course.id, title=title, body_markdown=body_markdown, minutes=minutes,
                    published=published, position=(last + 1) if last is not None else 0)
    db.session.add(module)
    events.rule_changed(course.id)
    return module


def update_module(
    actor: User, course_id: int, module_id: int, *, title: str, body_markdown: str, minutes: int
) -> Module:
    """Change a module's title, text and estimated minutes."""
    course = editor_course(actor, course_id)
    module = get_module(course, module_id)
    module.title, module.body_markdown, module.minutes = _clean_module_fields(
        title, body_markdown, minutes
    )
    module.updated_at = timeutil.now()
    db.session.flush()
    return module


def move_module(actor: User, course_id: int, module_id: int, direction: str) -> None:
    """Move a module one place up or down."""
    course = editor_course(actor, course_id)
    get_module(course, module_id)
    move(_ordered_modules(course.id), module_id, direction)
    db.session.flush()


def set_module_published(actor: User, course_id: int, module_id: int, published: bool) -> Module:
    """Publish or unpublish a module; learners never see unpublished ones."""
    course = editor_course(actor, course_id)
    module = get_module(course, module_id)
    if module.published != published:
        module.published = published
        module.updated_at = timeutil.now()
        events.rule_changed(course.id)
    return module


def delete_module(actor: User, course_id: int, module_id: int) -> None:
    """Remove a module and learners' completions of it."""
    course = editor_course(actor, course_id)
    module = get_module(course, module_id)
    db.session.execute(delete(ModuleCompletion).where(ModuleCompletion.module_id == module.id))
    db.session.delete(module)
    events.rule_changed(course.id)


# --- reading and marking done -------------------------------------------------------------


def visible_modules(user: User, course: Course) -> list[Module]:
    """The course's modules in order: all for its editors, published ones for learners."""
    query = select(Module).where(Module.course_id == course.id)
    if not can_edit(user, course):
        query = query.where(Module.published.is_(True))
    return list(db.session.scalars(query.order_by(Module.position, Module.id)))


def complete_module(learner: User, course_id: int, module_id: int) -> ModuleCompletion:
    """Mark a published module as done for the learner (doing it twice changes nothing)."""
    course = learner_course(learner, course_id)
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
    events.progressed(course.id, learner.id)
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
                Enrolment.status.in_(SEATED_STATUSES),
            )
        )).order_by(Course.title)
    ))
