"""Regions: the regions one coordinates, and a region's figures (aggregates only)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_smorest import abort

from college import policy
from college.api import auth
from college.api.core import Blueprint, id_field
from college.api.resources.dashboards import DefinitionSchema, PeriodArgsSchema, _definitions
from college.api.resources.municipalities import MunicipalitySchema, ReachSchema, reach_document
from college.dashboards.definitions import RATE_FIGURES
from college.dashboards.organiser import FIGURE_NAMES
from college.extensions import db
from college.regions import exports, publishing, residence, services
from college.regions.models import Region
from college.regions.views import course_link

blp = Blueprint("api_regions", __name__, url_prefix="/api/v1",
                description="Regions of organisers, and their figures for regional coordinators.")


class RegionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)


class RegionListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RegionSchema), required=True)


def _nullable_figures() -> dict:
    fields = {key: ma.fields.Integer(required=True, allow_none=True) for key in FIGURE_NAMES}
    fields |= {key: ma.fields.Float(required=True, allow_none=True) for key in RATE_FIGURES}
    for key in services.REACH_KEYS:
        stage, kind = key.split(".")
        fields[f"reach_{stage}_{kind}"] = ma.fields.Integer(required=True, allow_none=True)
    fields |= {key: ma.fields.Integer(required=True, allow_none=True)
               for key in (*services.NEW_RETURNING, *services.EVALUATION_COUNTS)}
    fields["evaluation_response_rate"] = ma.fields.Float(required=True, allow_none=True)
    fields |= {key: ma.fields.Integer(required=True, allow_none=True)
               for key in services.RESPITE_COUNTS}
    fields |= {key: ma.fields.Float(required=True, allow_none=True)
               for key in services.RESPITE_RATES}
    return fields


RegionFiguresSchema = ma.Schema.from_dict({
    **_nullable_figures(),
    "withheld": ma.fields.List(ma.fields.String(), required=True, metadata={"description": (
        "The figures withheld (null): about fewer than five people, or one that would let a "
        "reader work such a figure out from the total.")}),
}, name="RegionFiguresSchema")


class MemberFiguresSchema(ma.Schema):
    organiser_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    figures = ma.fields.Nested(RegionFiguresSchema, required=True)


class RegionReportSchema(ma.Schema):
    """A region's members' figures side by side and added up (each edition once)."""

    region_id = ma.fields.Integer(required=True)
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    members = ma.fields.List(ma.fields.Nested(MemberFiguresSchema), required=True)
    total = ma.fields.Nested(RegionFiguresSchema, required=True)
    definitions = ma.fields.List(ma.fields.Nested(DefinitionSchema), required=True)


def _name(key: str) -> str:
    """A figure's name in the document: reach cells ("enrolled.caregiver") read reach_enrolled_caregiver."""
    return "reach_" + key.replace(".", "_") if "." in key else key


def _figures(row: services.Row) -> dict:
    return {_name(key): value for key, value in row.values.items()} | {
        "withheld": sorted(_name(key) for key in row.withheld)}


def regional_only(view: Callable) -> Callable:
    """Who coordinates no region at all gets 403 before their query is read."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not policy.is_regional_coordinator(auth.current_user()):
            abort(403, message=str(_l("Only regional coordinators can do this.")))
        return view(*args, **kwargs)

    return blp.alt_response(403, response="FORBIDDEN")(checked)


@blp.get("/regions")
@blp.login_required
@blp.response(200, RegionListSchema)
def list_regions():
    """The regions whose figures the caller reads (empty for anyone else)."""
    return {"items": services.regions_of(auth.current_user())}


@blp.get("/regions/<id:region_id>/figures")
@blp.login_required
@regional_only
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200, RegionReportSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_region_figures(args: dict, region_id: int):
    """A region's figures for a period, as on its page (its regional coordinators)."""
    report = services.region_report(auth.current_user(), region_id, args.get("start"),
                                    args.get("end"))
    return {
        "region_id": report.region.id,
        "start": report.period.start,
        "end": report.period.end,
        "members": [{"organiser_id": row.organiser_id, "name": row.name, "figures": _figures(row)}
                    for row in report.members],
        "total": _figures(report.total),
        "definitions": _definitions(services.REGION_FIGURES),
    }


