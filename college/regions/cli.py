"""`flask college municipalities FILE`: the installation's list of municipalities."""

from __future__ import annotations

import click

from college.errors import ServiceError
from college.regions.residence import import_municipalities
from college.transactions import unit_of_work


@click.command("municipalities")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_municipalities_command(path: str) -> None:
    """Add or update the municipalities learners choose from, from a CSV file
    (nis_code;name;postcodes;population, with a header line; population may be empty)."""
    with open(path, encoding="utf-8") as file:
        text = file.read()
    try:
        with unit_of_work():
            count = import_municipalities(text)
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"{count} municipalities in the list.")
