"""What was typed survives an expired session: the form comes back with its text after login.

A form sent after the session ended (logged out after a long pause, or its CSRF token gone
with the session cookie) is refused, as it must be. Its fields are kept in Redis for an hour
under a random token (never passwords, never the CSRF or one-time tokens); the person logs in
again (or, still logged in, reloads the page) and lands on the page the form was on with
`?kept=<token>`; forms built on `KeptForm` show the kept text there, to check and send again.
The token is single use.
"""

from __future__ import annotations

import json
import logging
import secrets
from urllib.parse import urlsplit

import redis
from flask import flash, g, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import MultiDict

from college.jobs import redis_connection

log = logging.getLogger(__name__)

KEY = "college:kept-form:{}"
KEEP_SECONDS = 3600
#: Fields never kept: secrets, and the tokens a fresh page gives anew.
_NEVER = ("csrf_token", "once_token")


def _kept(name: str) -> bool:
    return name not in _NEVER and "password" not in name.lower()


def _same_site(address: str | None) -> bool:
    parts = urlsplit(address or "")
    return not parts.netloc or parts.netloc == request.host


def page_of_form() -> str | None:
    """For a POST, the page its form was on (the referring page of this College, else its path)."""
    if request.method != "POST":
        return None
    referrer = urlsplit(request.referrer or "")
    if referrer.path and _same_site(request.referrer):
        return referrer.path
    return request.path


def keep_posted_form() -> str | None:
    """Keep what was typed in this refused form; the page to come back to, or None (nothing kept).

    Only a form of this College's own pages is kept: another site's form (a forged request)
    must not fill in the person's forms.
    """
    if (request.method != "POST" or request.path.startswith("/api/")
            or not request.referrer or not _same_site(request.referrer)
            or not _same_site(request.headers.get("Origin"))):
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if _kept(name) and value.strip()]
    if not fields:
        return None
    page = page_of_form()
    token = secrets.token_urlsafe(24)
    try:
        redis_connection().set(KEY.format(token), json.dumps({"path": page, "fields": fields}),
                               ex=KEEP_SECONDS)
    except redis.exceptions.RedisError as error:
        log.warning("could not keep a refused form: %s", error)
        return None
    return f"{page}?kept={token}"


def _kept_formdata() -> MultiDict | None:
    """The fields kept for this page (?kept=), read once per request; flashes when found.

    Read when a form is built, after the view's login check: a page that first sends the
    person to log in keeps its token for the way back.
    """
    if "kept_form" in g:
        return g.kept_form
    g.kept_form = None
    token = request.args.get("kept")
    if request.method != "GET" or not token:
        return None
    try:
        raw = redis_connection().getdel(KEY.format(token))
    except redis.exceptions.RedisError as error:
        log.warning("could not read a kept form: %s", error)
        return None
    if raw is None:
        return None
    kept = json.loads(raw)
    if kept["path"] != request.path:
        return None
    g.kept_form = MultiDict(kept["fields"])
    flash(_("Here is what you typed before. Check it and send it again."), "info")
    return g.kept_form


class KeptForm(FlaskForm):
    """A form people type text into: after an expired session it comes back with the text."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            # _Auto: the form was built to read the request (not given data, nor formdata=None).
            if formdata is _Auto and request.method == "GET":
                kept = _kept_formdata()
                if kept is not None:
                    return kept
            return super().wrap_formdata(form, formdata)