@blp.get("/regions/<id:region_id>/figures/<table>.csv")
@blp.login_required
@regional_only
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv",
              description="UTF-8 with BOM, semicolon-separated; a withheld cell reads \"withheld\".")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_region_figures_csv(args: dict, region_id: int, table: str):
    """One table of a region's figures as CSV, as the page downloads it (its regional
    coordinators): members, reach, evaluation, respite or definitions (another name: 404)."""
    if table not in services.TABLES:
        abort(404, message=str(_l("There is no such table.")))
    return exports.figures_csv(services.region_report(
        auth.current_user(), region_id, args.get("start"), args.get("end")), table)


@blp.get("/regions/<id:region_id>/figures/report.pdf")
@blp.login_required
@regional_only
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="The region's report, as the page downloads it.")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_region_figures_pdf(args: dict, region_id: int):
    """A region's figures as a PDF report (its regional coordinators)."""
    return exports.figures_pdf(services.region_report(
        auth.current_user(), region_id, args.get("start"), args.get("end")))


@blp.get("/regions/<id:region_id>/reach-by-municipality")
@blp.login_required
@regional_only
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200, ReachSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_region_reach(args: dict, region_id: int):
    """A region's reach per year and municipality of residence; someone who trained with two
    members counts once (its regional coordinators)."""
    _region, period, rows = residence.region_reach(
        auth.current_user(), region_id, args.get("start"), args.get("end"))
    return reach_document(period, rows)


class TrainingsArgsSchema(ma.Schema):
    place = ma.fields.String(validate=ma.validate.Length(max=120), metadata={
        "description": "The municipality where the edition takes place."})
    track = ma.fields.String(validate=ma.validate.OneOf(["caregivers", "professionals"]))
    month = ma.fields.String(validate=ma.validate.Regexp(r"^[0-9]{4}-[0-9]{2}$"),
                             metadata={"example": "2027-03"})


class TrainingSchema(ma.Schema):
    course = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    organiser = ma.fields.String(required=True)
    place = ma.fields.String(required=True)
    starts_on = ma.fields.String(required=True, metadata={"format": "date"})
    ends_on = ma.fields.String(required=True, metadata={"format": "date"})
    caregivers = ma.fields.Boolean(required=True)
    professionals = ma.fields.Boolean(required=True)
    url = ma.fields.String(required=True)


class RegionNameSchema(ma.Schema):
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)


class TrainingsSchema(ma.Schema):
    region = ma.fields.Nested(RegionNameSchema, required=True)
    items = ma.fields.List(ma.fields.Nested(TrainingSchema), required=True)


@blp.get("/regions/<id:region_id>/trainings")
@blp.arguments(TrainingsArgsSchema, location="query")
@blp.response(200, TrainingsSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def list_region_trainings(args: dict, region_id: int):
    """A region's upcoming trainings of its members (public), as its page lists them."""
    listing = publishing.region_listing(db.session.get(Region, region_id), args.get("track"),
                                        args.get("place"), args.get("month"))
    return publishing.feed(listing, course_link)


class RegionMunicipalitySchema(ma.Schema):
    """A municipality the region serves, with the population the region counts for it."""

    municipality = ma.fields.Nested(MunicipalitySchema, required=True)
    population = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "The region's own figure (null: none); the region's reach per 1,000 "
                       "inhabitants uses it where the installation's list has none."})


class RegionMunicipalityListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RegionMunicipalitySchema), required=True)


class RegionMunicipalityInSchema(ma.Schema):
    municipality_id = id_field(required=True)
    population = ma.fields.Integer(required=True, allow_none=True, strict=True,
                                   validate=ma.validate.Range(min=1, max=100_000_000))


class RegionMunicipalitiesInSchema(ma.Schema):
    municipalities = ma.fields.List(ma.fields.Nested(RegionMunicipalityInSchema), required=True,
                                    validate=ma.validate.Length(max=400))


@blp.get("/regions/<id:region_id>/municipalities")
@blp.login_required
@regional_only
@blp.response(200, RegionMunicipalityListSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_region_municipalities(region_id: int):
    """The municipalities the region serves, with its population figures (its regional
    coordinators)."""
    return {"items": residence.region_municipalities_for(auth.current_user(), region_id)}


@blp.put("/regions/<id:region_id>/municipalities")
@blp.login_required
@regional_only
@blp.arguments(RegionMunicipalitiesInSchema)
@blp.response(200, RegionMunicipalityListSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def set_region_municipalities(data: dict, region_id: int):
    """The municipalities the region serves (the whole list), each with a population or null
    (its regional coordinators)."""
    chosen = {entry["municipality_id"]: entry["population"] for entry in data["municipalities"]}
    return {"items": residence.set_region_municipalities(auth.current_user(), region_id, chosen)}
