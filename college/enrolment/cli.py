"""The `flask college send-reminders` and `flask college send-notifications` commands."""

from __future__ import annotations

import click

from college.enrolment.tasks import queue_pending_notifications, write_and_queue_reminders


@click.command("send-reminders")
def send_reminders_command() -> None:
    """Write reminders for sessions starting in about two days and queue their sending."""

    written, queued = write_and_queue_reminders()
    click.echo(f"{written} reminders written, {queued} notifications queued for sending.")


@click.command("send-notifications")
def send_notifications_command() -> None:
    """Queue every pending notification again (for instance after Redis was down)."""

    click.echo(f"{queue_pending_notifications()} notifications queued for sending.")
