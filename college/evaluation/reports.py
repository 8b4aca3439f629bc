"""Evaluation reports per edition, course or organiser and period.

Anonymity holds in the queries too: answers are counted from the answer sets joined to their
edition and course only, never to an enrolment, invitation or person; a figure about fewer
than the minimum group (`college.dashboards.disclosure`) is withheld before it leaves this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Integer, Select, cast, func, select

from college.accounts.models import Organiser, User
from college.catalogue.models import Course, Edition
from college.dashboards.disclosure import MIN_GROUP_SIZE, too_few_to_describe
from college.dashboards.organiser import Period
from college.enrolment.models import Enrolment
from college.evaluation.burden import BurdenReport, Change, burden_report
from college.evaluation.models import (
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationResponse,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
)
from college.evaluation.scope import report_scope
from college.extensions import db


@dataclass
class QuestionFigures:
    """One question's answers; `counts`, `mean` and `open_answers` are None when too few."""

    key: str
    kind: str
    text: str
    options: list[str]
    answered: int
    counts: list[int] | None = None
    mean: float | None = None
    open_answers: list[str] | None = None

    @property
    def too_few(self) -> bool:
        return too_few_to_describe(self.answered)

    @property
    def rows(self) -> list[tuple[str, int]]:
        """(answer, people) per option; empty when withheld or open."""
        return list(zip(self.options, self.counts, strict=True)) if self.counts is not None else []


@dataclass
class VersionFigures:
    """The answers to one version of a questionnaire in the scope."""

    questionnaire_id: int
    track: str | None
    course_title: str | None
    number: int
    responses: int
    questions: list[QuestionFigures] = field(default_factory=list)

    @property
    def too_few(self) -> bool:
        return too_few_to_describe(self.responses)


class ResponseRate:
    """Invited and answered: the response rate, none where too few were invited to describe."""

    invited: int
    answered: int

    @property
    def too_few(self) -> bool:
        return too_few_to_describe(self.invited)

    @property
    def response_rate(self) -> float | None:
        return None if self.too_few or not self.invited else round(100 * self.answered / self.invited, 1)


@dataclass
class EditionRate(ResponseRate):
    id: int
    course_title: str
    starts_on: date
    invited: int
    answered: int


@dataclass
class EvaluationReport(ResponseRate):
    organiser: Organiser
    period: Period
    course_id: int | None
    edition_id: int | None
    invited: int
    answered: int
    editions: list[EditionRate]
    versions: list[VersionFigures]
    minimum_group: int = MIN_GROUP_SIZE


def _in_scope(query: Select, organiser_id: int, period: Period, course_id: int | None,
              edition_id: int | None) -> Select:
    """The editions of the report: the organiser's that started in the period (the cohort)."""
    query = query.where(Course.organiser_id == organiser_id,
                        Edition.starts_on >= period.start, Edition.starts_on <= period.end)
    if course_id is not None:
        query = query.where(Edition.course_id == course_id)
    if edition_id is not None:
        query = query.where(Edition.id == edition_id)
    return query


def _question_figures(question: dict, answered: int, counts: dict[int, int],
                      texts: list[str]) -> QuestionFigures:
    figures = QuestionFigures(key=question["key"], kind=question["kind"], text=question["text"],
                              options=list(question["options"]), answered=answered)
    if figures.too_few:
        return figures
    if question["kind"] == QuestionKind.OPEN.value:
        figures.open_answers = sorted(texts, key=str.casefold)
        return figures
    figures.counts = [counts.get(number, 0) for number in range(1, len(question["options"]) + 1)]
    if question["kind"] == QuestionKind.SCALE.value:
        figures.mean = round(sum(n * c for n, c in enumerate(figures.counts, start=1)) / answered, 2)
    return figures


