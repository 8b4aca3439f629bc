"""`flask college create-coordinator`: for scripts (--password) and people (a prompt)."""

from __future__ import annotations

from sqlalchemy import func, select

from college.accounts.models import Organiser, Role, User
from college.accounts.passwords import verify_password
from college.extensions import db

PASSWORD = "lange zomeravond 42"


def create_coordinator(runner, *extra: str, email: str = "Els@Example.be", input: str | None = None):
    args = ["college", "create-coordinator", "--email", email, "--name", "Els Vandewalle",
            "--organiser", "Mantelzorghub Leiestreek", *extra]
    return runner.invoke(args=args, input=input)


def organisers() -> list[Organiser]:
    return list(db.session.scalars(select(Organiser)))


def test_create_coordinator_with_password_option_creates_the_organiser(runner):
    result = create_coordinator(runner, "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "Coordinator els@example.be created for Mantelzorghub Leiestreek" in result.output
    db.session.expire_all()
    user = User.by_email("els@example.be")
    assert user.email == "els@example.be"
    assert verify_password(user.password_hash, PASSWORD)
    assert not user.is_learner
    [organiser] = organisers()
    assert (organiser.name, organiser.slug) == ("Mantelzorghub Leiestreek", "mantelzorghub-leiestreek")
    assert user.organiser_ids(Role.COORDINATOR) == {organiser.id}


def test_create_coordinator_asks_the_password_at_a_prompt(runner):
    result = create_coordinator(runner, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and PASSWORD not in result.output
    db.session.expire_all()
    assert verify_password(User.by_email("els@example.be").password_hash, PASSWORD)


def test_prompt_asks_again_when_the_confirmation_differs(runner):
    result = create_coordinator(runner, input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output


def test_existing_organiser_is_reused(runner):
    db.session.add(Organiser(name="Mantelzorghub Leiestreek", slug="mantelzorghub-leiestreek"))
    db.session.commit()
    result = create_coordinator(runner, "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    [organiser] = organisers()
    assert User.by_email("els@example.be").organiser_ids(Role.COORDINATOR) == {organiser.id}


def test_duplicate_email_in_any_case_is_refused(runner, make):
    make.learner(email="els@example.be")
    result = create_coordinator(runner, "--password", PASSWORD, email="ELS@example.BE")
    assert result.exit_code != 0
    assert "bestaat al een account" in result.output  # the command line speaks Dutch
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert organisers() == []


def test_weak_password_or_bad_email_is_refused(runner):
    weak = create_coordinator(runner, "--password", "wachtwoord")
    assert weak.exit_code != 0 and "te gemakkelijk" in weak.output
    bad = create_coordinator(runner, "--password", PASSWORD, email="not-an-email")
    assert bad.exit_code != 0 and "geldig e-mailadres" in bad.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert organisers() == []


def test_worker_burst_runs_queued_jobs_and_stops(runner, app):
    from college.jobs import queue

    job = queue("default").enqueue("college.timeutil.today")
    result = runner.invoke(args=["college", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert job.get_status(refresh=True).value == "finished"
