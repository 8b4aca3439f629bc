"""Municipalities: the installation's list, where the caller lives, which ones an organiser
serves, and the reach per municipality of residence (aggregates only)."""

from __future__ import annotations

import marshmallow as ma

from college.api import auth
from college.api.core import Blueprint, id_field
from college.api.resources.dashboards import PeriodArgsSchema
from college.regions import residence

blp = Blueprint("api_municipalities", __name__, url_prefix="/api/v1",
                description="Municipalities, where learners live, and the reach per municipality.")


class MunicipalitySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    nis_code = ma.fields.String(required=True, metadata={"example": "44083"})
    name = ma.fields.String(required=True)
    postcodes = ma.fields.String(required=True, metadata={"example": "9800 9810"})
    population = ma.fields.Integer(required=True, allow_none=True)


class MunicipalityListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MunicipalitySchema), required=True)


class ResidenceSchema(ma.Schema):
    """Where the caller lives: a municipality of the list, or null (not given)."""

    municipality = ma.fields.Nested(MunicipalitySchema, required=True, allow_none=True)


class ResidenceInSchema(ma.Schema):
    municipality_id = id_field(required=True, allow_none=True, metadata={
        "description": "An id of `GET /municipalities`; null removes it."})


class ServedInSchema(ma.Schema):
    municipality_ids = ma.fields.List(id_field(), required=True, validate=ma.validate.Length(max=400))


class ReachRowSchema(ma.Schema):
    """People reached in a year from one municipality of residence; null where withheld
    (fewer than five people, or a figure they could be worked out from)."""

    year = ma.fields.Integer(required=True)
    municipality = ma.fields.Nested(MunicipalitySchema, required=True, allow_none=True,
                                    metadata={"description": "null: not given."})
    caregivers = ma.fields.Integer(required=True, allow_none=True)
    professionals = ma.fields.Integer(required=True, allow_none=True)
    new = ma.fields.Integer(required=True, allow_none=True)
    returning = ma.fields.Integer(required=True, allow_none=True)
    per_1000 = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "Caregivers and professionals per 1,000 inhabitants, where the population is known."})
    withheld = ma.fields.List(ma.fields.String(), required=True)


class ReachSchema(ma.Schema):
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    rows = ma.fields.List(ma.fields.Nested(ReachRowSchema), required=True)


@blp.get("/municipalities")
@blp.response(200, MunicipalityListSchema)
def list_municipalities():
    """The municipalities learners choose from (the installation's list)."""
    return {"items": residence.municipalities()}


@blp.get("/me/municipality")
@blp.login_required
@blp.response(200, ResidenceSchema)
def get_my_municipality():
    """Where the caller said they live (null: not given)."""
    return {"municipality": residence.residence_of(auth.current_user())}


@blp.put("/me/municipality")
@blp.login_required
@blp.arguments(ResidenceInSchema)
@blp.response(200, ResidenceSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def set_my_municipality(data: dict):
    """Give, change or (with null) remove the municipality the caller lives in; optional."""
    return {"municipality": residence.set_residence(auth.current_user(), data["municipality_id"])}


@blp.put("/organisers/<id:organiser_id>/municipalities")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(ServedInSchema)
@blp.response(200, MunicipalityListSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def set_served_municipalities(data: dict, organiser_id: int):
    """The municipalities the organiser serves (the whole list; its coordinators)."""
    return {"items": residence.set_served_municipalities(
        auth.current_user(), organiser_id, data["municipality_ids"])}


def reach_document(period, rows) -> dict:
    return {"start": period.start, "end": period.end, "rows": [
        {"year": row.year, "municipality": row.municipality, "caregivers": row.caregivers,
         "professionals": row.professionals, "new": row.new, "returning": row.returning,
         "per_1000": row.per_1000, "withheld": sorted(row.withheld)} for row in rows]}


@blp.get("/organisers/<id:organiser_id>/reach-by-municipality")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200, ReachSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_organiser_reach(args: dict, organiser_id: int):
    """An organiser's reach per year and municipality of residence (its coordinators)."""
    _organiser, period, rows = residence.organiser_reach(
        auth.current_user(), organiser_id, args.get("start"), args.get("end"))
    return reach_document(period, rows)
