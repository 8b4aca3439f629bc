"""`flask college seed-schemes`, `add-scheme` and `schemes`: the installation's list of schemes."""

from __future__ import annotations

import click

from college.accreditation import services
from college.accreditation.models import NumberCheck, PartialRule, Scheme, Unit
from college.errors import ServiceError
from college.transactions import unit_of_work


@click.command("seed-schemes")
def seed_schemes_command() -> None:
    """Add the usual Belgian schemes (RIZIV physicians, pharmacists, nurses, social workers)."""
    with unit_of_work():
        added = services.seed_schemes()
    click.echo(f"Added {len(added)} scheme(s): {', '.join(s.code for s in added) or '-'}.")


@click.command("add-scheme")
@click.option("--code", required=True, help="Short code: lower-case letters, digits, dashes.")
@click.option("--name", required=True, help="The scheme's name as certificates print it.")
@click.option("--body", default="", help="The professional body.")
@click.option("--unit", type=click.Choice([u.value for u in Unit]), default=Unit.POINTS.value,
              show_default=True)
@click.option("--partial-rule", type=click.Choice([r.value for r in PartialRule]),
              default=PartialRule.COMPLETION.value, show_default=True,
              help="What a learner who missed sessions earns.")
@click.option("--number-check", type=click.Choice([c.value for c in NumberCheck]),
              default=NumberCheck.NONE.value, show_default=True,
              help="How registration numbers are checked.")
def add_scheme_command(code: str, name: str, body: str, unit: str, partial_rule: str,
                       number_check: str) -> None:
    """Add an accreditation scheme."""
    try:
        with unit_of_work():
            scheme = services.add_scheme(None, code, name, body, Unit(unit),
                                         PartialRule(partial_rule), NumberCheck(number_check))
    except ServiceError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Scheme {scheme.code} added (id {scheme.id}).")


@click.command("schemes")
def list_schemes_command() -> None:
    """List the accreditation schemes."""
    for scheme in Scheme.all():
        click.echo(f"{scheme.id}\t{scheme.code}\t{scheme.unit.value}\t{scheme.partial_rule.value}"
                   f"\t{scheme.name}")
