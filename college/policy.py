"""The one policy layer: who may see or change what.

Learners act on their own things; trainers on the editions they teach; coordinators on
everything of the organisers they coordinate. Views and the API ask here, never decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import exists, select

from college.accounts.models import Kind, Role, User
from college.catalogue.models import CoOrganiser, Course, Edition, edition_trainer
from college.enrolment.models import SEATED_STATUSES, Enrolment
from college.extensions import db, login_manager


def is_coordinator(user: User, organiser_id: int | None = None) -> bool:
    """Is the user a coordinator (of that organiser, when one is given)?"""
    if not user.is_authenticated:
        return False
    organisers = user.organiser_ids(Role.COORDINATOR)
    return bool(organisers) if organiser_id is None else organiser_id in organisers


def is_staff(user: User, organiser_id: int | None = None) -> bool:
    """Is the user a trainer or coordinator (of that organiser, when one is given)?"""
    if not user.is_authenticated:
        return False
    organisers = user.organiser_ids(Role.COORDINATOR) | user.organiser_ids(Role.TRAINER)
    return bool(organisers) if organiser_id is None else organiser_id in organisers


def teaches(user: User, edition_id: int) -> bool:
    """Is the user one of the edition's trainers?"""

    if not user.is_authenticated:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    edition_trainer.c.edition_id == edition_id,
                    edition_trainer.c.user_id == user.id,
                )
            )
        )
    )


def _organises(user: User, course: Course, roles: tuple[Role, ...]) -> bool:
    """Does the user hold one of the roles with the course's lead organiser or a co-organiser?"""
    if not user.is_authenticated:
        return False
    organisers = set().union(*(user.organiser_ids(role) for role in roles))
    if course.organiser_id in organisers:
        return True
    # Only a staff member of some other organiser costs a query.
    return bool(organisers) and bool(db.session.scalar(select(exists().where(
        CoOrganiser.course_id == course.id, CoOrganiser.organiser_id.in_(organisers)))))


def can_manage_course(user: User, course: Course) -> bool:
    """The coordinators of the course's lead organiser and of its co-organisers manage the
    course, its editions, sessions, enrolments and certificates: the one rule for a course."""
    return _organises(user, course, (Role.COORDINATOR,))


def can_choose_co_organisers(user: User, course: Course) -> bool:
    """Only the coordinators of the course's lead organiser choose who organises it with them."""
    return is_coordinator(user, course.organiser_id)


def is_course_staff(user: User, course: Course) -> bool:
    """Is the user a trainer or coordinator of an organiser of the course (lead or co-organiser)?"""
    return _organises(user, course, (Role.COORDINATOR, Role.TRAINER))


def can_see_course(user: User | None, course: Course) -> bool:
    """Published courses are for everyone; a draft only for its organisers' trainers and
    coordinators (they prepare its modules and quiz before it is published)."""
    return course.published or (user is not None and is_course_staff(user, course))


def can_see_edition(user: User | None, edition: Edition) -> bool:
    """An edition is visible when its course is (its course must be loaded)."""
    return can_see_course(user, edition.course)


def can_manage_organiser(user: User, organiser_id: int) -> bool:
    """Coordinators manage their organiser's courses, editions, people and certificates."""
    return is_coordinator(user, organiser_id)


def can_edit_course_content(user: User, course: Course) -> bool:
    """Trainers and coordinators of the course's organisers write modules and quizzes."""
    return is_course_staff(user, course)


def can_teach_edition(user: User, edition_id: int, course: Course) -> bool:
    """The edition's trainers and its course's coordinators run its sessions and rosters."""
    return can_manage_course(user, course) or teaches(user, edition_id)


def can_act_for_learner(user: User, learner: User, organiser_id: int) -> bool:
    """A learner acts for themselves; the organiser's coordinators act on their behalf."""
    return user.is_authenticated and (user.id == learner.id or is_coordinator(user, organiser_id))


def learners_known_to(organiser_id: int, learner_ids: Iterable[int]) -> set[int]:
    """Which of these learners the organiser knows: its managed accounts, and everyone who holds
    or held an enrolment (of any status) in an edition of a course it organises (alone or with
    others)."""
    wanted = set(learner_ids)
    if not wanted:
        return set()
    managed = select(User.id).where(User.id.in_(wanted), User.managed_by_organiser_id == organiser_id)
    enrolled = (
        select(Enrolment.learner_id)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Enrolment.learner_id.in_(wanted), Course.organised_by(organiser_id))
    )
    return set(db.session.scalars(managed.union(enrolled)))


def can_reach_learner(user: User, learner_id: int, organiser_id: int) -> bool:
    """May the user name this learner by id, for the organiser? Themselves always; the
    organiser's staff only the learners it knows. Anyone else is found by exact email only."""
    if not user.is_authenticated:
        return False
    if user.id == learner_id:
        return True
    return is_staff(user, organiser_id) and learner_id in learners_known_to(organiser_id, [learner_id])


def require(allowed: bool) -> None:
    """Stop the request with 403 unless allowed."""
    if not allowed:
        abort(403)


def role_required(role: Role) -> Callable:
    """View decorator: the logged-in user must hold the role somewhere."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:

                return login_manager.unauthorized()
            if role not in current_user.roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can_follow_course(user: User, course_id: int) -> bool:
    """Learners holding a seat (enrolled or completed) in an edition read its modules and quiz."""

    if not user.is_authenticated:
        return False
    return bool(db.session.scalar(select(exists().where(
        Enrolment.learner_id == user.id,
        Enrolment.edition_id == Edition.id,
        Edition.course_id == course_id,
        Enrolment.status.in_(SEATED_STATUSES),
    ))))


def regions_coordinated_by(user: User) -> set[int]:
    """Ids of the regions where the user is a regional coordinator."""
    if not user.is_authenticated:
        return set()
    return {role.region_id for role in user.region_roles}  # read with the signed-in user


def is_regional_coordinator(user: User, region_id: int | None = None) -> bool:
    """Is the user a regional coordinator (of that region, when one is given)?"""
    regions = regions_coordinated_by(user)
    return bool(regions) if region_id is None else region_id in regions


def can_read_region_figures(user: User, region_id: int) -> bool:
    """A region's figures (aggregates of its members, never a person) are for its regional
    coordinators only; a member's own coordinators read their organiser's figures instead."""
    return is_regional_coordinator(user, region_id)


def can_refer_caregivers(user: User) -> bool:
    """Logged in, a professional learner or any organiser's staff refers a caregiver under
    their own name; anyone else uses a hub's public referral form."""
    if not user.is_authenticated:
        return False
    return (user.is_learner and user.kind == Kind.PROFESSIONAL) or is_staff(user)
