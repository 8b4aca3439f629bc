"""The `flask college complete-finished` command."""

from __future__ import annotations

import click

from college.completion.tasks import complete_finished_editions


@click.command("complete-finished")
@click.option("--days", type=int, default=None,
              help="Look back this many days for editions that ended (default 14).")
def complete_finished_command(days: int | None) -> None:
    """Complete the enrolments that waited for their edition's last session to end."""
    click.echo(f"Enrolments completed: {complete_finished_editions(days)}.")
