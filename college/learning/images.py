"""Pictures in modules: uploaded by a course's authors, stored in the database, served by the
College, so the site's security policy allows no image from another site."""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from college.accounts.models import User
from college.errors import Conflict, Invalid, NotAllowed, NotFound
from college.extensions import db
from college.images import MAX_PIXELS, image_kind
from college.learning.access import can_follow, editor_course, get_course
from college.learning.models import Module, ModuleImage

log = logging.getLogger(__name__)

#: Largest picture an author may upload (a photo from a phone, made smaller, fits).
IMAGE_MAX_BYTES = 2 * 1024 * 1024


def add_module_image(actor: User, course_id: int, content: bytes | None) -> ModuleImage:
    """An author adds a PNG or JPEG picture of at most 2 MB to the course's modules."""
    course = editor_course(actor, course_id)
    if not content:
        raise Invalid(_("Choose an image file."), field="image")
    if len(content) > IMAGE_MAX_BYTES:
        raise Invalid(_("The picture is too large: at most %(mb)d MB.", mb=IMAGE_MAX_BYTES // 2**20),
                      field="image")
    mimetype, pixels = image_kind(content)
    if mimetype is None:
        raise Invalid(_("The picture must be a PNG or JPEG image."), field="image")
    if pixels > MAX_PIXELS:
        raise Invalid(_("The picture is too large: at most 4000 by 4000 pixels."), field="image")
    image = ModuleImage(course_id=course.id, content=content, mimetype=mimetype,
                        uploaded_by_id=actor.id)
    db.session.add(image)
    db.session.flush()
    log.info("user %s added image %s to course %s", actor.id, image.id, course.id)
    return image


def course_images(course_id: int) -> list[ModuleImage]:
    """The course's pictures (without their bytes), oldest first."""
    return list(db.session.scalars(
        select(ModuleImage).where(ModuleImage.course_id == course_id).order_by(ModuleImage.id)
    ))


def course_image_ids(course_id: int) -> list[int]:
    """The ids of the course's pictures, oldest first."""
    return list(db.session.scalars(
        select(ModuleImage.id).where(ModuleImage.course_id == course_id).order_by(ModuleImage.id)
    ))


def module_image(course_id: int, image_id: int) -> ModuleImage:
    """A picture of the course's modules, its bytes loaded; NotFound otherwise."""
    image = db.session.scalar(
        select(ModuleImage)
        .where(ModuleImage.id == image_id, ModuleImage.course_id == course_id)
        .execution_options(populate_existing=True)
    )
    if image is None:
        raise NotFound(_("This picture does not exist."))
    return image


def readable_image(reader: User, course_id: int, image_id: int) -> ModuleImage:
    """A picture for whoever may read the course's modules (its learners, its authors)."""
    course = get_course(course_id)
    if not can_follow(reader, course):
        raise NotAllowed(_("You need an enrolment in this course to see its pictures."))
    return module_image(course.id, image_id)


def delete_module_image(actor: User, course_id: int, image_id: int) -> None:
    """An author removes a picture no module shows any more (a shown one would break the text)."""
    course = editor_course(actor, course_id)
    image = module_image(course.id, image_id)
    shown_in = list(db.session.scalars(
        select(Module.title).where(Module.course_id == course.id,
                                   Module.body_markdown.contains(f"/courses/{course.id}/images/{image.id})"))
        .order_by(Module.position)
    ))
    if shown_in:
        raise Conflict(_("This picture is shown in %(modules)s. Take it out of the text first.",
                         modules=", ".join(f"\u201c{title}\u201d" for title in shown_in)))
    db.session.delete(image)
    db.session.flush()
    log.info("user %s deleted image %s of course %s", actor.id, image_id, course.id)
