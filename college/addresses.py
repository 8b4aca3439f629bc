"""The public address of the College: one home for the links it gives out.

Links in pages, QR codes, certificates, calendar files and mails start with this address.
In production it is PUBLIC_BASE_URL (the configuration refuses to start without it). In
development, without PUBLIC_BASE_URL, it is the address the browser used (`make run
PORT=5101` gives links on port 5101); a job uses the address of the request that queued it,
else the last address a request came in on, else the development default.
"""

from __future__ import annotations

import logging

import redis
from flask import Flask, current_app, has_request_context, request, url_for
from rq import get_current_job

from college.jobs import ADDRESS_META_KEY, redis_connection

log = logging.getLogger(__name__)

#: Where Redis keeps the last address a request came in on (development only).
LAST_SEEN_KEY = "college:public-base-url"
#: The address `make run` serves on by default.
DEVELOPMENT_DEFAULT = "http://127.0.0.1:5000"


def _request_base_url() -> str:
    return request.host_url.rstrip("/")


def public_base_url() -> str:
    """The address the College is reached at, without a trailing slash."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured
    if has_request_context():
        return _request_base_url()
    job = get_current_job()
    if job is not None and job.meta.get(ADDRESS_META_KEY):
        return job.meta[ADDRESS_META_KEY]
    return _last_seen() or DEVELOPMENT_DEFAULT


def public_url(endpoint: str, **values) -> str:
    """The full public address of a page of the College (in a request)."""
    return public_base_url() + url_for(endpoint, **values)


def _last_seen() -> str | None:
    try:
        value = redis_connection().get(LAST_SEEN_KEY)
    except redis.exceptions.RedisError:
        return None
    return value.decode() if value else None


def init_app(app: Flask) -> None:
    """Without PUBLIC_BASE_URL, remember the address requests come in on, for the worker."""
    if app.config.get("PUBLIC_BASE_URL"):
        return
    remembered: dict[str, str] = {}

    @app.before_request
    def remember_address() -> None:
        address = _request_base_url()
        if remembered.get("address") == address:
            return
        try:
            redis_connection(app).set(LAST_SEEN_KEY, address)
        except redis.exceptions.RedisError as error:
            log.debug("could not remember the public address: %s", error)
            return
        remembered["address"] = address