def evaluation_report(viewer: User, organiser_id: int, start: str | None, end: str | None,
                      course_id: int | None = None, edition_id: int | None = None) -> EvaluationReport:
    """The evaluation figures of the organiser's editions that started in the period."""
    organiser, period = report_scope(viewer, organiser_id, start, end, course_id, edition_id)

    def scoped(query: Select) -> Select:
        return _in_scope(query.join(Course, Course.id == Edition.course_id), organiser.id, period,
                         course_id, edition_id)

    # Who was invited and who answered: the invitations, which know nothing of the answers.
    rates = [
        EditionRate(id=row.id, course_title=row.title, starts_on=row.starts_on,
                    invited=row.invited, answered=int(row.answered or 0))
        for row in db.session.execute(scoped(
            select(Edition.id, Course.title, Edition.starts_on,
                   func.count().label("invited"),
                   func.sum(cast(EvaluationInvitation.answered, Integer)).label("answered"))
            .select_from(EvaluationInvitation)
            .join(Enrolment, Enrolment.id == EvaluationInvitation.enrolment_id)
            .join(Edition, Edition.id == Enrolment.edition_id))
            .group_by(Edition.id, Course.title, Edition.starts_on)
            .order_by(Edition.starts_on, Edition.id))
    ]
    # The answers: answer sets joined to their edition and course, nothing else.
    responses = dict(db.session.execute(scoped(
        select(EvaluationResponse.version_id, func.count())
        .join(Edition, Edition.id == EvaluationResponse.edition_id))
        .group_by(EvaluationResponse.version_id)).all())
    counts: dict[tuple[int, str], dict[int, int]] = {}
    for version_id, key, option, number in db.session.execute(scoped(
            select(EvaluationResponse.version_id, EvaluationAnswer.question_key,
                   EvaluationAnswer.option, func.count())
            .join(EvaluationResponse, EvaluationResponse.id == EvaluationAnswer.response_id)
            .join(Edition, Edition.id == EvaluationResponse.edition_id))
            .where(EvaluationAnswer.option.is_not(None))
            .group_by(EvaluationResponse.version_id, EvaluationAnswer.question_key,
                      EvaluationAnswer.option)):
        counts.setdefault((version_id, key), {})[option] = number
    texts: dict[tuple[int, str], list[str]] = {}
    for version_id, key, text in db.session.execute(scoped(
            select(EvaluationResponse.version_id, EvaluationAnswer.question_key, EvaluationAnswer.text)
            .join(EvaluationResponse, EvaluationResponse.id == EvaluationAnswer.response_id)
            .join(Edition, Edition.id == EvaluationResponse.edition_id))
            .where(EvaluationAnswer.text.is_not(None))):
        texts.setdefault((version_id, key), []).append(text)
    versions = []
    for version, questionnaire, course_title in db.session.execute(
            select(QuestionnaireVersion, Questionnaire, Course.title)
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .outerjoin(Course, Course.id == Questionnaire.course_id)
            .where(QuestionnaireVersion.id.in_(list(responses)))
            .order_by(Questionnaire.course_id.is_not(None), Questionnaire.track, Course.title,
                      QuestionnaireVersion.number)):
        figures = VersionFigures(
            questionnaire_id=questionnaire.id,
            track=questionnaire.track.value if questionnaire.track else None,
            course_title=course_title, number=version.number, responses=responses[version.id])
        if not figures.too_few:
            for question in version.questions:
                place = (version.id, question["key"])
                answered = (len(texts.get(place, [])) if question["kind"] == QuestionKind.OPEN.value
                            else sum(counts.get(place, {}).values()))
                figures.questions.append(
                    _question_figures(question, answered, counts.get(place, {}), texts.get(place, [])))
        versions.append(figures)
    return EvaluationReport(
        organiser=organiser, period=period, course_id=course_id, edition_id=edition_id,
        invited=sum(rate.invited for rate in rates), answered=sum(rate.answered for rate in rates),
        editions=rates, versions=versions)


