"""Modules: the self-paced content of a course, and learners marking them done."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask_babel import gettext as _
from flask_smorest import abort
from flask_smorest.fields import Upload

from college import policy
from college.api import auth
from college.api.core import Blueprint, Boolean
from college.api.pagination import page_schema
from college.api.resources.courses import visible_course
from college.errors import NotAllowed
from college.extensions import db
from college.learning import access, images, modules
from college.learning.content import render_markdown
from college.learning.models import Module, ModuleImage

blp = Blueprint("api_modules", __name__, url_prefix="/api/v1",
                description="Modules of a course: Markdown written by its staff, read by its learners.")


class ModuleSchema(ma.Schema):
    """A module, with its Markdown rendered to sanitised HTML; the source only for its authors."""

    id = ma.fields.Integer(required=True)
    course_id = ma.fields.Integer(required=True)
    position = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    body_markdown = ma.fields.String(metadata={"description": (
        "The Markdown source, unsanitised: only for those who may edit the module (the "
        "organiser's trainers and coordinators). Learners get `html` alone."
    )})
    html = ma.fields.String(required=True,
                            metadata={"description": "The body as HTML: images and links, nothing that runs."})
    minutes = ma.fields.Integer(required=True)
    published = Boolean(required=True)
    done = Boolean(
        required=True, allow_none=True,
        metadata={"description": "Whether you marked it done; null when you do not follow the course."},
    )
    updated_at = ma.fields.AwareDateTime(required=True)


class NewModuleSchema(ma.Schema):
    """A module to add at the end of the course."""

    # Lengths and ranges are the learning service's rules: it answers 422 per field.
    title = ma.fields.String(required=True)
    body_markdown = ma.fields.String(load_default="")
    minutes = ma.fields.Integer(strict=True, load_default=10,
                                metadata={"description": "Estimated minutes, 0 to 1440; 10 when left out."})
    published = Boolean(load_default=True)


class ModuleCompletionSchema(ma.Schema):
    """A module you marked done."""

    module_id = ma.fields.Integer(required=True)
    done = Boolean(required=True)
    completed_at = ma.fields.AwareDateTime(required=True)


def _shown(module: Module, done: bool | None, *, author: bool) -> dict:
    """The module as answered: safe HTML for everyone, the raw source for its authors only
    (a client that renders the source as HTML would run what a learner must never run)."""
    fields = {name: getattr(module, name) for name in
              ("id", "course_id", "position", "title", "minutes", "published", "updated_at")}
    if author:
        fields["body_markdown"] = module.body_markdown
    return {**fields, "html": str(render_markdown(module.body_markdown)), "done": done}


@blp.post("/courses/<id:course_id>/modules")
@blp.login_required
@blp.staff_only()
@blp.arguments(NewModuleSchema)
@blp.response(201, ModuleSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.idempotent(Module, lambda module: _shown(module, None, author=True))
def create_module(data: dict, course_id: int):
    """Add a module to a course (trainers and coordinators of its organiser)."""
    course = visible_course(course_id)
    module = modules.create_module(auth.current_user(), course.id, **data)
    return _shown(module, None, author=True)


@blp.get("/courses/<id:course_id>/modules")
@blp.login_required
@blp.response(200, page_schema(ModuleSchema))
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_modules(course_id: int):
    """A course's modules in their order, all on one page: learners see the published ones."""
    course = visible_course(course_id)
    user = auth.current_user()
    if not access.can_follow(user, course):
        raise NotAllowed(_("You need an enrolment in this course to read its modules."))
    follows = policy.can_follow_course(user, course.id)
    done = modules.completed_module_ids(user.id, course.id) if follows else set()
    shown = modules.visible_modules(user, course)
    author = access.can_edit(user, course)
    return {"items": [_shown(module, module.id in done if follows else None, author=author)
                      for module in shown],
            "next": None}


@blp.post("/modules/<id:module_id>/completion")
@blp.login_required
@blp.response(200, ModuleCompletionSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def complete_module(module_id: int):
    """Mark a module as done (learners enrolled in the course); doing it again changes nothing."""
    module = db.session.get(Module, module_id)
    if module is None:
        abort(404, message=_("This module does not exist."))
    completion = modules.complete_module(auth.current_user(), module.course_id, module.id)
    return {"module_id": completion.module_id, "done": True, "completed_at": completion.completed_at}


class ImageSchema(ma.Schema):
    """A picture for the course's modules; put its `markdown` line into a module's text."""

    id = ma.fields.Integer(required=True)
    course_id = ma.fields.Integer(required=True)
    mimetype = ma.fields.String(required=True)
    url = ma.fields.Function(lambda image: f"/courses/{image.course_id}/images/{image.id}",
                             required=True, metadata={"type": "string"})
    markdown = ma.fields.Function(
        lambda image: f"![](/courses/{image.course_id}/images/{image.id})", required=True,
        metadata={"type": "string", "description": "Add a description between the brackets."})


class ImageUploadSchema(ma.Schema):
    """A PNG or JPEG picture of at most 2 MB and 4000 by 4000 pixels."""

    image = Upload(required=True)


def _editor_course(course_id: int):
    course = visible_course(course_id)
    if not access.can_edit(auth.current_user(), course):
        raise NotAllowed(_("Only trainers and coordinators of the organiser can change this course."))
    return course


@blp.get("/courses/<id:course_id>/images")
@blp.login_required
@blp.staff_only()
@blp.response(200, page_schema(ImageSchema))
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_images(course_id: int):
    """The course's pictures, oldest first, all on one page (its authors)."""
    course = _editor_course(course_id)
    return {"items": images.course_images(course.id), "next": None}


@blp.post("/courses/<id:course_id>/images")
@blp.login_required
@blp.staff_only()
@blp.arguments(ImageUploadSchema, location="files")
@blp.response(201, ImageSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.idempotent(ModuleImage)
def add_image(data: dict, course_id: int):
    """Upload a picture for the course's modules (its authors)."""
    course = visible_course(course_id)
    return images.add_module_image(auth.current_user(), course.id,
                                   data["image"].read(images.IMAGE_MAX_BYTES + 1))


@blp.get("/courses/<id:course_id>/images/<id:image_id>")
@blp.login_required
@blp.doc(responses={"200": {
    "description": "The picture, PNG or JPEG as its Content-Type says.",
    "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in ("image/png", "image/jpeg")},
}})
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_image(course_id: int, image_id: int):
    """A picture, for whoever may read the course's modules."""
    image = images.readable_image(auth.current_user(), visible_course(course_id).id, image_id)
    response = Response(image.content, mimetype=image.mimetype)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@blp.delete("/courses/<id:course_id>/images/<id:image_id>")
@blp.login_required
@blp.staff_only()
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def delete_image(course_id: int, image_id: int):
    """Delete a picture that no module shows any more (409 names the modules that do)."""
    images.delete_module_image(auth.current_user(), visible_course(course_id).id, image_id)
