"""Commands of the learning feature."""

from __future__ import annotations

import click

from college.learning.tasks import grade_expired_attempts


@click.command("grade-expired-attempts")
def grade_expired_attempts_command() -> None:
    """Grade quiz attempts left open past their deadline (run every few minutes from cron)."""

    click.echo(f"Graded {grade_expired_attempts()} expired quiz attempt(s).")
