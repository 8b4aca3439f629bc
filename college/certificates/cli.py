"""The `flask college requeue-certificates` and `create-signing-key` commands."""

from __future__ import annotations

import click
import redis
from flask import current_app

from college.accounts.models import Organiser
from college.certificates import signing
from college.certificates.tasks import requeue_certificates
from college.extensions import db
from college.transactions import unit_of_work


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


@click.command("create-signing-key")
@click.option("--organiser", "organiser_id", type=int, default=None,
              help="Give this organiser (its id) a key of its own; default: the installation's key.")
def create_signing_key_command(organiser_id: int | None) -> None:
    """Make a self-signed key for signing attests, stored in the database (development, demo).

    The previous key of the installation (or organiser) is retired: attests it signed still
    verify. Production loads its own key from CERTIFICATE_SIGNING_KEY/_CERT instead.
    """
    organiser = None
    with unit_of_work():
        if organiser_id is not None:
            organiser = db.session.get(Organiser, organiser_id)
            if organiser is None:
                raise click.ClickException(f"No organiser has id {organiser_id}.")
        key = signing.create_signing_key(organiser)
        owner = organiser.name if organiser else "the installation"
        message = f"New signing key for {owner}; certificate fingerprint (SHA-256) {key.fingerprint}."
    click.echo(message)
    if current_app.config.get("CERTIFICATE_SIGNING_KEY") and organiser is None:
        click.echo("Note: CERTIFICATE_SIGNING_KEY is configured and signs instead of this key.")
