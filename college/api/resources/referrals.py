"""Referrals: a professional refers a caregiver; the hub lists them and records what happened;
the figures per source, from referred to attended (aggregates only)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_smorest import abort

from college import policy
from college.api import auth
from college.api.core import Blueprint, Boolean, id_field
from college.api.resources.dashboards import PeriodArgsSchema
from college.api.resources.regions import regional_only
from college.referrals import services
from college.referrals.models import NEEDS, Referral, ReferralOutcome, ReferralSource
from college.referrals.views import figures_csv

blp = Blueprint("api_referrals", __name__, url_prefix="/api/v1",
                description="Caregivers referred by professionals, and what the hub did.")

SOURCES = [source.value for source in ReferralSource]
OUTCOMES = [outcome.value for outcome in ReferralOutcome]


class ReferralInSchema(ma.Schema):
    caregiver_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    phone = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=60))
    email = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=254))
    needs = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(NEEDS))), required=True,
                           validate=ma.validate.Length(min=1, max=len(NEEDS)))
    source = ma.fields.String(required=True, validate=ma.validate.OneOf(SOURCES))
    consent = Boolean(required=True, metadata={
        "description": "true: the caregiver agreed that the hub contacts them (required)."})


class MyReferralSchema(ma.Schema):
    """A referral as its referrer sees it: only whether the hub took it up."""

    id = ma.fields.Integer(required=True)
    organiser_id = ma.fields.Integer(required=True)
    caregiver_name = ma.fields.String(required=True)
    source = ma.fields.Function(lambda r: r.source.value, required=True,
                                metadata={"enum": SOURCES})
    created_at = ma.fields.AwareDateTime(required=True)
    taken_up = Boolean(required=True)


class MyReferralListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MyReferralSchema), required=True)


class HubReferralSchema(MyReferralSchema):
    """A referral as the hub's coordinators see it."""

    phone = ma.fields.String(required=True, allow_none=True, attribute="caregiver_phone")
    email = ma.fields.String(required=True, allow_none=True, attribute="caregiver_email")
    needs = ma.fields.Function(lambda r: r.need_keys, required=True)
    outcome = ma.fields.Function(lambda r: r.outcome.value if r.outcome else None,
                                 required=True, allow_none=True, metadata={"enum": OUTCOMES})
    outcome_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    enrolment_id = ma.fields.Integer(required=True, allow_none=True)


class HubReferralListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(HubReferralSchema), required=True)


class OutcomeInSchema(ma.Schema):
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    enrolment_id = id_field(load_default=None, allow_none=True, metadata={
        "description": "The enrolment it led to; required with `enrolled`."})


class FunnelSchema(ma.Schema):
    """Referrals at each stage; null where withheld (fewer than five people)."""

    source = ma.fields.String(required=True, allow_none=True, metadata={
        "enum": SOURCES, "description": "null: all sources."})
    referred = ma.fields.Integer(required=True, allow_none=True)
    contacted = ma.fields.Integer(required=True, allow_none=True)
    enrolled = ma.fields.Integer(required=True, allow_none=True)
    attended = ma.fields.Integer(required=True, allow_none=True)


class OrganiserFunnelSchema(ma.Schema):
    organiser_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    rows = ma.fields.List(ma.fields.Nested(FunnelSchema), required=True)


class ReferralFiguresSchema(ma.Schema):
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    organisers = ma.fields.List(ma.fields.Nested(OrganiserFunnelSchema), required=True)
    total = ma.fields.List(ma.fields.Nested(FunnelSchema), required=True, allow_none=True,
                           metadata={"description": "The region's rows; null for one organiser."})


