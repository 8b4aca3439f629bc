"""The `flask college credential-key` command."""

from __future__ import annotations

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from college.credentials import keys
from college.credentials.multikey import private_key_pem
from college.transactions import unit_of_work


@click.command("credential-key")
@click.option("--store", is_flag=True,
              help="Keep the new key in the database and sign with it from now on "
                   "(development, the demo) instead of printing it.")
def credential_key_command(store: bool) -> None:
    """Make a new Ed25519 key for signing digital credentials (Open Badges).

    By default the key is printed as PEM, for CREDENTIAL_SIGNING_KEY in production; nothing is
    stored. With --store it replaces the generated key in the database; the previous one stays
    published, so the credentials it signed still verify.
    """
    if not store:
        click.echo(private_key_pem(Ed25519PrivateKey.generate()), nl=False)
        return
    with unit_of_work():
        key = keys.create_credential_key()
        message = f"New credential key {key.id}: {key.public_key_multibase}."
    click.echo(message)
    if current_app.config.get("CREDENTIAL_SIGNING_KEY"):
        click.echo("Note: CREDENTIAL_SIGNING_KEY is configured and signs instead of this key.")
