"""The page cache: anonymous visitors' catalogue and course pages, rendered once, kept in Redis.

The pages live in the app's Redis (college.jobs.redis_connection), so every web server and
process shares them. A page is kept per language, day and exact address (only addresses whose
query holds the page's own filters, once each), and only for anonymous visitors without a
message waiting to be shown.

Invalidation has one home, here: when a transaction that changed a course, edition, session
or organiser (in the ORM, or by an UPDATE/DELETE statement such as the seat counter) commits,
the generation number in Redis goes up and every cached page is stale at once. A page being
rendered reads the generation before it reads the database, so a page rendered from older
rows is stored under the older generation and never served. Keys expire after PAGE_SECONDS.
When Redis cannot be reached the pages are rendered as if there were no cache.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

import redis
from flask import Flask, has_app_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from college import timeutil
from college.accounts.models import Organiser
from college.catalogue.models import Course, Edition, TrainingSession
from college.extensions import db
from college.jobs import redis_connection

log = logging.getLogger(__name__)

GENERATION_KEY = "college:pages:generation"
PAGE_SECONDS = 600
MAX_ADDRESS = 500
_CHANGED = "pages_changed"


#: What the cached pages show: a change to one of these makes them stale.
WATCHED = (Course, Edition, TrainingSession, Organiser)


def cached_for_visitors(*query_args: str) -> Callable:
    """Decorator: serve an anonymous visitor's GET from the cache, else render and keep it.

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
                generation = int(client.get(GENERATION_KEY) or 0)
                key = _page_key(generation)
                page = client.get(key)
            except redis.exceptions.RedisError as error:
                log.warning("page cache unavailable: %s", error)
                return view(*args, **kwargs)
            if page is not None:
                return page.decode()
            answer = view(*args, **kwargs)
            if isinstance(answer, str):
                try:
                    client.set(key, answer.encode(), ex=PAGE_SECONDS)
                except redis.exceptions.RedisError as error:
                    log.warning("page cache unavailable: %s", error)
            return answer

        return wrapped

    return decorator


def _cacheable(allowed: set[str]) -> bool:
    if request.method != "GET" or current_user.is_authenticated or session.get("_flashes"):
        return False
    if len(request.full_path) > MAX_ADDRESS:
        return False
    if any(key not in allowed or len(request.args.getlist(key)) > 1 for key in request.args):
        return False
    # A change of this unit of work that is not committed yet: the cache does not know it.
    pending = db.session.new | db.session.dirty | db.session.deleted
    return not db.session.info.get(_CHANGED) and not any(
        isinstance(obj, WATCHED) for obj in pending)


def _page_key(generation: int) -> str:
    return (f"college:pages:{generation}:{get_locale()}:{timeutil.today().isoformat()}:"
            f"{request.full_path}")


def _after_flush(session: Session, _context) -> None:
    if any(isinstance(obj, WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


def _on_execute(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and issubclass(state.bind_mapper.class_, WATCHED):
        state.session.info[_CHANGED] = True


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the outer transaction decides
    if session.info.pop(_CHANGED, False) and has_app_context():
        try:
            redis_connection().incr(GENERATION_KEY)
        except redis.exceptions.RedisError as error:
            log.warning("could not make the cached pages stale: %s", error)


def _after_rollback(session: Session) -> None:
    if session.get_nested_transaction() is None:
        session.info.pop(_CHANGED, None)


def init_app(app: Flask) -> None:
    """Watch the database session for changes the cached pages show."""
    del app  # the listeners are on every session, once per process
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _on_execute),
                           ("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
