"""`flask college generate`: a large organiser for benchmarks."""

from __future__ import annotations

import time

import click

from college.dashboards.generate import Sizes, generate


@click.command("generate")
@click.option("--organiser", "name", default="Generated hub", show_default=True)
@click.option("--learners", default=5000, show_default=True)
@click.option("--editions", default=200, show_default=True)
@click.option("--sessions", default=2000, show_default=True, help="Sessions in all.")
@click.option("--attendance", default=60000, show_default=True, help="Attendance rows in all.")
@click.option("--attempts", default=10000, show_default=True, help="Quiz attempts in all.")
@click.option("--seed", default=7, show_default=True)
def generate_command(name, learners, editions, sessions, attendance, attempts, seed) -> None:
    """Generate a large organiser with learners, editions, attendance and quiz attempts."""
    started = time.perf_counter()
    organiser = generate(name, Sizes(learners=learners, editions=editions, sessions=sessions,
                                     attendance=attendance, attempts=attempts), seed=seed)
    click.echo(f"Generated organiser {organiser.name!r} (id {organiser.id}) "
               f"in {time.perf_counter() - started:.1f} s.")
