"""`flask college anonymise-inactive` (the retention rule, with a dry run) and `requeue-exports`."""

from __future__ import annotations

import click
from flask import current_app

from college.privacy.services import anonymise_inactive
from college.privacy.tasks import requeue_exports
from college.transactions import unit_of_work


@click.command("anonymise-inactive")
@click.option("--years", type=int, default=None,
              help="Inactive for this many years (default: RETENTION_YEARS).")
@click.option("--dry-run/--apply", default=True, show_default=True,
              help="Only list the accounts (default), or anonymise them.")
def anonymise_inactive_command(years: int | None, dry_run: bool) -> None:
    """List, or anonymise, learners inactive for a number of years."""
    years = years or current_app.config["RETENTION_YEARS"]
    with unit_of_work():
        users = anonymise_inactive(years, dry_run=dry_run)
    verb = "Would anonymise" if dry_run else "Anonymised"
    click.echo(f"{verb} {len(users)} learner(s) inactive for {years} year(s).")
    for user in users:
        click.echo(f"  {user.id}\t{user.created_at:%Y-%m-%d}\t{user.email or '(managed)'}"
                   if dry_run else f"  {user.id}")


@click.command("requeue-exports")
def requeue_exports_command() -> None:
    """Queue every data export still waiting (for instance after Redis was down)."""

    click.echo(f"{requeue_exports()} data exports queued.")
