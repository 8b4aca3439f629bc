"""The evaluation figures of the coordinator's dashboard kept in Redis, like the dashboard's own
(`college.dashboards.cache`): per organiser and period, until a change they count.

Counting them reads every invitation and burden measurement of the period's editions; kept under
their own generation number, a view of the dashboard reads no invitation, answer or enrolment
while nothing they count changed. When Redis cannot be reached they are computed as if there
were no cache.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from datetime import date

from college.accounts.models import User
from college.catalogue.models import Course, Edition
from college.dashboards.cache import kept
from college.dashboards.organiser import Period
from college.enrolment.models import Enrolment
from college.evaluation.burden import Change
from college.evaluation.models import (
    BurdenInstrument,
    BurdenMeasurement,
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationResponse,
    Questionnaire,
    QuestionnaireVersion,
)
from college.evaluation.reports import (
    BurdenSummary,
    DashboardEvaluation,
    QuestionFigures,
    VersionFigures,
    dashboard_evaluation,
)
from college.staleness import Generation, watch

log = logging.getLogger(__name__)

#: What the evaluation figures count: a change to one of these makes them stale everywhere.
EVALUATION_FIGURES = watch(Generation(
    "college:evaluation-figures:generation",
    (EvaluationInvitation, EvaluationResponse, EvaluationAnswer, BurdenMeasurement,
     BurdenInstrument, Questionnaire, QuestionnaireVersion, Enrolment, Edition, Course),
))


def kept_dashboard_evaluation(viewer: User, organiser_id: int, period: Period) -> DashboardEvaluation:
    """The dashboard's evaluation figures of the period: kept ones while nothing they count
    changed. The viewer must already be one who may read the organiser's figures."""
    return kept(EVALUATION_FIGURES, "evaluation-figures", organiser_id, period,
                lambda: dashboard_evaluation(viewer, organiser_id, period), to_json, from_json)


def to_json(figures: DashboardEvaluation) -> str:
    """The figures as JSON (days as YYYY-MM-DD)."""
    return json.dumps(asdict(figures), default=date.isoformat)


def from_json(text: str | bytes) -> DashboardEvaluation:
    """The figures `to_json` wrote."""
    data = json.loads(text)
    return DashboardEvaluation(
        start=date.fromisoformat(data["start"]), end=date.fromisoformat(data["end"]),
        invited=data["invited"], answered=data["answered"], minimum_group=data["minimum_group"],
        versions=[VersionFigures(**{**version, "questions": [
            QuestionFigures(**question) for question in version["questions"]]})
            for version in data["versions"]],
        burden=[BurdenSummary(**{**summary, "changes": [Change(**change) for change in summary["changes"]]})
                for summary in data["burden"]])
