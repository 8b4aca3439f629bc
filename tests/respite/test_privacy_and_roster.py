"""The care details are health data: in the learner's export, erased with the learner and by the
retention job RESPITE_RETENTION_DAYS after the edition ends; trainers see only a neutral marker."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from college import timeutil
from college.extensions import db
from college.privacy.models import PersonalDataAccess
from college.privacy.services import anonymise, user_data
from college.respite import services
from college.respite.models import RespiteRequest, RespiteSession, RespiteState
from college.respite.tasks import erase_expired_respite


def _asked(world, make):
    enrolment = make.enrolment(world.caregiver, world.edition)
    request = services.request_respite(enrolment_id=enrolment.id, actor=world.caregiver,
                                       kind="company", municipality_id=world.gent.id,
                                       address="Kerkstraat 1, 9000 Gent", mobility="rolstoel",
                                       note="Jef houdt van kaarten", consent=True)
    db.session.commit()
    return request


def _arrange_first(world, request) -> None:
    services.change_sessions(request_id=request.id, actor=world.coordinator, changes=[{
        "session_id": world.sessions[0].id, "state": "arranged", "partner_id": world.partner.id,
        "helper_first_name": "Greet"}])
    db.session.commit()


def test_the_roster_marks_who_came_with_respite_without_details(client, auth, world, make):
    request = _asked(world, make)
    _arrange_first(world, request)
    other = make.learner(name="Zonder Oppas")
    make.enrolment(other, world.edition)
    auth.login_as(world.trainer)
    page = client.get(f"/sessions/{world.sessions[0].id}/roster").get_data(as_text=True)
    assert page.count("came with respite") == 1
    assert "Maria Peeters <span class=\"badge\">came with respite</span>" in page
    assert "Kerkstraat" not in page and "rolstoel" not in page and "Greet" not in page
    # The second session has no arranged respite: no marker.
    second = client.get(f"/sessions/{world.sessions[1].id}/roster").get_data(as_text=True)
    assert "came with respite" not in second


def test_the_learners_export_holds_their_respite(world, make):
    request = _asked(world, make)
    _arrange_first(world, request)
    [exported] = user_data(world.caregiver.id)["respite"]
    assert exported["address"] == "Kerkstraat 1, 9000 Gent" and exported["municipality"] == "Gent"
    assert [s["state"] for s in exported["sessions"]] == ["arranged", "new"]
    assert exported["sessions"][0]["helper_first_name"] == "Greet"


def test_erasure_removes_the_care_details_and_keeps_the_counts(world, make):
    request = _asked(world, make)
    _arrange_first(world, request)
    anonymise(db.session.get(type(world.caregiver), world.caregiver.id))
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(RespiteRequest, request.id)
    assert (kept.address, kept.mobility, kept.note, kept.municipality_id) == ("", "", "", None)
    assert kept.details_erased_at is not None
    states = [s.state for s in db.session.scalars(select(RespiteSession))]
    assert states == [RespiteState.ARRANGED, RespiteState.NEW]
    assert all(s.helper_first_name is None for s in db.session.scalars(select(RespiteSession)))


@pytest.mark.parametrize("after_end, erased", [(timedelta(days=30), False),
                                               (timedelta(days=31), True)])
def test_the_retention_job_erases_details_days_after_the_edition_ends(app, world, make, clock,
                                                                      after_end, erased):
    """RESPITE_RETENTION_DAYS (30) whole days after the edition's last day the details stay;
    the day after, the daily job erases them."""
    assert app.config["RESPITE_RETENTION_DAYS"] == 30
    request = _asked(world, make)
    clock.move_to(timeutil.brussels(world.edition.ends_on + after_end, time(12, 0)))
    erase_expired_respite()
    db.session.expire_all()
    kept = db.session.get(RespiteRequest, request.id)
    assert (kept.details_erased_at is not None) == erased
    assert (kept.address == "") == erased


def test_a_coordinator_reading_the_details_is_logged(client, auth, world, make):
    _asked(world, make)
    auth.login_as(world.coordinator)
    assert client.get(f"/editions/{world.edition.id}/respite").status_code == 200
    [row] = db.session.scalars(select(PersonalDataAccess).where(
        PersonalDataAccess.learner_id == world.caregiver.id))
    assert row.context == "respite" and row.viewer_id == world.coordinator.id
