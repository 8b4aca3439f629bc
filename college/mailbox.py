"""The development mailbox: every mail the College sends, readable at /dev/mailbox.

Without it a newcomer running `make run` never sees a mail (there is no mail server), so a
password reset or an address confirmation cannot be finished. With DEV_MAILBOX on (the
default in development; the configuration refuses it in production) each mail is kept in
Redis (the newest 100) and printed to the console, whether or not it is also sent by SMTP.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from dataclasses import dataclass

import redis
from flask import Blueprint, abort, current_app, render_template

from college import timeutil
from college.addresses import public_base_url
from college.jobs import redis_connection

log = logging.getLogger(__name__)

bp = Blueprint("mailbox", __name__, url_prefix="/dev")

#: The Redis list of kept mails, newest first.
MAILBOX_KEY = "college:dev:mailbox"
KEPT = 100
_LINK = re.compile(r"(https?://[^\s<>\"]+)")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    sent_at: str

    def parts(self) -> list[tuple[str, bool]]:
        """The body as (text, is_link) pieces, so the page shows links as links."""
        pieces = _LINK.split(self.body)
        return [(piece, index % 2 == 1) for index, piece in enumerate(pieces) if piece]


def enabled() -> bool:
    """Whether this College keeps its mails in the development mailbox."""
    return bool(current_app.config.get("DEV_MAILBOX")) and not current_app.config.get("PRODUCTION")


def keep(to: str, subject: str, body: str) -> None:
    """Keep a mail in the mailbox and print it to the console (development only)."""
    if not enabled():
        return
    mail = Mail(to=to, subject=subject, body=body, sent_at=timeutil.now().isoformat())
    try:
        connection = redis_connection()
        connection.lpush(MAILBOX_KEY, json.dumps(mail.__dict__))
        connection.ltrim(MAILBOX_KEY, 0, KEPT - 1)
    except redis.exceptions.RedisError as error:
        log.warning("could not keep the mail in the development mailbox: %s", error)
    print(f"\n--- mail to {to}: {subject}\n{body}\n--- (all mails: {mailbox_address()})\n",
          file=sys.stderr, flush=True)


def mailbox_address() -> str:
    """The address of the mailbox page."""
    return f"{public_base_url()}/dev/mailbox"


def kept_mails() -> list[Mail]:
    """The kept mails, newest first."""
    return [Mail(**json.loads(raw)) for raw in redis_connection().lrange(MAILBOX_KEY, 0, KEPT - 1)]


@bp.get("/mailbox")
def index():
    """The mails the College sent, newest first, with their text and links (development only)."""
    if not enabled():
        abort(404)
    return render_template("mailbox/index.html", mails=kept_mails())
