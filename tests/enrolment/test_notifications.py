"""The outbox: rows written with the change, sent once by a real RQ worker (SMTP or the log)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from college import timeutil
from college.accounts.models import Language
from college.catalogue.models import Course, Edition
from college.enrolment.models import Notification, NotificationStatus
from college.enrolment.services import cancel_enrolment, enrol_learner, write_reminders
from college.extensions import db
from college.jobs import enqueue, make_worker, redis_connection
from tests.conftest import post_form
from tests.stack import free_port


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=email_policy.default)))
        return "250 Message accepted"


@pytest.fixture()
def smtp_inbox(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 that the College is configured to send through."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_FROM", "College <college@example.be>")
    yield inbox
    controller.stop()


def run_worker(app) -> None:
    db.session.commit()  # the test's unit of work, as a request would commit it
    make_worker(app).work(burst=True)
    db.session.expire_all()


def outbox(user_id: int) -> list[tuple[str, NotificationStatus]]:
    return [
        (kind, status)
        for kind, status in db.session.execute(
            select(Notification.kind, Notification.status)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id)
        )
    ]


def test_without_mail_server_notifications_are_logged(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    edition = make.edition(capacity=1)
    first, second = make.learner(), make.learner()
    enrol_learner(edition_id=edition.id, learner_id=first.id, actor=first)
    enrol_learner(edition_id=edition.id, learner_id=second.id, actor=second)
    assert outbox(second.id) == [("waitlisted", NotificationStatus.PENDING)]
    run_worker(app)
    assert outbox(first.id) == [("enrolled", NotificationStatus.LOGGED)]
    assert outbox(second.id) == [("waitlisted", NotificationStatus.LOGGED)]


def test_confirmation_and_promotion_are_sent_by_smtp(app, make, smtp_inbox):
    edition = make.edition(capacity=1, place="Aalst")
    edition_title = db.session.get(Course, edition.course_id).title
    first = make.learner(email="eerste@example.be", language=Language.EN)
    second = make.learner(email="tweede@example.be", language=Language.EN)
    seat = enrol_learner(edition_id=edition.id, learner_id=first.id, actor=first)
    enrol_learner(edition_id=edition.id, learner_id=second.id, actor=second)
    cancel_enrolment(enrolment_id=seat.id, actor=first)
    run_worker(app)

    assert outbox(second.id) == [("waitlisted", NotificationStatus.SENT),
                                 ("promoted", NotificationStatus.SENT)]
    received = {(tuple(to), message["Subject"]) for to, message in smtp_inbox.messages}
    assert len(smtp_inbox.messages) == 3
    assert (("tweede@example.be",), f"A seat became free: you are enrolled in {edition_title}") \
        in received
    confirmation = next(m for to, m in smtp_inbox.messages if to == ["eerste@example.be"])
    assert confirmation["From"] == "College <college@example.be>"
    assert "Aalst" in confirmation.get_content()


def test_nothing_is_sent_twice(app, make, smtp_inbox):
    learner = make.learner(email="een@example.be")
    edition = make.edition()
    enrol_learner(edition_id=edition.id, learner_id=learner.id, actor=learner)
    notification_id = db.session.scalar(select(Notification.id))
    # The same job queued again (a retry, or the requeue command) must not send again.
    enqueue("mail", "college.enrolment.tasks.send_notification", notification_id)
    enqueue("mail", "college.enrolment.tasks.send_notification", notification_id)
    run_worker(app)
    assert len(smtp_inbox.messages) == 1
    assert outbox(learner.id) == [("enrolled", NotificationStatus.SENT)]


def test_unreachable_mail_server_keeps_the_row_pending_for_a_retry(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    learner = make.learner()
    enrol_learner(edition_id=make.edition().id, learner_id=learner.id, actor=learner)
    run_worker(app)
    row = db.session.scalar(select(Notification))
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert row.error


def test_learners_without_email_are_listed_for_the_coordinator(app, make, client, auth):
    organiser = make.organiser()
    coordinator = make.coordinator(organiser)
    edition = make.edition(make.course(organiser, title="Tillen en verplaatsen"))
    managed = make.learner(email=None, password=None, name="Jeanne Claes", phone="09 123 45 67",
                           managed_by_organiser_id=organiser.id)
    enrol_learner(edition_id=edition.id, learner_id=managed.id, actor=coordinator)
    run_worker(app)
    assert outbox(managed.id) == [("enrolled", NotificationStatus.TO_PHONE)]

    auth.login_as(coordinator)
    assert f'href="/organisers/{organiser.id}/to-phone"' in client.get("/").get_data(as_text=True)
    page = client.get(f"/organisers/{organiser.id}/to-phone").get_data(as_text=True)
    assert "Jeanne Claes" in page and "09 123 45 67" in page and "Tillen en verplaatsen" in page
    other = make.coordinator(make.organiser())
    notification_id = db.session.scalar(select(Notification.id))
    response = post_form(client, f"/notifications/{notification_id}/phoned",
                         page=f"/organisers/{organiser.id}/to-phone")
    assert response.status_code == 302
    assert outbox(managed.id) == [("enrolled", NotificationStatus.SENT)]
    assert "Jeanne Claes" not in client.get(f"/organisers/{organiser.id}/to-phone").get_data(as_text=True)
    auth.logout()
    auth.login_as(other)
    assert client.get(f"/organisers/{organiser.id}/to-phone").status_code == 403


def test_reminders_two_days_before_a_session_once_only(app, make, runner, smtp_inbox):
    edition = make.edition(starts_on=timeutil.today() + timedelta(days=2))
    soon = make.session(edition, starts_at=timeutil.now() + timedelta(hours=40))
    later = make.session(edition, starts_at=timeutil.now() + timedelta(days=6))
    enrolled = make.learner(email="komt@example.be", language=Language.EN)
    waiting = make.learner()
    enrol_learner(edition_id=edition.id, learner_id=enrolled.id, actor=enrolled)
    db.session.get(Edition, edition.id).capacity = 1
    db.session.commit()
    enrol_learner(edition_id=edition.id, learner_id=waiting.id, actor=waiting)

    result = runner.invoke(args=["college", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 reminders written" in result.output
    assert write_reminders() == 0  # the same session and learner: not written again
    run_worker(app)

    reminders = db.session.execute(
        select(Notification.user_id, Notification.dedupe_key, Notification.status)
        .where(Notification.kind == "reminder")
    ).all()
    assert [tuple(r) for r in reminders] == [
        (enrolled.id, f"reminder:{soon.id}:{enrolled.id}", NotificationStatus.SENT)
    ]
    assert later.id != soon.id
    subjects = [m["Subject"] for to, m in smtp_inbox.messages if to == ["komt@example.be"]]
    assert len([s for s in subjects if s.startswith("Reminder:")]) == 1


def test_the_workers_cron_sends_reminders_every_hour(app, make):
    from rq.utils import import_attribute

    from college.jobs import PERIODIC_JOBS

    periodic = {path: (queue_name, default) for queue_name, path, _, default in PERIODIC_JOBS}
    assert periodic["college.enrolment.tasks.send_reminders"] == ("default", 3600)
    send_reminders = import_attribute("college.enrolment.tasks.send_reminders")
    edition = make.edition(starts_on=timeutil.today() + timedelta(days=2))
    make.session(edition, starts_at=timeutil.now() + timedelta(hours=30))
    learner = make.learner()
    enrol_learner(edition_id=edition.id, learner_id=learner.id, actor=learner)
    db.session.commit()
    send_reminders()
    run_worker(app)
    assert ("reminder", NotificationStatus.LOGGED) in outbox(learner.id)


def test_send_notifications_command_queues_pending_rows_again(app, make, runner, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    learner = make.learner()
    enrol_learner(edition_id=make.edition().id, learner_id=learner.id, actor=learner)
    db.session.commit()
    redis_connection(app).flushdb()  # as if Redis had lost the queued job
    result = runner.invoke(args=["college", "send-notifications"])
    assert "1 notifications queued" in result.output
    run_worker(app)
    assert outbox(learner.id) == [("enrolled", NotificationStatus.LOGGED)]
