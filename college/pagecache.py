"""The page cache: anonymous visitors' catalogue and course pages (and the API's course list),
rendered once, kept in Redis.

The pages live in the app's Redis (college.jobs.redis_connection), so every web server and
process shares them. A page is kept per language, day and exact address (only addresses whose
query holds the page's own filters, once each), and only for anonymous visitors without a
message waiting to be shown.

Invalidation has one home, here: when a transaction that changed a course, edition, session
or organiser (in the ORM, or by an UPDATE/DELETE statement such as the seat counter) commits,
the pages' generation number in Redis goes up and every cached page is stale at once
(`college.staleness`). A page being rendered reads the generation before it reads the
database, so a page rendered from older rows is stored under the older generation and never
served. Keys expire after PAGE_SECONDS. When Redis cannot be reached the pages are rendered as
if there were no cache.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

import redis
from flask import Flask, Response, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

from college import timeutil
from college.accounts.models import Organiser
from college.catalogue.models import CoOrganiser, Course, Edition, TrainingSession
from college.extensions import db
from college.jobs import redis_connection
from college.staleness import Generation, watch

log = logging.getLogger(__name__)

PAGE_SECONDS = 600
MAX_ADDRESS = 500

#: What the cached pages show: a change to one of these makes them stale.
PAGES = Generation("college:pages:generation",
                   (Course, CoOrganiser, Edition, TrainingSession, Organiser))


def cached_for_visitors(*query_args: str) -> Callable:
    """Decorator: serve an anonymous visitor's GET from the cache, else render and keep it
    (a page or a JSON answer: its body and content type; only answers 200 are kept).

    Only addresses whose query string holds nothing but `query_args`, each once, are cached.
    """
    allowed = set(query_args)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not _cacheable(allowed):
                return view(*args, **kwargs)
            try:
                client = redis_connection()
                generation = PAGES.current()
                key = _page_key(generation)
                page = client.get(key)
            except redis.exceptions.RedisError as error:
                log.warning("page cache unavailable: %s", error)
                return view(*args, **kwargs)
            if page is not None:
                content_type, _newline, body = page.partition(b"\n")
                return Response(body, content_type=content_type.decode())
            answer = make_response(view(*args, **kwargs))
            if answer.status_code == 200 and not answer.is_streamed:
                kept = answer.content_type.encode() + b"\n" + answer.get_data()
                try:
                    client.set(key, kept, ex=PAGE_SECONDS)
                except redis.exceptions.RedisError as error:
                    log.warning("page cache unavailable: %s", error)
            return answer

        return wrapped

    return decorator


def _cacheable(allowed: set[str]) -> bool:
    if request.method != "GET" or current_user.is_authenticated or session.get("_flashes"):
        return False
    if "Authorization" in request.headers:  # an API client with a token: answered for it alone
        return False
    if len(request.full_path) > MAX_ADDRESS:
        return False
    if any(key not in allowed or len(request.args.getlist(key)) > 1 for key in request.args):
        return False
    # A change of this unit of work that is not committed yet: the cache does not know it.
    return not PAGES.pending_in(db.session)


def _page_key(generation: int) -> str:
    return (f"college:pages:{generation}:{get_locale()}:{timeutil.today().isoformat()}:"
            f"{request.full_path}")


def init_app(app: Flask) -> None:
    """Watch the database session for changes the cached pages show."""
    del app  # the listeners are on every session, once per process
    watch(PAGES)