def referrers_only(view: Callable) -> Callable:
    """Who may not refer under their name (a caregiver) gets 403 before their body is read."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not policy.can_refer_caregivers(auth.current_user()):
            abort(403, message=str(_l("Only professionals and staff refer caregivers here. Use "
                                      "the hub's referral form, or phone the hub.")))
        return view(*args, **kwargs)

    return blp.alt_response(403, response="FORBIDDEN")(checked)


@blp.post("/organisers/<id:organiser_id>/referrals")
@blp.login_required
@referrers_only
@blp.arguments(ReferralInSchema)
@blp.response(201, MyReferralSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.idempotent(Referral)
def refer_caregiver(data: dict, organiser_id: int):
    """Refer a caregiver who agreed to be contacted to the organiser's hub."""
    return services.refer_caregiver(organiser_id=organiser_id, referrer=auth.current_user(),
                                    caregiver_name=data["caregiver_name"], phone=data["phone"],
                                    email=data["email"], needs=data["needs"],
                                    source=data["source"], consent=data["consent"])


@blp.get("/me/referrals")
@blp.login_required
@blp.response(200, MyReferralListSchema)
def list_my_referrals():
    """The referrals the caller made, and whether the hub took each up."""
    return {"items": services.referrals_made_by(auth.current_user())}


@blp.get("/organisers/<id:organiser_id>/referrals")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.response(200, HubReferralListSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_referrals(organiser_id: int):
    """The organiser's referrals, newest first (its coordinators)."""
    return {"items": services.referrals_of(organiser_id, auth.current_user())}


@blp.post("/referrals/<id:referral_id>/outcome")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(OutcomeInSchema)
@blp.response(200, HubReferralSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def record_referral_outcome(data: dict, referral_id: int):
    """Record what happened with a referral; the referrer is told only that it was taken up."""
    return services.record_outcome(referral_id=referral_id, actor=auth.current_user(),
                                   outcome=data["outcome"], enrolment_id=data["enrolment_id"])


def _rows(rows) -> list[dict]:
    return [{"source": row.source.value if row.source else None, **row.counts} for row in rows]


def _figures(figures: services.ReferralFigures) -> dict:
    return {"start": figures.period.start, "end": figures.period.end,
            "organisers": [{"organiser_id": o.id, "name": o.name, "rows": _rows(rows)}
                           for o, rows in figures.organisers],
            "total": _rows(figures.total) if figures.total is not None else None}


@blp.get("/organisers/<id:organiser_id>/referral-figures")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200, ReferralFiguresSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_organiser_referral_figures(args: dict, organiser_id: int):
    """An organiser's referrals per source, from referred to attended (its coordinators)."""
    return _figures(services.organiser_referral_figures(
        auth.current_user(), organiser_id, args.get("start"), args.get("end")))


@blp.get("/regions/<id:region_id>/referral-figures")
@blp.login_required
@regional_only
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200, ReferralFiguresSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_region_referral_figures(args: dict, region_id: int):
    """A region's referrals per member and source, and the region's (regional coordinators)."""
    return _figures(services.region_referral_figures(
        auth.current_user(), region_id, args.get("start"), args.get("end")))


@blp.get("/organisers/<id:organiser_id>/referral-figures.csv")
@blp.login_required
@blp.staff_only(coordinators=True)
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv",
              description="UTF-8 with BOM, semicolon-separated: a row per source and a total.")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_organiser_referral_figures_csv(args: dict, organiser_id: int):
    """An organiser's referral figures as CSV, as its page downloads them (its coordinators)."""
    return figures_csv(services.organiser_referral_figures(
        auth.current_user(), organiser_id, args.get("start"), args.get("end")))


@blp.get("/regions/<id:region_id>/referral-figures.csv")
@blp.login_required
@regional_only
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv",
              description="UTF-8 with BOM, semicolon-separated; a withheld cell reads \"withheld\".")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_region_referral_figures_csv(args: dict, region_id: int):
    """A region's referral figures per member and source as CSV (its regional coordinators)."""
    return figures_csv(services.region_referral_figures(
        auth.current_user(), region_id, args.get("start"), args.get("end")))