def report_rows(report: EvaluationReport, burden: BurdenReport | None = None, *,
                open_answers: bool = True) -> tuple[list[str], list[list[object]]]:
    """The report as one CSV table, with "too few answers" where a figure is withheld; without
    `open_answers`, an open question says how many people wrote something instead."""
    few = _("too few answers")
    header = [_("Questionnaire"), _("Version"), _("Question"), _("Answer"), _("People"),
              _("Mean")]
    rows: list[list[object]] = [[_("Response rate"), "", "", "", report.invited,
                                 few if report.too_few else report.response_rate]]
    for version in report.versions:
        name = version_name(version)
        if version.too_few:
            rows.append([name, version.number, "", "", few, ""])
            continue
        for question in version.questions:
            if question.too_few:
                rows.append([name, version.number, question.text, "", few, ""])
            elif question.open_answers is not None and not open_answers:
                rows.append([name, version.number, question.text, _("wrote something"),
                             question.answered, ""])
            elif question.open_answers is not None:
                rows.extend([name, version.number, question.text, text, "", ""]
                            for text in question.open_answers)
            else:
                rows.append([name, version.number, question.text, "", question.answered,
                             question.mean if question.mean is not None else ""])
                rows.extend([name, version.number, question.text, option, count, ""]
                            for option, count in zip(question.options, question.counts, strict=True))
    for measure in burden.instruments if burden else []:
        for change in measure.changes:
            label = change_label(change.later)
            if change.too_few:
                rows.append([measure.instrument.name, "", label, "", few, ""])
                continue
            rows.append([measure.instrument.name, "", label, _("mean change"), change.people, change.mean])
            rows.append([measure.instrument.name, "", label, _("median change"), change.people, change.median])
            rows.append([measure.instrument.name, "", label, _("Confidence interval (95 percent)"), change.people,
                         f"{change.ci_low} – {change.ci_high}"])
            rows.append([measure.instrument.name, "", label, _("lighter (percent)"), change.people, change.improved_pct])
            rows.append([measure.instrument.name, "", label, _("heavier (percent)"), change.people, change.worse_pct])
    return header, rows


# ------------------------------------------------------------------ the coordinator's dashboard


@dataclass
class BurdenSummary:
    """One instrument's burden change, as the dashboard shows it (plain data, kept in Redis)."""

    name: str
    lowest: float
    highest: float
    changes: list[Change]


@dataclass
class DashboardEvaluation(ResponseRate):
    """The evaluation and burden figures on the coordinator's dashboard: this module's report,
    summarised (no open answers, no per-edition rows), so both say the same numbers."""

    start: date
    end: date
    invited: int
    answered: int
    versions: list[VersionFigures]
    burden: list[BurdenSummary]
    minimum_group: int = MIN_GROUP_SIZE

    @staticmethod
    def version_name(version: VersionFigures) -> str:
        return version_name(version)

    @staticmethod
    def change_label(later: str) -> str:
        return change_label(later)


def dashboard_evaluation(viewer: User, organiser_id: int, period: Period) -> DashboardEvaluation:
    """The evaluation figures of the dashboard's period (the same cohort: editions that started in it)."""
    start, end = period.start.isoformat(), period.end.isoformat()
    report = evaluation_report(viewer, organiser_id, start, end)
    burden = burden_report(viewer, organiser_id, start, end)
    return DashboardEvaluation(
        start=period.start, end=period.end, invited=report.invited, answered=report.answered,
        versions=report.versions,
        burden=[BurdenSummary(measure.name, measure.lowest, measure.highest, measure.changes)
                for measure in burden.instruments])


def change_label(later: str) -> str:
    """How a change is called: from before to after, or to the follow-up."""
    return _("Before to after") if later == "after" else _("Before to follow-up")


def version_name(version: VersionFigures) -> str:
    """How a questionnaire is called in a report."""
    if version.course_title:
        return _("Extra questions of %(course)s", course=version.course_title)
    if version.track == "professionals":
        return _("Standard evaluation, professionals")
    return _("Standard evaluation, caregivers")


def invitations_per_edition(cohort) -> dict[int, tuple[int, int]]:
    """(invited, answered) per edition of a cohort (a select of edition ids): the counts the
    response rate is made of, for figures that add editions up (a region's), in one query."""
    return {
        row.edition_id: (int(row.invited), int(row.answered or 0))
        for row in db.session.execute(
            select(Enrolment.edition_id.label("edition_id"), func.count().label("invited"),
                   func.sum(cast(EvaluationInvitation.answered, Integer)).label("answered"))
            .join(Enrolment, Enrolment.id == EvaluationInvitation.enrolment_id)
            .where(Enrolment.edition_id.in_(cohort))
            .group_by(Enrolment.edition_id))
    }
