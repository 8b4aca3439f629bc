"""The `flask college requeue-certificates` command."""

from __future__ import annotations

import click
import redis

from college.certificates.tasks import requeue_certificates


@click.command("requeue-certificates")
def requeue_certificates_command() -> None:
    """Queue every certificate that waits without a live job, or failed with attempts left."""

    try:
        counts = requeue_certificates()
    except redis.exceptions.RedisError as error:
        raise click.ClickException(f"Redis cannot be reached: {error}") from error
    if counts["busy"]:
        click.echo("Another requeue run is busy; nothing done.")
        return
    click.echo(f"Certificates queued again: {counts['requeued']}; marked failed: {counts['failed']}.")
