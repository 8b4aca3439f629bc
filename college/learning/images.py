"""Pictures in modules: uploaded by a course's authors, stored in the database, served by the
College, so the site's security policy allows no image from another site."""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from college.accounts.models import User
from college.errors import Invalid, NotFound
from college.extensions import db
from college.images import MAX_PIXELS, image_kind
from college.learning.access import editor_course
from college.learning.models import ModuleImage

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
