"""The region's roll-up holds the evaluation figures (invited, answered, response rate) of the
members' editions: from the evaluation invitations, aggregates only, the minimum group of five,
the same on the page, in the CSV, the PDF and the API."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from college.catalogue.models import Course, Edition
from college.enrolment.models import Enrolment
from college.evaluation.models import EvaluationInvitation
from college.extensions import db
from tests.api.conftest import bearer_for
from tests.dashboards.cohort import table_rows
from tests.regions.test_region_figures import WITHHELD, soup_of


def invite(organiser, answered: int) -> None:
    """Every learner of the organiser's editions invited; the first `answered` answered."""
    enrolments = db.session.scalars(
        select(Enrolment.id).join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Course.organiser_id == organiser.id).order_by(Enrolment.id)).all()
    db.session.add_all(EvaluationInvitation(enrolment_id=enrolment_id, answered=index < answered)
                       for index, enrolment_id in enumerate(enrolments))
    db.session.commit()


def test_evaluation_figures_per_member_and_for_the_region(client, auth, region_of):
    world = region_of([10, 7, 3])
    for member, answered in zip(world.members, (6, 3, 3), strict=True):
        invite(member, answered)
    auth.login_as(world.regional)
    rows = table_rows(soup_of(client.get(f"/regions/{world.region.id}/figures")), "evaluation-table")
    first, second, small = (member.name for member in world.members)
    assert rows[first] == {"Invited to evaluate": "10", "Evaluations answered": "6",
                           "Response rate": "60%"}
    # Three answered: withheld, and the rate made of it; three people: nothing at all; and the
    # 7 invited go too, or the 3 could be worked out from the region's 20.
    assert set(rows[second].values()) == {WITHHELD}
    assert set(rows[small].values()) == {WITHHELD}
    assert rows["Region"] == {"Invited to evaluate": "20", "Evaluations answered": "12",
                              "Response rate": "60%"}

    csv = client.get(f"/regions/{world.region.id}/figures/evaluation.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = [line.split(";") for line in csv.get_data().decode("utf-8-sig").splitlines()]
    assert lines[0] == ["Organiser", "Invited to evaluate", "Evaluations answered",
                        "Response rate (%)"]
    assert {line[0]: line[1:] for line in lines[1:]}["Region"] == ["20", "12", "60"]
    pdf = client.get(f"/regions/{world.region.id}/figures/report.pdf")
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Invited to evaluate" in text and "Evaluations answered" in text

    body = client.get(f"/api/v1/regions/{world.region.id}/figures",
                      headers=bearer_for(world.regional)).get_json()
    members = {m["name"]: m["figures"] for m in body["members"]}
    assert (members[first]["evaluations_invited"], members[first]["evaluations_answered"],
            members[first]["evaluation_response_rate"]) == (10, 6, 60.0)
    assert members[second]["evaluations_answered"] is None
    assert "evaluation_response_rate" in members[second]["withheld"]
    assert (body["total"]["evaluations_invited"], body["total"]["evaluation_response_rate"]) == (20, 60.0)
    assert "evaluation_response_rate" in {d["key"] for d in body["definitions"]}


def test_no_invitations_read_as_none_not_withheld(client, auth, region_of):
    world = region_of([10, 8])
    auth.login_as(world.regional)
    rows = table_rows(soup_of(client.get(f"/regions/{world.region.id}/figures")), "evaluation-table")
    assert rows["Region"] == {"Invited to evaluate": "0", "Evaluations answered": "0",
                              "Response rate": "–"}
