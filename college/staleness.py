"""Generation numbers in Redis that go up when a commit changed what a cache shows.

A cache (the page cache, the coordinator's figures) names the models it shows; when a
transaction that changed one of them (in the ORM, or by an UPDATE/DELETE statement such as the
seat counter, or an INSERT into its table) commits, its generation number in Redis goes up and everything cached under the
older number is stale at once. A reader takes the generation before it reads the database, so
what it computed from older rows is stored under the older generation and never served.
A savepoint's release is not a commit: the outermost transaction decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import redis
from flask import has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from college.extensions import db
from college.jobs import redis_connection

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Generation:
    """The generation number of one cache, stale when a watched model changes."""

    key: str
    watched: tuple[type, ...]
    #: Which changed objects count (default: every one of a watched model).
    counts: Callable[[object], bool] = lambda obj: True

    @cached_property
    def tables(self) -> set[str]:
        """The names of the watched models' tables."""
        return {model.__table__.name for model in self.watched}

    def current(self) -> int:
        """The generation now (RedisError when Redis cannot be reached)."""
        return int(redis_connection().get(self.key) or 0)

    def pending_in(self, session: Session) -> bool:
        """Has this unit of work changed what the cache shows, not committed yet?"""
        pending = (*session.new, *session.dirty, *session.deleted)
        return self.key in session.info.get(_CHANGED, ()) or any(
            isinstance(obj, self.watched) and self.counts(obj) for obj in pending)


def existing_and_going_or_changed(obj: object, attribute: str) -> bool:
    """For a Generation's `counts`: an object that already existed counts when it is deleted or
    its `attribute` changed; a new one (not flushed, or flushed in this unit of work) does not."""
    state = inspect(obj)
    session = state.session
    if state.pending or (session is not None and obj in session.new):
        return False
    going = state.deleted or (session is not None and obj in session.deleted)
    return going or getattr(state.attrs, attribute).history.has_changes()


def kept(generation: Generation, name: str, detail: str, compute: Callable[[], T],
         dump: Callable[[T], str | bytes], load: Callable[[bytes], T], seconds: int) -> T:
    """A value kept in Redis under `generation`: the kept one while nothing the generation
    counts changed, else `compute()` (kept `seconds` for the next reader). The one home of this
    kind of cache (the coordinator's figures, the credential status lists).

    A change of this unit of work not committed yet, or Redis out of reach: computed, not kept.
    """
    if generation.pending_in(db.session):
        return compute()
    try:
        client = redis_connection()
        key = f"college:{name}:{generation.current()}:{detail}"
        found = client.get(key)
    except redis.exceptions.RedisError as error:
        log.warning("%s cache unavailable: %s", name, error)
        return compute()
    if found is not None:
        return load(found)
    value = compute()
    try:
        client.set(key, dump(value), ex=seconds)
    except redis.exceptions.RedisError as error:
        log.warning("%s cache unavailable: %s", name, error)
    return value


_GENERATIONS: list[Generation] = []
_CHANGED = "generations_changed"


def watch(generation: Generation) -> Generation:
    """Make this generation go up after every commit that changed what it watches."""
    if generation not in _GENERATIONS:
        _GENERATIONS.append(generation)
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _on_execute),
                           ("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    return generation


def _changed(session: Session) -> set[str]:
    return session.info.setdefault(_CHANGED, set())


def _after_flush(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    for generation in _GENERATIONS:
        if any(isinstance(obj, generation.watched) and generation.counts(obj) for obj in changed):
            _changed(session).add(generation.key)


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        # Statements on a model or on its table (an access log's rows, a bulk insert) alike.
        table = getattr(state.statement, "table", None)
        for generation in _GENERATIONS:
            if table is not None and table.name in generation.tables:
                _changed(state.session).add(generation.key)


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the outer transaction decides
    changed = session.info.pop(_CHANGED, set())
    if changed and has_app_context():
        try:
            client = redis_connection()
            for key in sorted(changed):
                client.incr(key)
        except redis.exceptions.RedisError as error:
            log.warning("could not make cached pages or figures stale: %s", error)


def _after_rollback(session: Session) -> None:
    if session.get_nested_transaction() is None:
        session.info.pop(_CHANGED, None)
