"""The `flask college ...` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from college import mailbox
from college.accounts.services import create_coordinator
from college.accreditation.cli import add_scheme_command, list_schemes_command, seed_schemes_command
from college.certificates.cli import create_signing_key_command, requeue_certificates_command
from college.completion.cli import complete_finished_command
from college.credentials.cli import credential_key_command
from college.dashboards.cli import generate_command
from college.demo import database_is_empty, demo_is_loaded, demo_logins, load_demo
from college.enrolment.cli import send_notifications_command, send_reminders_command
from college.errors import ServiceError
from college.jobs import DEFAULT_WORKER_MAX_JOBS, make_worker, start_cron, supervise_workers
from college.learning.cli import grade_expired_attempts_command
from college.privacy.cli import anonymise_inactive_command, requeue_exports_command
from college.regions.cli import import_municipalities_command
from college.transactions import unit_of_work

college_cli = AppGroup("college", help="Caregivers College commands.")


@college_cli.command("create-coordinator")
@click.option("--email", required=True, help="The coordinator's email address (their login).")
@click.option("--name", required=True, help="The coordinator's name.")
@click.option("--organiser", "organiser_name", required=True,
              help="The organiser (municipality or hub); created when it does not exist yet.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked at a prompt when not given.")
def create_coordinator_command(email: str, name: str, organiser_name: str, password: str) -> None:
    """Create a coordinator for an organiser."""
    try:
        with unit_of_work():
            user = create_coordinator(
                email=email, name=name, organiser_name=organiser_name, password=password
            )
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    organiser = user.memberships[0].organiser
    click.echo(f"Coordinator {user.email} created for {organiser.name} (id {organiser.id}).")


@college_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load the demo into an empty database (no users, no organisers).")
def demo_command(if_empty: bool) -> None:
    """Load a realistic Flemish demo: two organisers, both tracks, courses, people, activity."""

    if if_empty and not database_is_empty():
        if demo_is_loaded():
            # `make run` comes here on every later start: the logins are still worth showing.
            _echo_logins("The demo was loaded earlier.", demo_logins())
        else:
            click.echo("The database already has data; demo not loaded.")
        return
    try:
        logins = load_demo()
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    _echo_logins("Demo loaded.", logins)


def _echo_logins(headline: str, logins: dict) -> None:
    click.echo(f"{headline} Logins (password for all: {logins['password']}):")
    for role, email in logins["accounts"]:
        click.echo(f"  {role:<14} {email}")
    if mailbox.enabled():
        click.echo(f"Mails the College sends (development): {mailbox.mailbox_address()}"
                   " and in the worker's console.")


@college_cli.command("worker")
@click.option("--burst", is_flag=True, help="Drain the queues, then stop.")
@click.option("--max-jobs", type=click.IntRange(min=1), default=None,
              help="Jobs before the worker process is replaced by a fresh one (keeps memory "
                   "flat); default WORKER_MAX_JOBS or 200.")
def worker_command(burst: bool, max_jobs: int | None) -> None:
    """Run an RQ worker for the College's queues (certificates, mail, default)."""

    app = current_app._get_current_object()
    if burst:
        make_worker(app).work(burst=True, with_scheduler=True)
        return
    max_jobs = max_jobs or app.config.get("WORKER_MAX_JOBS") or DEFAULT_WORKER_MAX_JOBS
    # RQ's cron scheduler queues the periodic jobs (jobs.PERIODIC_JOBS) at their intervals.
    cron = start_cron(app)
    try:
        supervise_workers(app, max_jobs)
    finally:
        cron.terminate()
        cron.join(5)


college_cli.add_command(send_reminders_command)
college_cli.add_command(send_notifications_command)
college_cli.add_command(grade_expired_attempts_command)
college_cli.add_command(requeue_certificates_command)
college_cli.add_command(complete_finished_command)
college_cli.add_command(generate_command)
college_cli.add_command(anonymise_inactive_command)
college_cli.add_command(requeue_exports_command)
college_cli.add_command(seed_schemes_command)
college_cli.add_command(credential_key_command)
college_cli.add_command(add_scheme_command)
college_cli.add_command(list_schemes_command)
college_cli.add_command(create_signing_key_command)
college_cli.add_command(import_municipalities_command)
