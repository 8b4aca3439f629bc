"""Create-once keys: kept for a day, then forgotten by the worker's periodic clean-up."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from college.accounts.models import User
from college.catalogue.models import TrainingSession
from college.extensions import db
from college.idempotency.models import IdempotencyKey
from college.idempotency.tasks import remove_expired_keys
from college.jobs import PERIODIC_JOBS
from tests.conftest import shown_form


def kept_keys() -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(row.kind, row.result_id) for row in db.session.scalars(
        select(IdempotencyKey).order_by(IdempotencyKey.id))]


def test_the_worker_forgets_keys_after_a_day(app, client, auth, make, clock):
    organiser = make.organiser()
    auth.login_as(make.coordinator(organiser))
    edition = make.edition(make.course(organiser))
    url = f"/manage/editions/{edition.id}/sessions/new"

    def save(starts: str) -> dict:
        data = {**shown_form(client, url), "day": edition.starts_on.isoformat(),
                "starts": starts, "ends": "23:00"}
        assert client.post(url, data=data).status_code == 302
        return data

    old = save("10:00")
    clock.advance(timedelta(hours=20))
    save("14:00")
    sessions = db.session.scalars(select(TrainingSession.id).order_by(TrainingSession.id)).all()
    assert kept_keys() == [("training_session", sessions[0]), ("training_session", sessions[1])]

    clock.advance(timedelta(hours=5))  # the first key is 25 hours old, the second 5
    assert remove_expired_keys() == 1
    assert kept_keys() == [("training_session", sessions[1])]
    # A day later the first form's token is a new one: sending it creates again.
    assert client.post(url, data=old).status_code == 302
    assert len(db.session.scalars(select(TrainingSession.id)).all()) == 3


def test_the_clean_up_runs_every_hour(app):
    periodic = {path: (queue, key, seconds) for queue, path, key, seconds in PERIODIC_JOBS}
    assert periodic["college.idempotency.tasks.remove_expired_keys"] == (
        "default", "IDEMPOTENCY_CLEANUP_INTERVAL", 3600)
    assert app.config["IDEMPOTENCY_KEY_HOURS"] == 24


def test_a_deleted_account_takes_its_keys_along(client, auth, make):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    auth.login_as(coordinator)
    url = f"/organisers/{organiser.id}/people/new"
    sent = {**shown_form(client, url), "name": "Jeanne Claes", "roles": "learner", "kind": "caregiver"}
    assert client.post(url, data=sent).status_code == 302
    assert len(kept_keys()) == 1

    db.session.delete(db.session.get(User, coordinator.id))
    db.session.commit()

    assert kept_keys() == []
