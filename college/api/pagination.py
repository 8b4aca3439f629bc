"""Cursor pagination: lists are {"items": [...], "next": <cursor or null>}."""

from __future__ import annotations

import base64
import binascii
import json

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from college.api.core import MAX_ID
from college.extensions import db

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def encode_cursor(after_id: int) -> str:
    """An opaque cursor that continues after the row with this id."""
    return base64.urlsafe_b64encode(json.dumps({"after": after_id}).encode()).decode().rstrip("=")


class Cursor(ma.fields.String):
    """A cursor from a previous page's `next`, loaded as the id to continue after; an empty
    one (`?cursor=`, what a client sends for "no cursor yet") is the first page."""

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text == "":
            return None
        try:
            after = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))["after"]
        except (binascii.Error, ValueError, TypeError, KeyError) as error:
            raise ma.ValidationError(str(_l("Not a valid cursor."))) from error
        if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_ID:
            raise ma.ValidationError(str(_l("Not a valid cursor.")))
        return after


class PageArgs(ma.Schema):
    """The query parameters of every list: where to continue and how many items."""

    cursor = Cursor(load_default=None, metadata={
        "description": "The `next` of the previous page; left out or empty for the first page."})
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT, validate=ma.validate.Range(min=1, max=MAX_LIMIT)
    )


def page_schema(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The schema of one page of items."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next": ma.fields.String(required=True, allow_none=True),
        },
        name=f"{item_schema.__name__.removesuffix('Schema')}Page",
    )


def paginate(statement: Select, key, args: dict) -> dict:
    """One page of the statement's rows in ascending `key` (an integer id column)."""
    limit = args["limit"]
    if args.get("cursor") is not None:
        statement = statement.where(key > args["cursor"])
    rows = list(db.session.scalars(statement.order_by(key).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next": encode_cursor(getattr(rows[-1], key.key)) if more else None}
